"""Many reports at once: what a domain owner reads from a week of TLS-RPT mail
(RFC 8460 §4). Pure logic; :mod:`helpers.figures.reports` draws it.

Each report counts for the UTC day its period starts on. Counts are summed
across reports, so two senders' reports for the same day add up.
"""

from __future__ import annotations

import html
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from .report import Report


@dataclass(frozen=True)
class Row:
    """One count from one report: successful sessions (``result_type`` is
    ``"successful"``) or one failure detail."""

    day: date
    organization: str
    policy_type: str
    domain: str
    mx: str
    result_type: str
    count: int


@dataclass(frozen=True, repr=False)
class Aggregate:
    """Rows from many reports, and the views a domain owner needs."""

    rows: tuple[Row, ...]
    failed_by_day: tuple[tuple[date, int], ...]  # summary counts, per day
    reports: int

    def __repr__(self) -> str:
        return (f"<Aggregate of {self.reports} reports: {self.successful()} successful, "
                f"{self.failed()} failed sessions over {len(self.days)} days>")

    @property
    def days(self) -> tuple[date, ...]:
        return tuple(sorted({r.day for r in self.rows} | {d for d, _ in self.failed_by_day}))

    def successful(self, day: date | None = None) -> int:
        return sum(r.count for r in self.rows
                   if r.result_type == "successful" and (day is None or r.day == day))

    def failed(self, day: date | None = None) -> int:
        return sum(n for d, n in self.failed_by_day if day is None or d == day)

    def failure_rate(self, day: date | None = None) -> float:
        total = self.successful(day) + self.failed(day)
        return self.failed(day) / total if total else 0.0

    def per_result_type(self) -> dict[str, dict[date, int]]:
        """Result type -> day -> failed sessions (from the failure details)."""
        out: dict[str, dict[date, int]] = defaultdict(lambda: dict.fromkeys(self.days, 0))
        for r in self.rows:
            if r.result_type != "successful":
                out[r.result_type][r.day] += r.count
        return dict(sorted(out.items()))

    def per_organization(self) -> dict[str, tuple[int, int]]:
        """Sending organisation -> (successful, failed) sessions."""
        out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for r in self.rows:
            out[r.organization][r.result_type != "successful"] += r.count
        return {k: tuple(v) for k, v in sorted(out.items())}

    def per_mx(self) -> dict[str, Counter]:
        """Receiving MX host -> result type -> failed sessions."""
        out: dict[str, Counter] = defaultdict(Counter)
        for r in self.rows:
            if r.result_type != "successful":
                out[r.mx or "(no MX: the policy itself)"][r.result_type] += r.count
        return dict(sorted(out.items()))

    def worst_day(self, result_type: str | None = None) -> date | None:
        """The day with the most failures (of ``result_type``, if given)."""
        counts = (self.per_result_type().get(result_type, {}) if result_type
                  else {d: self.failed(d) for d in self.days})
        if not counts or max(counts.values()) == 0:
            return None
        return max(sorted(counts), key=lambda d: counts[d])

    def __str__(self) -> str:
        types = list(self.per_result_type())
        head = f"{'day':<10}  {'successful':>10}  {'failed':>6}  " + "  ".join(types)
        lines = [f"{self.reports} reports", head]
        per_type = self.per_result_type()
        for d in self.days:
            cells = "  ".join(f"{per_type[t][d]:>{len(t)}}" for t in types)
            lines.append(f"{d.isoformat():<10}  {self.successful(d):>10}  {self.failed(d):>6}  "
                         f"{cells}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        per_type = self.per_result_type()
        head = "".join(f"<th>{html.escape(t)}</th>" for t in per_type)
        rows = "".join(
            f"<tr><td>{d.isoformat()}</td><td>{self.successful(d)}</td><td>{self.failed(d)}</td>"
            + "".join(f"<td>{per_type[t][d]}</td>" for t in per_type) + "</tr>"
            for d in self.days)
        return (f"<p>{self.reports} reports</p><table><tr><th>day</th><th>successful</th>"
                f"<th>failed</th>{head}</tr>{rows}</table>")


def aggregate(reports: Iterable[Report]) -> Aggregate:
    """Flatten ``reports`` into rows (per day, organisation, policy, MX, result)."""
    rows, failed, n = [], Counter(), 0
    for report in reports:
        n += 1
        day = report.start.date()
        for p in report.policies:
            failed[day] += p.failed
            if p.successful:
                rows.append(Row(day, report.organization, p.policy_type, p.domain, "",
                                "successful", p.successful))
            for f in p.failures:
                rows.append(Row(day, report.organization, p.policy_type, p.domain,
                                f.receiving_mx_hostname or "", f.result_type, f.count))
    return Aggregate(tuple(rows), tuple(sorted(failed.items())), n)
