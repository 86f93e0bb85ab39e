"""A small table for notebook output: HTML (escaped) in JupyterLab, text wrapped
at word boundaries elsewhere, headers aligned with their columns.

Plain ``print`` output wraps long lines anywhere in JupyterLab ("delive/red");
a table keeps words whole and columns readable on a projector.
"""

from __future__ import annotations

import html
import textwrap
from dataclasses import dataclass


@dataclass(frozen=True)
class Table:
    """Rows of text under a header; every cell is shown as literal text."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    title: str = ""
    width: int = 100  # characters, for the text form

    def __post_init__(self):
        object.__setattr__(self, "header", tuple(str(h) for h in self.header))
        object.__setattr__(self, "rows", tuple(tuple(str(c) for c in r) for r in self.rows))

    def __str__(self) -> str:
        columns = list(zip(self.header, *self.rows))
        widths = [max(len(c) for c in col) for col in columns[:-1]]
        last = max(20, self.width - sum(w + 2 for w in widths))
        lines = [self.title] if self.title else []
        for row in (self.header, *self.rows):
            wrapped = textwrap.wrap(row[-1], last, break_on_hyphens=False) or [""]
            lead = "  ".join(f"{c:<{w}}" for c, w in zip(row[:-1], widths))
            pad = " " * len(lead)
            lines += [(lead if i == 0 else pad) + ("  " if lead else "") + part
                      for i, part in enumerate(wrapped)]
        return "\n".join(line.rstrip() for line in lines)

    def _repr_html_(self) -> str:
        cell = 'style="text-align:left;vertical-align:top;white-space:normal;word-break:normal"'
        head = "".join(f"<th {cell}>{html.escape(h)}</th>" for h in self.header)
        body = "".join("<tr>" + "".join(f"<td {cell}>{html.escape(c)}</td>" for c in row)
                       + "</tr>" for row in self.rows)
        title = f"<p>{html.escape(self.title)}</p>" if self.title else ""
        return f"{title}<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
