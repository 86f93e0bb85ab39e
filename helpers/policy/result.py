"""The result of a walk through the sender's tree: :class:`Trace`, :class:`Step`, :class:`Rule`.

Immutable, with text and escaped HTML forms. A :class:`Rule` carries what the
sender does at connection time (RFC 7672 §2.2, §3; RFC 8461 §4-5) and the
TLS-RPT policy type it reports under (RFC 8460 §4.1); a :class:`Trace` the
TLS-RPT failure details known before any connection (RFC 8460 §4.3).
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from .. import dane, mtasts
from .tree import TREE


# -- results -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Step:
    """One question asked, the branch taken, and what the lookup found."""

    node: str
    question: str
    answer: str
    found: str
    rfc: str

    def __str__(self) -> str:
        return f"{self.question} -> {self.answer}: {self.found} ({self.rfc})"


@dataclass(frozen=True)
class Rule:
    """The leaf an MX ends at: what the sender does, and for the sender the
    policy or TLSA records it enforces."""

    node: str
    name: str
    kind: str
    does: str
    on_failure: str
    rfc: str
    accepts: tuple[str, ...] = ()
    sts: mtasts.Policy | None = None
    tlsa: dane.TlsaLookup | None = None
    skip_reason: str = ""
    skip_failure: str | None = None

    @property
    def policy_type(self) -> str:
        """The TLS-RPT policy type (RFC 8460 §4.1) reported under this rule."""
        if self.kind == "sts":
            return "sts"
        if self.kind == "dane" or self.node == "skip-dnssec":
            return "tlsa"
        return "no-policy-found"

    def __str__(self) -> str:
        return f"{self.name}: {self.does} ({self.rfc}); on failure: {self.on_failure}"


@dataclass(frozen=True)
class MxPath:
    host: str
    preference: int
    steps: tuple[Step, ...]
    rule: Rule


@dataclass(frozen=True)
class Trace:
    """The path of one domain through :data:`TREE` (see the module docstring)."""

    domain: str
    mode: str
    steps: tuple[Step, ...]
    mx: tuple[MxPath, ...]
    outcome: str | None = None
    why: str = ""
    reports: tuple[tuple[str, str, str, str, str], ...] = ()

    @property
    def hosts(self) -> tuple[str, ...]:
        return tuple(m.host for m in self.mx)

    @property
    def rules(self) -> dict[str, Rule]:
        return {m.host: m.rule for m in self.mx}

    def rule(self, host: str) -> Rule:
        return self.rules[host.rstrip(".").lower()]

    def path(self, host: str | None = None) -> tuple[str, ...]:
        """Node ids visited: for one MX host, or (default) for all, in order."""
        nodes = [s.node for s in self.steps]
        if self.outcome:
            nodes.append(self.outcome)
        for m in self.mx:
            if host is None or m.host == host.rstrip(".").lower():
                nodes += [s.node for s in m.steps] + [m.rule.node]
        return tuple(dict.fromkeys(nodes))

    def edges(self, host: str | None = None) -> frozenset[tuple[str, str]]:
        """The tree's edges the path took (``(from, to)`` node ids), for the figure."""
        walks = []
        if self.outcome:
            walks.append([s.node for s in self.steps] + [self.outcome])
        for m in self.mx:
            if host is None or m.host == host.rstrip(".").lower():
                walks.append([s.node for s in self.steps + m.steps] + [m.rule.node])
        return frozenset((a, b) for walk in walks for a, b in zip(walk, walk[1:]))

    @property
    def summary(self) -> str:
        if self.outcome:
            return f"{TREE[self.outcome].text} ({self.why})"
        names = list(dict.fromkeys(m.rule.name for m in self.mx))
        return "; ".join(f"{n}: {', '.join(m.host for m in self.mx if m.rule.name == n)}"
                         for n in names)

    def __str__(self) -> str:
        lines = [f"{self.domain}, {self.mode} sender: {self.summary}"]
        lines += [f"  ? {s}" for s in self.steps]
        if self.outcome:
            lines.append(f"  => {TREE[self.outcome].text}: {self.why}")
        for m in self.mx:
            lines.append(f"  MX {m.host} (preference {m.preference})")
            lines += [f"    ? {s}" for s in m.steps]
            lines.append(f"    => {m.rule.does} ({m.rule.rfc})")
            lines.append(f"       at connection time: {m.rule.on_failure}")
        lines += [f"  TLS-RPT: {r[0]} ({r[1]} policy, {r[3]}): {r[4]}" for r in self.reports]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        e = html.escape

        def step_rows(steps, indent=""):
            return "".join(
                f'<tr><td style="text-align:left">{indent}{e(s.question)}</td>'
                f'<td style="text-align:left"><b>{e(s.answer)}</b></td>'
                f'<td style="text-align:left">{e(s.found)}</td><td>{e(s.rfc)}</td></tr>'
                for s in steps)

        rows = step_rows(self.steps)
        if self.outcome:
            rows += (f'<tr><td colspan="4" style="text-align:left">&rArr; <b>'
                     f"{e(TREE[self.outcome].text)}</b>: {e(self.why)}</td></tr>")
        for m in self.mx:
            rows += (f'<tr><th colspan="4" style="text-align:left">MX <code>{e(m.host)}</code>'
                     f" (preference {m.preference})</th></tr>")
            rows += step_rows(m.steps, "&nbsp;&nbsp;")
            rows += (f'<tr><td colspan="4" style="text-align:left">&rArr; <b>{e(m.rule.does)}'
                     f"</b> ({e(m.rule.rfc)}); at connection time: {e(m.rule.on_failure)}"
                     "</td></tr>")
        reports = "".join(f"<li><code>{e(r[0])}</code> ({e(r[1])} policy, {e(r[3])}): "
                          f"{e(r[4])}</li>" for r in self.reports)
        return (f"<p><b>{e(self.domain)}</b>, {e(self.mode)} sender: {e(self.summary)}</p>"
                f"<table><tr><th>question</th><th>answer</th><th>found</th><th>RFC</th></tr>"
                f"{rows}</table>"
                + (f"<p>TLS-RPT failure details:</p><ul>{reports}</ul>" if reports else ""))
