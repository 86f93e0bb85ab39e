"""What an inspection found: :class:`Check` and :class:`Inspection` (pure data).

Every string in a check may have come from DNS, HTTP or SMTP (record text,
policy lines, banners, certificate names): all of it is attacker-controlled.
``__str__`` shows control, format and bidi characters as escapes (so a record cannot move a
terminal's cursor or colour), ``_repr_html_`` escapes everything.
"""

from __future__ import annotations

import html
import json
from dataclasses import asdict, dataclass, field

from helpers.safetext import visible

OK, INFO, WARN, FAIL, SKIP = "ok", "info", "warn", "fail", "skip"
STATUSES = (OK, INFO, WARN, FAIL, SKIP)
#: Worst first, for summarising several checks in one cell.
SEVERITY = {FAIL: 4, WARN: 3, SKIP: 2, INFO: 1, OK: 0}
FAMILIES = ("MX", "DNSSEC", "DANE", "STARTTLS", "certificate", "MTA-STS", "TLS-RPT", "sender")
# Text colours: each has WCAG AA contrast (4.5:1) on white and on its own
# background below (tests/test_widget_contrast.py computes it).
COLOURS = {OK: "#2b7a3b", INFO: "#1864ab", WARN: "#994a00", FAIL: "#b02525", SKIP: "#5c636a"}
BACKGROUNDS = {OK: "#d3f9d8", INFO: "#d0ebff", WARN: "#ffe8cc", FAIL: "#ffe3e3", SKIP: "#f1f3f5"}
MARKS = {OK: "ok  ", INFO: "info", WARN: "WARN", FAIL: "FAIL", SKIP: "skip"}

def printable(text: str) -> str:
    """``text`` with control, format and separator characters (other than tab
    and newline) shown as escapes (:func:`helpers.safetext.visible`): what a
    DNS record or banner says, made safe for a terminal."""
    return "\n".join(visible(line, keep_tabs=True) for line in str(text).split("\n"))


def escape(text: str) -> str:
    """HTML-escaped and printable: for anything that came from the network."""
    return html.escape(printable(text), quote=True)


@dataclass(frozen=True)
class Check:
    """One finding: ``id`` (e.g. ``starttls:mx1.example.com``), its family (a
    column of the summary table), ``status`` (ok, info, warn, fail, skip), a
    short title, the detail in plain words, the RFC section, a fix where there
    is one, the equivalent terminal command, and ``evidence``: what the
    network said (record text, policy lines, banner), verbatim."""

    id: str
    family: str
    status: str
    title: str
    detail: str = ""
    rfc: str = ""
    fix: str = ""
    command: str = ""
    evidence: tuple[str, ...] = ()

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}, not {self.status!r}")
        if self.family not in FAMILIES:
            raise ValueError(f"family must be one of {', '.join(FAMILIES)}, not {self.family!r}")
        object.__setattr__(self, "evidence", tuple(self.evidence))

    def __repr__(self) -> str:
        return f"<Check {self.id}: {self.status}: {printable(self.title)}>"

    @property
    def flagged(self) -> bool:
        """A problem (warn or fail), as opposed to ok, info or skip."""
        return self.status in (WARN, FAIL)

    def __str__(self) -> str:
        lines = [f"[{MARKS[self.status]}] {self.id}: {self.title}"]
        if self.detail:
            lines.append(f"       {self.detail}")
        lines += [f"       | {e}" for e in self.evidence]
        if self.fix:
            lines.append(f"       fix: {self.fix}")
        if self.rfc:
            lines.append(f"       see: {self.rfc}")
        if self.command:
            lines.append(f"       $ {self.command}")
        return printable("\n".join(lines))

    def _repr_html_(self) -> str:
        return f"<table>{self.html_row()}</table>"

    def html_row(self) -> str:
        colour = COLOURS[self.status]
        parts = [f"<b>{escape(self.title)}</b>"]
        if self.detail:
            parts.append(f"<br>{escape(self.detail)}")
        if self.evidence:
            parts.append("<pre style=\"margin:2px 0\">"
                         + "\n".join(escape(e) for e in self.evidence) + "</pre>")
        if self.fix:
            parts.append(f"<br><i>fix:</i> {escape(self.fix)}")
        if self.command:
            parts.append(f"<br><code>$ {escape(self.command)}</code>")
        return (f'<tr><td style="background:{BACKGROUNDS[self.status]};color:{colour};'
                f'font-weight:bold">{escape(self.status)}</td>'
                f'<td style="text-align:left"><code>{escape(self.id)}</code></td>'
                f'<td style="text-align:left">{"".join(parts)}</td>'
                f'<td style="text-align:left">{escape(self.rfc)}</td></tr>')


def worst(statuses) -> str | None:
    statuses = list(statuses)
    return max(statuses, key=SEVERITY.__getitem__) if statuses else None


