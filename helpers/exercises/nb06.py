"""Checkers for notebook 06's "Try it yourself" exercises (see :mod:`helpers.exercises.core`)."""

from __future__ import annotations

import re

from .core import Passed, _answered, _fail

# (imports inside the checkers keep this block self-contained)

#: Exercise 3: where corp.example wants its reports. The provider's URL has a
#: comma in its query string, which RFC 8460 §3 says must be percent-encoded.
CORP_RUA = ("mailto:tls-reports@corp.example", "https://reports.example.net/tlsrpt?org=corp,eu")

# Exercise 2's week: which days the attacker (and the operator's own mistakes)
# struck is kept here, out of the notebook, so the answer is only in the
# reports. Day numbers count from 0 (2026-06-08 is day 0).
_MYSTERY_START = (2026, 6, 8)
_MYSTERY_STRIP = (1, 5)
_MYSTERY_EXPIRED = (3, 4)


def mystery_week(lab):
    """Exercise 2 of notebook 06: run a week of mail to sts-testing.example in
    ``lab`` (after ``lab.reset()``), with an attacker on some days and the
    operator's own mistakes on others, and return the aggregate of the reports
    that arrived (:func:`helpers.tlsrpt.aggregate`). The days are not shown:
    finding them from the reports is the exercise."""
    import datetime as dt

    from .. import tlsrpt

    lab.reset()
    tlsrpt.simulate_week(lab, first_day=dt.date(*_MYSTERY_START),
                         strip_days=_MYSTERY_STRIP, expired_days=_MYSTERY_EXPIRED)
    return tlsrpt.aggregate(tlsrpt.collect(lab.mailbox, "tlsrpt@sts-testing.example",
                                                 net=lab.net))


def check_failure_rate(answer, report) -> Passed:
    """Exercise: the share of all sessions in ``report`` that failed."""
    _answered(answer, "failure_rate")
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        _fail("Give the failure rate as a number between 0 and 1 (a float).")
    ok, failed = report.successful, report.failed
    expected = failed / (ok + failed)
    if abs(answer - expected) < 1e-6:
        return Passed(f"{failed} failed of {ok + failed} sessions: {expected:.1%}.")
    if abs(answer - expected * 100) < 1e-4:
        _fail("That is a percentage; give a fraction between 0 and 1.")
    only_first = report.policies[0].failed / (report.policies[0].successful
                                              + report.policies[0].failed)
    if abs(answer - only_first) < 1e-6:
        _fail("That counts only the first policy: the report has more than one entry in "
              "'policies', and every session counts.")
    if ok and abs(answer - failed / ok) < 1e-6:
        _fail("Divide by all sessions (successful plus failed), not by the successful ones.")
    details = sum(f.count for p in report.policies for f in p.failures)
    if abs(answer - details / (ok + failed)) < 1e-6 and details != failed:
        _fail("Use the summary counts (total-failure-session-count), not the failure details.")
    _fail("Add up total-successful-session-count and total-failure-session-count over every "
          "policy, then divide the failures by the total.")


def check_attack_days(answer, agg) -> Passed:
    """Exercise: the days an attacker stripped STARTTLS, from the reports alone."""
    import datetime as dt

    _answered(answer, "attack_days")
    if isinstance(answer, (str, dt.date)):
        answer = [answer]
    try:
        days = {d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d)) for d in answer}
    except (TypeError, ValueError):
        _fail("Give a list of dates (datetime.date, or strings like '2026-06-01').")
    stripped = agg.per_result_type().get("starttls-not-supported", {})
    expected = {d for d, n in stripped.items() if n}
    others = {d for t, counts in agg.per_result_type().items()
              if t != "starttls-not-supported" for d, n in counts.items() if n}
    if days & (others - expected):
        _fail("One of your days had failures, but not of the kind stripping causes: which "
              "result type says 'the server did not offer STARTTLS'?")
    if days - expected:
        _fail(f"Nothing was reported as starttls-not-supported on {min(days - expected)}.")
    if expected - days:
        _fail("The attacker was on the path on more than one day: look at every day's "
              "starttls-not-supported count.")
    return Passed(f"Stripping on {', '.join(sorted(d.isoformat() for d in expected))}: only "
                  "the sender that applies MTA-STS noticed, and said so in its reports.")


def check_tlsrpt_record(text) -> Passed:
    """Exercise: a _smtp._tls record sending reports by mail and by HTTPS."""
    from ..tlsrpt import TlsRptError, parse_record

    _answered(text, "my_record")
    if not isinstance(text, str):
        _fail("Give the TXT record's text, as a string.")
    try:
        record = parse_record(text)
    except TlsRptError as e:
        if CORP_RUA[1] in text:
            _fail("The provider's URL went in as it is, and the record no longer parses: "
                  "what does a comma mean in rua=, and how does a URI carry a character "
                  "that has a meaning around it (RFC 8460 §3)?")
        _fail(f"The record does not parse: {e}")
    # Percent-escapes are case-insensitive (RFC 3986 §2.1): %2c is %2C.
    given = [re.sub(r"%[0-9a-fA-F]{2}", lambda m: m.group().upper(), u) for u in record.rua]
    wanted = (CORP_RUA[0], CORP_RUA[1].replace(",", "%2C"))
    missing = [u for u in wanted if u not in given]
    if wanted[1] in missing and any(u.startswith(CORP_RUA[1].split("?")[0]) for u in given):
        _fail("The provider's URL is there, but not exactly: once the receiver decodes it, "
              "its query string must still say org=corp,eu.")
    if missing:
        _fail(f"Reports should also go to {CORP_RUA[wanted.index(missing[0])]!r}: list both "
              "destinations in rua=, separated by a comma.")
    extra = [u for u in given if u not in wanted]
    if extra:
        _fail(f"{extra[0]!r} is not one of the two destinations asked for.")
    if record.warnings:
        _fail(f"It parses, with a warning worth fixing: {record.warnings[0]}")
    return Passed("Reports will be mailed and POSTed: " + ", ".join(record.rua)
                  + ". The comma inside the URL is %2C, so it cannot split the list.")
