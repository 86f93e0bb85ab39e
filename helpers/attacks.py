"""The attacks of notebook 02, and the attack × sender-policy matrix.

Each attack is set up in a running lab against every MX host of a domain, and
knows how to tell whether the attacker got to read a given secret:

- ``strip``, ``refuse`` (454), ``substitute``: an on-path attacker (see
  :mod:`helpers.lab.attackers`) on the path to each MX;
- ``spoof MX``: forged MX records pointing at ``mx.attacker.example``, the
  attacker's own server with a valid certificate for its own name (in a
  DNSSEC-signed zone the forgery is bogus for validating senders);
- ``first contact``: the policy host is blocked while the sender has no cached
  policy, and STARTTLS is stripped. It needs a policy host: for a domain
  without one (e.g. ``dane-only.example``) the cell says "not applicable".
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from .sender import BOUNCED, CLEAR, DEFERRED, POLICIES, UNVERIFIED, VERIFIED, Sender

ROGUE_MX = "mx.attacker.example"
NOT_APPLICABLE = "not applicable"
ATTACKS = ("none", "strip", "refuse", "substitute", "spoof MX", "first contact")
SECRET = "The launch code is 0000."
MESSAGE = ("From: alice@sender.example\r\nTo: bob@example.com\r\nSubject: confidential\r\n"
           f"\r\n{SECRET}\r\n")


def set_up(lab, attack: str, domain: str = "example.com"):
    """Start ``attack`` on ``domain``'s MX hosts; return a function telling
    whether the attacker read a given text, or None if the attack does not apply
    to ``domain`` (``first contact`` without a policy host)."""
    lab.reset()
    if attack == "first contact" and lab.scenario(domain).policy is None:
        return None
    hosts = [mx.host for mx in lab.scenario(domain).mx]
    if attack == "none":
        return lambda text: False
    if attack in ("strip", "refuse", "substitute", "first contact"):
        kind = "strip" if attack == "first contact" else attack
        attackers = [lab.attack(h, kind) for h in hosts]
        if attack == "first contact":
            lab.set_policy_answer(domain, status=503)
        return lambda text: any(a.saw(text) for a in attackers)
    if attack == "spoof MX":
        lab.forge_records(domain, domain, "MX", [f"10 {ROGUE_MX}."])
        return lambda text: any(text.encode() in m.data for m in lab.mailbox.for_host(ROGUE_MX))
    raise ValueError(f"unknown attack {attack!r}; the attacks are {', '.join(ATTACKS)}")


@dataclass(frozen=True)
class Cell:
    attack: str
    policy: str
    status: str
    attacker_read: bool
    queued: int
    reason: str

    @property
    def words(self) -> str:
        short = {VERIFIED: "delivered, verified TLS", UNVERIFIED: "delivered, unverified TLS",
                 CLEAR: "delivered in the clear", DEFERRED: "deferred, still queued",
                 BOUNCED: "bounced, returned to the sender", NOT_APPLICABLE: "not applicable"}[self.status]
        return short + ("; ATTACKER READ IT" if self.attacker_read else "")


@dataclass(frozen=True)
class Matrix:
    domain: str
    cells: tuple[Cell, ...]

    def cell(self, attack: str, policy: str) -> Cell:
        return next(c for c in self.cells if c.attack == attack and c.policy == policy)

    @property
    def attacks(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.attack for c in self.cells))

    @property
    def policies(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.policy for c in self.cells))

    def __str__(self) -> str:
        width = max(len(c.words) for c in self.cells) + 2
        lines = [f"{'attack':<15}" + "".join(f"{p:<{width}}" for p in self.policies)]
        for attack in self.attacks:
            lines.append(f"{attack:<15}" + "".join(f"{self.cell(attack, p).words:<{width}}"
                                                   for p in self.policies))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        colour = {VERIFIED: "#d3f9d8", UNVERIFIED: "#fff3bf", CLEAR: "#ffc9c9",
                  DEFERRED: "#d0ebff", BOUNCED: "#e5dbff", NOT_APPLICABLE: "#f1f3f5"}
        head = "".join(f"<th>{html.escape(p)}</th>" for p in self.policies)
        rows = ""
        for attack in self.attacks:
            cells = "".join(
                f'<td style="background:{colour[self.cell(attack, p).status]}">'
                f"{html.escape(self.cell(attack, p).words)}</td>" for p in self.policies)
            rows += f"<tr><th>{html.escape(attack)}</th>{cells}</tr>"
        return (f"<p>Mail to <code>{html.escape(self.domain)}</code>, by sender policy "
                f"(columns) and attack (rows)</p><table><tr><th></th>{head}</tr>{rows}</table>")


def run_matrix(lab, domain: str = "example.com", policies=POLICIES, attacks=ATTACKS) -> Matrix:
    """Send the secret message once per (attack, policy), each with a fresh
    sender (no cached policy), and record what happened."""
    cells = []
    for attack in attacks:
        for policy in policies:
            read = set_up(lab, attack, domain)
            if read is None:
                cells.append(Cell(attack, policy, NOT_APPLICABLE, False, 0,
                                  f"{domain} publishes no MTA-STS policy host, so there "
                                  "is no policy fetch to block"))
                continue
            sender = Sender(lab.net, policy)
            outcome = sender.send(MESSAGE, f"bob@{domain}")
            cells.append(Cell(attack, policy, outcome.status, read(SECRET), len(sender.queue),
                              outcome.reason))
    lab.reset()
    return Matrix(domain, tuple(cells))


@dataclass(frozen=True)
class SideBySide:
    """What the sender sent and received, beside what the attacker saw."""

    sender_lines: tuple[str, ...]
    attacker_lines: tuple[str, ...]
    title: str = ""

    def __str__(self) -> str:
        width = max([len(s) for s in self.sender_lines] + [20]) + 2
        rows = [f"{'the sender (its transcript)':<{width}}| the attacker (what it saw)",
                "-" * width + "+" + "-" * 40]
        for i in range(max(len(self.sender_lines), len(self.attacker_lines))):
            left = self.sender_lines[i] if i < len(self.sender_lines) else ""
            right = self.attacker_lines[i] if i < len(self.attacker_lines) else ""
            rows.append(f"{left:<{width}}| {right}")
        return "\n".join(([self.title] if self.title else []) + rows)

    def _repr_html_(self) -> str:
        def column(lines):
            return html.escape("\n".join(lines))
        # JupyterLab breaks <pre> text anywhere ("delive/red"): wrap at spaces.
        pre = '<pre style="white-space:pre-wrap;word-break:normal;overflow-wrap:break-word">'
        th = '<th style="text-align:left">'
        return (f"<p>{html.escape(self.title)}</p><table><tr>{th}the sender (its transcript)</th>"
                f"{th}the attacker (what it saw)</th></tr><tr>"
                f'<td style="text-align:left;vertical-align:top">{pre}{column(self.sender_lines)}</pre></td>'
                f'<td style="text-align:left;vertical-align:top">{pre}{column(self.attacker_lines)}</pre></td>'
                "</tr></table>")


def side_by_side(outcome, attackers, title: str = "") -> SideBySide:
    """The first attempt's transcript beside the log of the attacker on that path."""
    attempt = outcome.attempts[0]
    sender = []
    if attempt.transcript is not None:
        for i, line in enumerate(attempt.transcript.lines):
            if i == attempt.transcript.tls_starts_at:
                sender.append("=== TLS handshake ===")
            who = "C:" if line.sender == "client" else "S:"
            sender.append(f"{'[TLS] ' if line.encrypted else ''}{who} {line.text}")
    attacker = next((a for a in attackers if a.host == attempt.mx), None)
    seen = [] if attacker is None else str(attacker).splitlines()[1:]
    return SideBySide(tuple(sender), tuple(s.strip() for s in seen), title)
