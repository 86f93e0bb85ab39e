"""Notebook 06's checkers: right answers pass; wrong ones fail with a hint
that points at the mistake without giving the answer away."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from helpers import exercises as ex
from helpers import tlsrpt
from helpers.sender import FailureDetail

PROVIDER_B = tlsrpt.parse_report(tlsrpt.sample_path("tlsrpt-provider-b.json").read_bytes())


def test_failure_rate_checker():
    assert "4 failed of 112" in str(ex.check_failure_rate(4 / 112, PROVIDER_B))
    for wrong, hint in [(4 / 100, "counts only the first policy"),
                        (4 / 108, "not by the successful ones"),
                        (400 / 112, "percentage"),
                        (0.5, "Add up"),
                        ("4/112", "a number between 0 and 1"),
                        (True, "a number between 0 and 1")]:
        with pytest.raises(ex.ExerciseFailed, match=hint):
            ex.check_failure_rate(wrong, PROVIDER_B)
    with pytest.raises(ex.ExerciseFailed, match="still None"):
        ex.check_failure_rate(None, PROVIDER_B)


def _week(strip=(2, 3), expired=(5,)):
    reports = []
    for n in range(7):
        start = datetime(2026, 6, 1, tzinfo=timezone.utc) + timedelta(days=n)
        kind = ("starttls-not-supported" if n in strip else
                "certificate-expired" if n in expired else None)
        sessions = [("sts", "d.example", "mx.d.example", kind is None)] * 4
        failures = [FailureDetail(kind, "sts", "d.example", "mx.d.example", "why")] * 4 \
            if kind else []
        reports.append(tlsrpt.build_report(sessions, failures, domain="d.example", start=start,
                                           end=start + timedelta(hours=23), organization="o",
                                           contact="c"))
    return tlsrpt.aggregate(reports)


def test_attack_days_checker():
    week = _week()
    right = [date(2026, 6, 3), date(2026, 6, 4)]
    assert "2026-06-03, 2026-06-04" in str(ex.check_attack_days(right, week))
    ex.check_attack_days(["2026-06-04", "2026-06-03"], week)
    with pytest.raises(ex.ExerciseFailed, match="more than one day"):
        ex.check_attack_days([date(2026, 6, 3)], week)
    with pytest.raises(ex.ExerciseFailed, match="not of the kind stripping causes"):
        ex.check_attack_days(right + [date(2026, 6, 6)], week)
    with pytest.raises(ex.ExerciseFailed, match="Nothing was reported"):
        ex.check_attack_days(right + [date(2026, 6, 1)], week)
    with pytest.raises(ex.ExerciseFailed, match="list of dates"):
        ex.check_attack_days(["Wednesday"], week)


PROVIDER = "https://reports.example.net/tlsrpt?org=corp%2Ceu"


def test_tlsrpt_record_checker():
    right = f"v=TLSRPTv1; rua=mailto:tls-reports@corp.example,{PROVIDER}"
    assert "mailed and POSTed" in str(ex.check_tlsrpt_record(right))
    ex.check_tlsrpt_record(f"v=TLSRPTv1;rua={PROVIDER.replace('%2C', '%2c')} , "
                           "mailto:tls-reports@corp.example;")
    for wrong, hint in [
        ("v=TLSRPTv1; rua=mailto:tls-reports@corp.example", "should also go to"),
        # The URL pasted as given: its comma splits the list (RFC 8460 §3).
        ("v=TLSRPTv1; rua=mailto:tls-reports@corp.example,"
         "https://reports.example.net/tlsrpt?org=corp,eu", "what does a comma mean"),
        ("v=TLSRPTv1; rua=mailto:tls-reports@corp.example,"
         "https://reports.example.net/tlsrpt?org=corp", "not exactly"),
        (f"v=TLSRPTv1; rua=mailto:tls-reports@corp.example; rua={PROVIDER}",
         "warning worth fixing"),
        ("v=TLSRPTv1 rua=mailto:tls-reports@corp.example", "does not parse"),
        (right + ",mailto:other@corp.example", "not one of the two"),
        (b"v=TLSRPTv1", "as a string"),
    ]:
        with pytest.raises(ex.ExerciseFailed, match=hint) as e:
            ex.check_tlsrpt_record(wrong)
        assert "%2C" not in str(e.value) and "%2c" not in str(e.value), "a hint gave the answer"


def test_mystery_week_needs_the_reports(lab):
    """Exercise 2 runs a week whose attack days are not in the notebook: only the
    reports tell them, and the operator's own expired certificate is a decoy."""
    from pathlib import Path

    week = ex.mystery_week(lab)
    stripped = week.per_result_type()["starttls-not-supported"]
    days = sorted(d for d, n in stripped.items() if n)
    assert days == [date(2026, 6, 9), date(2026, 6, 13)]
    assert ex.check_attack_days(days, week)
    expired = [d for d, n in week.per_result_type()["certificate-expired"].items() if n]
    assert expired, "the week must contain failures that are not attacks"
    with pytest.raises(ex.ExerciseFailed, match="not of the kind stripping causes"):
        ex.check_attack_days(days + expired[:1], week)
    text = (Path(__file__).parent.parent / "notebooks/text/06-tls-reporting.py").read_text()
    exercise = text[text.index("**Exercise 2.**"):text.index("**Exercise 3.**")]
    for day in days:
        assert day.isoformat() not in exercise