@dataclass(frozen=True)
class Inspection:
    """Everything found about one domain on one network (``lab`` or ``live``).

    ``error`` says why the inspection could not run (not a domain name, DNS did
    not answer); then ``checks`` holds what could be found. ``sts_id`` and
    ``sts_policy`` keep what MTA-STS published, so that a later inspection can
    tell a policy that changed without a new id (pass ``previous=``).
    """

    domain: str
    network: str
    checks: tuple[Check, ...] = ()
    error: str | None = None
    sts_id: str | None = None
    sts_policy: str | None = None
    elapsed_ms: float = field(default=0.0, compare=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "checks", tuple(self.checks))

    # -- reading -------------------------------------------------------------------

    @property
    def ok(self) -> bool:
        """No check failed and the inspection ran."""
        return self.error is None and not any(c.status == FAIL for c in self.checks)

    @property
    def complete(self) -> bool:
        """Every check could be made here (none is ``skip``) and the inspection ran."""
        return self.error is None and not any(c.status == SKIP for c in self.checks)

    @property
    def flagged(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.flagged)

    def check(self, check_id: str) -> Check:
        for c in self.checks:
            if c.id == check_id:
                return c
        raise KeyError(f"no check {check_id!r}; this inspection has: "
                       f"{', '.join(c.id for c in self.checks)}")

    def family(self, name: str) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.family == name)

    def summary(self) -> dict[str, str | None]:
        """Per family, the worst status of its checks (None: no check)."""
        return {f: worst(c.status for c in self.family(f)) for f in FAMILIES}

    @property
    def verdict(self) -> str:
        if self.error:
            return f"could not inspect: {self.error}"
        fails = sum(c.status == FAIL for c in self.checks)
        warns = sum(c.status == WARN for c in self.checks)
        skips = sum(c.status == SKIP for c in self.checks)
        if not fails and not warns and not skips:
            return f"{len(self.checks)} checks, nothing to fix"
        # A check that could not run is not a pass: say how many, so that a blocked
        # port 25 or a broken resolver never reads as a clean bill of health.
        return (f"{len(self.checks)} checks: {fails} failed, {warns} to improve"
                + (f", {skips} not checked here" if skips else ""))

    # -- showing ---------------------------------------------------------------------

    def __repr__(self) -> str:
        return f"<Inspection of {printable(self.domain)} ({self.network}): {printable(self.verdict)}>"

    def __str__(self) -> str:
        head = f"{self.domain} ({self.network}): {self.verdict}"
        return printable("\n".join([head, *(str(c) for c in self.checks)]))

    def _repr_html_(self) -> str:
        rows = "".join(c.html_row() for c in self.checks)
        error = (f'<p style="color:{COLOURS[FAIL]}"><b>{escape(self.error)}</b></p>'
                 if self.error else "")
        return (f"<p><b>{escape(self.domain)}</b> ({escape(self.network)}): "
                f"{escape(self.verdict)}</p>{error}"
                + (f"<table><tr><th>status</th><th>check</th><th>finding</th><th>RFC</th></tr>"
                   f"{rows}</table>" if rows else ""))

    # -- saving ------------------------------------------------------------------------

    def to_json(self) -> str:
        """JSON text, for showing a saved inspection where the network is blocked."""
        data = asdict(self)
        data["format"] = "smtp-tls-course/inspection/1"
        return json.dumps(data, indent=1, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | bytes) -> "Inspection":
        """The inspection ``to_json`` wrote; ValueError saying what is wrong otherwise."""
        try:
            data = json.loads(text)
            if data.pop("format", None) != "smtp-tls-course/inspection/1":
                raise ValueError("not an inspection saved by to_json()")
            data["checks"] = tuple(Check(**c) for c in data["checks"])
            return cls(**data)
        except (TypeError, KeyError, AttributeError, json.JSONDecodeError) as e:
            raise ValueError(f"not a saved inspection: {e}") from None


@dataclass(frozen=True)
class Table:
    """Several inspections as one table: a row per domain, a column per family,
    each cell the worst status of that family's checks."""

    inspections: tuple[Inspection, ...]

    def __repr__(self) -> str:
        return f"<Table of {len(self.inspections)} inspections>"

    def __str__(self) -> str:
        width = max([len(i.domain) for i in self.inspections] + [6])
        head = f"{'domain':<{width}}  " + " ".join(f"{f[:11]:<11}" for f in FAMILIES)
        lines = [head]
        for i in self.inspections:
            if i.error:
                lines.append(f"{i.domain:<{width}}  {i.error}")
                continue
            cells = i.summary()
            lines.append(f"{i.domain:<{width}}  "
                         + " ".join(f"{cells[f] or '-':<11}" for f in FAMILIES))
        return printable("\n".join(lines))

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{escape(f)}</th>" for f in FAMILIES)
        rows = []
        for i in self.inspections:
            if i.error:
                rows.append(f'<tr><td style="text-align:left"><code>{escape(i.domain)}</code></td>'
                            f'<td colspan="{len(FAMILIES)}">{escape(i.error)}</td></tr>')
                continue
            cells = []
            for f, status in i.summary().items():
                titles = "; ".join(f"{c.id}: {c.title}" for c in i.family(f) if c.flagged)
                style = (f"background:{BACKGROUNDS[status]};color:{COLOURS[status]}"
                         if status else "")
                cells.append(f'<td style="{style}" title="{escape(titles)}">'
                             f"{escape(status or '-')}</td>")
            rows.append(f'<tr><td style="text-align:left"><code>{escape(i.domain)}</code></td>'
                        f"{''.join(cells)}</tr>")
        return f"<table><tr><th>domain</th>{head}</tr>{''.join(rows)}</table>"
