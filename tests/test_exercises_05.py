"""Notebook 05's checkers: right answers pass, wrong ones fail with a hint that
does not give the solution away; the design checker sends real mail."""

from __future__ import annotations

import pytest

from helpers import exercises as ex
from helpers import publish

RIGHT_PATHS = {"example.com": ["mx", "sts", "match", "sts-enforce"],
               "sts-enforce.example": ["mx", "sts", "opportunistic"]}


def test_path_prediction_checker(lab):
    assert "Both paths" in str(ex.check_path_prediction(RIGHT_PATHS, lab))
    with pytest.raises(ex.ExerciseFailed, match="look up TLSA"):
        ex.check_path_prediction({**RIGHT_PATHS, "example.com": ["mx", "tlsa", "dane"]}, lab)
    with pytest.raises(ex.ExerciseFailed, match="fetch MTA-STS"):
        ex.check_path_prediction(
            {**RIGHT_PATHS, "sts-enforce.example": ["mx", "sts", "match", "sts-enforce"]}, lab)
    with pytest.raises(ex.ExerciseFailed, match="not a node"):
        ex.check_path_prediction({**RIGHT_PATHS, "example.com": ["mx", "dnssec"]}, lab)
    with pytest.raises(ex.ExerciseFailed, match="missing"):
        ex.check_path_prediction({"example.com": RIGHT_PATHS["example.com"]}, lab)
    with pytest.raises(ex.ExerciseFailed, match="None"):
        ex.check_path_prediction(None, lab)


RIGHT_PICKS = {"a": {"DANE", "TLS-RPT"}, "b": {"MTA-STS", "TLS-RPT"},
               "c": {"DANE", "MTA-STS", "TLS-RPT"}}


def test_operator_picks_checker():
    ex.check_operator_picks(RIGHT_PICKS)
    ex.check_operator_picks({k: {m.lower() for m in v} for k, v in RIGHT_PICKS.items()})
    with pytest.raises(ex.ExerciseFailed, match="every case") as e:
        ex.check_operator_picks({**RIGHT_PICKS, "a": {"DANE"}})
    assert "TLS-RPT" not in str(e.value)  # the hint does not name the answer
    with pytest.raises(ex.ExerciseFailed, match="DNSSEC"):
        ex.check_operator_picks({**RIGHT_PICKS, "b": {"DANE", "MTA-STS", "TLS-RPT"}})
    with pytest.raises(ex.ExerciseFailed, match="policy file"):
        ex.check_operator_picks({**RIGHT_PICKS, "a": {"DANE", "MTA-STS", "TLS-RPT"}})
    with pytest.raises(ex.ExerciseFailed, match="what stops DANE"):
        ex.check_operator_picks({**RIGHT_PICKS, "c": {"MTA-STS", "TLS-RPT"}})
    with pytest.raises(ex.ExerciseFailed, match="not one of"):
        ex.check_operator_picks({**RIGHT_PICKS, "c": {"DNSSEC"}})


def _design(lab, **mx):
    host = ex.DESIGN_MX
    return publish.generate(ex.DESIGN_DOMAIN, [publish.MxHost(host, 10, **mx)],
                            mode="enforce")


def test_record_design_checker_sends_real_mail(lab):
    good = _design(lab, cert=lab.issue_certificate(ex.DESIGN_MX).cert)
    assert "both delivered with verified TLS" in str(ex.check_record_design(good, lab))
    assert ex.DESIGN_DOMAIN not in lab.domains  # the check cleans up after itself
    with pytest.raises(ex.ExerciseFailed, match="no TLSA record"):
        ex.check_record_design(_design(lab), lab)
    wrong_key = _design(lab, cert=lab.issue_certificate(ex.DESIGN_MX, "someone else").cert)
    with pytest.raises(ex.ExerciseFailed, match="does a TLSA record match"):
        ex.check_record_design(wrong_key, lab)
    with pytest.raises(ex.ExerciseFailed, match="RecordSet"):
        ex.check_record_design(str(good), lab)
    other = publish.generate("other.example", [publish.MxHost("mx.other.example")])
    with pytest.raises(ex.ExerciseFailed, match="task's domain"):
        ex.check_record_design(other, lab)
    testing = publish.generate(ex.DESIGN_DOMAIN, [publish.MxHost(
        ex.DESIGN_MX, 10, cert=lab.issue_certificate(ex.DESIGN_MX).cert)], mode="testing")
    assert "testing mode" in str(ex.check_record_design(testing, lab))
