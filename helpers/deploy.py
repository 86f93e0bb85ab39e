"""Try a design deployed in the lab: one message from each enforcing sender.

``try_senders(lab, domain)`` sends one message to ``bob@<domain>`` with a fresh
``auto``, ``dane`` and ``mta-sts`` :class:`~helpers.sender.Sender` each and
returns a :class:`Deliveries`: per sender the outcome, the rule applied to
the first MX, and the TLS-RPT result types it recorded (RFC 8460 §4.3).
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from .sender import Sender

MODES = ("auto", "dane", "mta-sts")


@dataclass(frozen=True)
class Delivery:
    mode: str
    status: str
    rule: str
    failures: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Deliveries:
    domain: str
    rows: tuple[Delivery, ...]

    def __getitem__(self, mode: str) -> Delivery:
        return next(r for r in self.rows if r.mode == mode)

    def __str__(self) -> str:
        lines = [f"mail to bob@{self.domain}", f"{'sender':<9}{'outcome':<31}{'rule (1st MX)':<24}"
                 "TLS-RPT result types"]
        lines += [f"{r.mode:<9}{r.status:<31}{r.rule:<24}{', '.join(r.failures) or '-'}"
                  for r in self.rows]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        e = html.escape
        rows = "".join(f"<tr><td>{e(r.mode)}</td><td>{e(r.status)}</td><td>{e(r.rule)}</td>"
                       f"<td>{e(', '.join(r.failures) or '-')}</td>"
                       f'<td style="text-align:left">{e(r.reason)}</td></tr>' for r in self.rows)
        return (f"<p>Mail to <code>bob@{e(self.domain)}</code></p><table><tr><th>sender</th>"
                "<th>outcome</th><th>rule (1st MX)</th><th>TLS-RPT result types</th>"
                f"<th>why</th></tr>{rows}</table>")


def try_senders(lab, domain: str, modes=MODES) -> Deliveries:
    """One real delivery per sender mode to ``bob@<domain>`` in ``lab``."""
    rows = []
    for mode in modes:
        sender = Sender(lab.net, mode)
        outcome = sender.send(f"Subject: trying {mode}\r\n\r\nhello\r\n", f"bob@{domain}")
        rule = outcome.attempts[0].rule if outcome.attempts else "-"
        rows.append(Delivery(mode, outcome.status, rule,
                             tuple(f.result_type for f in outcome.failures), outcome.reason))
    return Deliveries(domain, tuple(rows))
