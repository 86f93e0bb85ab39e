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


@pytest.mark.parametrize("order,hint", [
    ("adbec", "which policy lists the new host"),
    ("bdeac", "what does it get if the file has not changed yet"),
    ("debac", "names one instance of the policy"),
    ("edbac", "when can it start"),
    ("dbaec", "need not look at the id again"),
    ("dbeca", "no MX they may use"),
    ("dbea", "exactly once"),
    ("dbeaa", "exactly once"),
])
def test_migration_order_checker_hints(order, hint):
    with pytest.raises(ex.ExerciseFailed, match=hint) as e:
        ex.check_migration_order(order)
    assert "d, b, e, a, c" not in str(e.value)


def test_migration_order_checker_passes_only_one_order():
    import itertools

    passed = []
    for perm in itertools.permutations("abcde"):
        try:
            ex.check_migration_order(list(perm))
            passed.append("".join(perm))
        except ex.ExerciseFailed:
            pass
    assert passed == ["dbeac"]
    assert ex.check_migration_order("d, b, e, a, c")
    assert ex.check_migration_order(["D", "B", "E", "A", "C"])
    with pytest.raises(ex.ExerciseFailed, match="still None"):
        ex.check_migration_order(None)


def _design(lab, mode="enforce", **mx):
    return publish.generate(ex.DESIGN_DOMAIN, [publish.MxHost(ex.DESIGN_MX, 10, **mx)], mode=mode)


def test_record_design_checker_sends_real_mail_across_a_renewal(lab):
    """05's exercise 3: the provider renews the key without notice; the check
    deploys, sends, renews, sends again, and cleans up."""
    good = _design(lab)  # MTA-STS in enforce, no TLSA
    assert "Neither sender deferred" in str(ex.check_record_design(good, lab))
    assert ex.DESIGN_DOMAIN not in lab.domains  # the check cleans up after itself
    current = lab.issue_certificate(ex.DESIGN_MX).cert
    # What the teaching cell does (current and next key): the next key is not the
    # one the provider will use, so DANE senders defer after the renewal.
    copied = _design(lab, cert=current,
                     next_cert=lab.issue_certificate(ex.DESIGN_MX, ex.DESIGN_MX + "#2").cert)
    with pytest.raises(ex.ExerciseFailed, match="not after the renewal") as e:
        ex.check_record_design(copied, lab)
    assert "MxHost(" not in str(e.value) and "no TLSA" not in str(e.value)
    with pytest.raises(ex.ExerciseFailed, match="rotates its intermediate"):
        ex.check_record_design(_design(lab, cert=current, issuer=lab.pki.issuing.cert), lab)
    wrong_key = _design(lab, cert=lab.issue_certificate(ex.DESIGN_MX, "someone else").cert)
    with pytest.raises(ex.ExerciseFailed, match="did not deliver today"):
        ex.check_record_design(wrong_key, lab)
    with pytest.raises(ex.ExerciseFailed, match="testing mode delivers whatever"):
        ex.check_record_design(_design(lab, mode="testing"), lab)
    with pytest.raises(ex.ExerciseFailed, match="what does it need to find"):
        ex.check_record_design(_design(lab, mode=None), lab)
    with pytest.raises(ex.ExerciseFailed, match="RecordSet"):
        ex.check_record_design(str(good), lab)
    other = publish.generate("other.example", [publish.MxHost("mx.other.example")])
    with pytest.raises(ex.ExerciseFailed, match="task's domain"):
        ex.check_record_design(other, lab)
