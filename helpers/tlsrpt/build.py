"""Building a report from what a sending MTA saw (RFC 8460 §4), pure logic.

A :class:`~helpers.sender.Sender` keeps ``sessions`` (policy type, domain, MX,
success as TLS-RPT counts it) and ``failures`` (one
:class:`~helpers.sender.FailureDetail` per failed session or policy fetch).
:func:`build_report` turns the ones of one reporting period into the report
for one policy domain; :func:`period` slices a sender's lists so that each
report covers only what happened since the previous one.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone

from .record import TlsRptError
from .report import POLICY_TYPES, Failure, PolicyReport, Report

# Failures of the policy fetch concern the policy host, not an MX (§4.3.2).
_POLICY_LEVEL = ("sts-policy-fetch-error", "sts-policy-invalid", "sts-webpki-invalid")


def sts_policy_strings(policy) -> tuple[str, ...]:
    """The lines of an MTA-STS policy as ``policy-string`` (§4.3)."""
    if policy is None:
        return ()
    return (f"version: {policy.version}", f"mode: {policy.mode}",
            *(f"mx: {m}" for m in policy.mx), f"max_age: {policy.max_age}")


def _aware(when: datetime, name: str) -> datetime:
    if not isinstance(when, datetime) or when.tzinfo is None:
        raise TlsRptError(f"{name} must be a datetime with a time zone", rule="§4.3")
    return when.astimezone(timezone.utc)


def build_report(sessions: Iterable[Sequence], failures: Iterable, *, domain: str,
                 start: datetime, end: datetime, organization: str, contact: str,
                 report_id: str | None = None, sending_mta_ip: str | None = None,
                 sts_policy=None, tlsa_records: Mapping[str, Sequence[str]] | None = None
                 ) -> Report:
    """The report for ``domain`` over ``start``..``end`` (§4).

    ``sessions``: ``(policy_type, domain, mx, success)`` tuples and
    ``failures``: objects with ``result_type``, ``policy_type``,
    ``policy_domain``, ``mx_host`` and ``reason`` (a sender's lists, or the
    slices :func:`period` gives). One ``policies`` entry per policy type seen
    for ``domain``: successful sessions, failed sessions (failed deliveries,
    deliveries in testing mode that failed validation, and failed policy
    fetches), and failure details grouped by result type, MX and reason (§4.3).
    ``sts_policy`` (a :class:`~helpers.mtasts.Policy`) and ``tlsa_records``
    (MX host to TLSA record texts) fill in ``policy-string`` and ``mx-host``.
    ``report_id`` defaults to a digest of the contents, so a rebuilt report
    keeps its id.
    """
    domain = domain.rstrip(".").lower()
    start, end = _aware(start, "start"), _aware(end, "end")
    if end < start:
        raise TlsRptError("the report period ends before it starts", rule="§4.3")
    ok: Counter = Counter()
    bad: Counter = Counter()
    mx_seen: dict[str, dict[str, None]] = {t: {} for t in POLICY_TYPES}
    for session in sessions:
        ptype, sdomain, mx, success = session[:4]
        if sdomain.rstrip(".").lower() != domain:
            continue
        (ok if success else bad)[ptype] += 1
        mx_seen[ptype][mx] = None
    details: dict[str, Counter] = {t: Counter() for t in POLICY_TYPES}
    for f in failures:
        if f.policy_domain.rstrip(".").lower() != domain:
            continue
        policy_level = f.result_type in _POLICY_LEVEL
        if policy_level:
            bad[f.policy_type] += 1  # no session was attempted under this policy
        mx = None if policy_level else f.mx_host
        details[f.policy_type][(f.result_type, mx, f.reason)] += 1
    policies = []
    for ptype in POLICY_TYPES:
        if not (ok[ptype] or bad[ptype] or details[ptype]):
            continue
        if ptype == "sts":
            strings = sts_policy_strings(sts_policy)
            mx_hosts = tuple(sts_policy.mx) if sts_policy is not None else ()
        elif ptype == "tlsa":
            mx_hosts = tuple(sorted(mx_seen["tlsa"]))
            strings = tuple(r for mx in mx_hosts for r in (tlsa_records or {}).get(mx, ()))
        else:
            strings, mx_hosts = (), ()
        failures_out = tuple(
            Failure(result_type=rt, count=n, sending_mta_ip=sending_mta_ip,
                    receiving_mx_hostname=mx, failure_reason_code=reason or None)
            for (rt, mx, reason), n in sorted(details[ptype].items(),
                                              key=lambda kv: (kv[0][0], kv[0][1] or "",
                                                              kv[0][2])))
        policies.append(PolicyReport(ptype, domain, strings, mx_hosts, ok[ptype], bad[ptype],
                                     failures_out))
    report = Report(organization, start, end, contact, report_id or "", tuple(policies))
    if report_id is None:
        digest = hashlib.sha256(report.to_json(indent=None).encode()).hexdigest()[:16]
        stamp = start.strftime("%Y-%m-%dT%H:%M:%SZ")
        report = Report(organization, start, end, contact, f"{stamp}_{domain}_{digest}",
                        tuple(policies))
    return report


def period(sender, since: tuple[int, int] = (0, 0)) -> tuple[list, list, tuple[int, int]]:
    """A sender's sessions and failures recorded after the mark ``since``, and
    the mark for the next period: ``sessions, failures, mark = period(s, mark)``."""
    s0, f0 = since
    return (list(sender.sessions[s0:]), list(sender.failures[f0:]),
            (len(sender.sessions), len(sender.failures)))
