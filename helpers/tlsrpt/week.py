"""A simulated week of mail to one lab domain, with daily TLS reports (RFC 8460).

Several sending MTAs (each a :class:`~helpers.sender.Sender` with its own
simulated clock) deliver a few messages a day to a domain; on chosen days an
attacker strips STARTTLS on the path to its MX, or the MX serves an expired
certificate. After each day every sender builds the report for that day from
the sessions it saw (:func:`~helpers.tlsrpt.build_report`) and mails it to the
domain's ``rua`` (:func:`~helpers.tlsrpt.send_report`), where the lab mailbox
collects it. Nothing here reads the reports back: the course does that, as a
domain owner would, from the mailbox.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from .. import mtasts
from ..net import Network
from ..sender import Sender
from . import dkim
from .dkim import Verdict
from .build import build_report, period
from .lookup import lookup_record
from .record import TlsRptError
from .report import Report, parse_report
from .send import Sent, send_report


@dataclass(frozen=True)
class SendingOrg:
    """A sending organisation: its MTA's policy, its names, and how many
    messages a day it sends to the domain."""

    name: str
    domain: str
    policy: str  # a Sender policy: opportunistic | mta-sts | dane | auto
    messages: int = 2


SENDERS = (
    SendingOrg("Bulk Mail Co", "bulkmail.example", "opportunistic", 2),
    SendingOrg("Big Provider", "bigprovider.example", "mta-sts", 4),
    SendingOrg("Careful Relay", "careful.example", "dane", 2),
)


@dataclass(frozen=True)
class Day:
    """What happened on one simulated day."""

    day: date
    condition: str  # normal | STARTTLS stripped | certificate expired
    delivered: tuple[tuple[str, int, int], ...]  # (organisation, delivered, sent)
    reports: tuple[tuple[str, tuple[Sent, ...]], ...]  # (organisation, where it went)

    def __str__(self) -> str:
        sent = ", ".join(f"{org} {ok}/{n}" for org, ok, n in self.delivered)
        mailed = sum(s.delivered for _, results in self.reports for s in results)
        return f"{self.day.isoformat()}  {self.condition:<19}  delivered: {sent}; " \
               f"reports mailed: {mailed}"


@dataclass(frozen=True, repr=False)
class Week:
    domain: str
    days: tuple[Day, ...]

    def __repr__(self) -> str:
        return f"<Week of mail to {self.domain}: {len(self.days)} days>"

    def __str__(self) -> str:
        return "\n".join([f"a week of mail to {self.domain}"] + [f"  {d}" for d in self.days])

    def _repr_html_(self) -> str:
        return "<pre>" + html.escape(str(self)) + "</pre>"


def simulate_week(lab, *, domain: str = "sts-testing.example", first_day: date = date(2026, 6, 1),
                  days: int = 7, strip_days: Iterable[int] = (2, 3),
                  expired_days: Iterable[int] = (5,), senders: tuple[SendingOrg, ...] = SENDERS
                  ) -> Week:
    """Run the week in the lab (day numbers count from 0: the attacker strips
    STARTTLS on ``strip_days``, the MX certificate is expired on
    ``expired_days``) and mail each sender's daily report.

    Each sender's clock starts at ``first_day`` 09:00 UTC and moves one day per
    day, so MTA-STS caches expire as they would. The mailbox is not cleared:
    the reports join whatever is there.
    """
    strip_days, expired_days = set(strip_days), set(expired_days)
    mx = [h for _, h in mtasts.mx_hosts(domain, lab.net)]
    if not mx:
        raise TlsRptError(f"{domain} has no MX host in the lab", rule="§3")
    record = lookup_record(domain, lab.net)
    start = datetime.combine(first_day, time(9), tzinfo=timezone.utc).timestamp()
    clocks = {s.name: mtasts.ManualClock(start) for s in senders}
    mtas = {s.name: Sender(lab.net, s.policy, clock=clocks[s.name], helo=f"mta.{s.domain}",
                           mail_from=f"news@{s.domain}") for s in senders}
    marks = {s.name: (0, 0) for s in senders}
    log = []
    for n in range(days):
        day = first_day + timedelta(days=n)
        condition = "normal"
        if n in strip_days:
            condition = "STARTTLS stripped"
            for host in mx:
                lab.attack(host, "strip")
        if n in expired_days:
            condition = "certificate expired"
            for host in mx:
                lab.set_certificate(host, "expired")
        delivered = []
        for s in senders:
            ok = 0
            for i in range(s.messages):
                outcome = mtas[s.name].send(
                    f"From: news@{s.domain}\r\nSubject: {s.name} news, {day} #{i + 1}\r\n\r\n"
                    "hello\r\n", f"user{i + 1}@{domain}")
                ok += outcome.delivered
                clocks[s.name].advance(60)
            delivered.append((s.name, ok, s.messages))
        lab.stop_attack()
        for host in mx:
            if n in expired_days:
                lab.set_certificate(host, "valid")
        begin = datetime.combine(day, time(0), tzinfo=timezone.utc)
        reports = []
        for s in senders:
            sessions, failures, marks[s.name] = period(mtas[s.name], marks[s.name])
            entry = mtas[s.name].cache.get(domain)
            report = build_report(sessions, failures, domain=domain, start=begin,
                                  end=begin + timedelta(days=1, seconds=-1),
                                  organization=s.name, contact=f"tlsrpt@{s.domain}",
                                  sending_mta_ip="127.0.0.1",
                                  sts_policy=entry.policy if entry else None)
            reports.append((s.name, send_report(report, record, lab.net, submitter=s.domain)))
        log.append(Day(day, condition, tuple(delivered), tuple(reports)))
        for clock in clocks.values():
            clock.now = start + (n + 1) * 86400
    return Week(domain, tuple(log))


def screen(messages, address: str, net: Network) -> tuple[tuple[object, Verdict], ...]:
    """Each message mailed to ``address`` among ``messages``, with the verdict
    of its DKIM check (RFC 8460 §3: a valid signature by the reporting domain,
    or the report is ignored), oldest first."""
    address = address.lower()
    items = getattr(messages, "messages", messages)
    return tuple((m, dkim.verify(m.data, net)) for m in items
                 if address in (r.lower() for r in m.rcpt_tos))


def collect(messages, address: str, *, net: Network, strict: bool = True) -> tuple[Report, ...]:
    """The reports mailed to ``address`` among ``messages`` (a lab
    :class:`~helpers.lab.Mailbox` or any messages with ``rcpt_tos`` and
    ``data``), parsed, oldest first, as a report processor reads them: mail
    without a valid DKIM signature of the reporting domain is ignored (RFC
    8460 §3; :func:`screen` says why), its key looked up on ``net``.
    ``strict=False`` also skips signed mail that is not a valid report instead
    of raising its :class:`TlsRptError`."""
    out = []
    for m, verdict in screen(messages, address, net):
        if not verdict.ok:
            continue
        try:
            out.append(parse_report(m.data))
        except TlsRptError:
            if strict:
                raise
    return tuple(out)
