"""Notebook 03: an MX-pattern playground (RFC 8461 §4.1).

Type a policy ``mx`` pattern and an MX host name; see whether the host matches
and which rule of §4.1 decided it. The verdict itself always comes from
:func:`helpers.mtasts.mx_matches`, the function the sender uses; this module
only explains it.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import ipywidgets as w

from ..mtasts import MtaStsError, mx_matches, parse_policy
from ._common import CourseWidget


# Text colours with WCAG AA contrast (4.5:1) on white; the verdict is also in words.
MATCH_COLOUR, NO_MATCH_COLOUR, WARNING_COLOUR = "#2b7a3b", "#b02525", "#994a00"


@dataclass(frozen=True)
class Match:
    pattern: str
    host: str
    matched: bool
    rule: str
    warning: str = ""  # the pattern would not be accepted in a policy file

    def __str__(self) -> str:
        verdict = "MATCHES" if self.matched else "does not match"
        out = f"{self.host!r} {verdict} {self.pattern!r}: {self.rule}"
        return out + (f"\n  warning: {self.warning}" if self.warning else "")

    def _repr_html_(self) -> str:
        colour = MATCH_COLOUR if self.matched else NO_MATCH_COLOUR
        verdict = "matches" if self.matched else "does not match"
        warn = (f'<br><span style="color:{WARNING_COLOUR}">warning: '
                f"{html.escape(self.warning)}</span>"
                if self.warning else "")
        # overflow-wrap: a long unbroken name wraps instead of being clipped.
        return (f'<div style="overflow-wrap:anywhere"><code>{html.escape(self.host)}</code> '
                f'<b style="color:{colour}">{verdict}</b> <code>{html.escape(self.pattern)}'
                f"</code><br>{html.escape(self.rule)}{warn}</div>")


def _pattern_warning(pattern: str) -> str:
    """Why a policy file with this ``mx`` line would be refused (§3.2), or ''."""
    if not pattern.strip() or any(c in pattern for c in "\r\n"):
        return "an mx value must be a single non-empty line (RFC 8461 §3.2)"
    try:
        parse_policy(f"version: STSv1\nmode: enforce\nmx: {pattern}\nmax_age: 86400\n")
    except MtaStsError as e:
        return str(e)
    return ""


_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)\Z")


def _host_problem(host: str) -> str:
    """Why ``host`` (folded, no trailing dot) is not a host name an MX record
    can name, or '': letters, digits and hyphens in labels of 1-63 octets,
    253 at most in all (RFC 1035 §2.3.1, §2.3.4; RFC 1123 §2.1)."""
    if len(host) > 253:
        return f"a host name has at most 253 characters, this one {len(host)} (RFC 1035 §2.3.4)"
    for label in host.split("."):
        if not _LABEL.match(label):
            shown = label if len(label) <= 20 else label[:20] + "..."
            return (f"{shown!r} is not a host-name label: letters, digits and hyphens, "
                    "1-63 of them, not starting or ending with a hyphen (RFC 1035 §2.3.1, "
                    "RFC 1123 §2.1)")
    return ""


def explain(pattern: str, host: str) -> Match:
    """Whether ``host`` matches ``pattern`` (by :func:`mx_matches`), and the
    §4.1 rule that decided it. Spaces around either are dropped first, as the
    policy parser drops them around an ``mx`` value; a host that is no host
    name (emoji, a 64-octet label, 3,000 characters) matches nothing."""
    pattern, host = pattern.strip(" \t"), host.strip(" \t")
    p, h = pattern.rstrip(".").lower(), host.rstrip(".").lower()
    problem = _host_problem(h) if h else ""
    matched = mx_matches(pattern, host) and not problem
    normalised = (p, h) != (pattern, host)
    fold = (" (after folding case and dropping a trailing dot: names are compared "
            "case-insensitively, §4.1)") if normalised else ""
    if problem:
        rule = f"not a host name, so no match: {problem}"
    elif not p or not h:
        rule = "an empty name matches nothing"
    elif p.startswith("*."):
        base = p[2:]
        label, _, rest = h.partition(".")
        if matched:
            rule = (f"'*.' stands for exactly one leftmost label: {label!r} + {base!r}"
                    f"{fold or ' (§4.1)'}")
        elif h == base:
            rule = (f"'*.{base}' needs one label in front of {base!r}; the bare domain is "
                    "not covered: list it as a pattern of its own (§4.1)")
        elif h.endswith("." + base):
            extra = h[: -len(base) - 1].count(".") + 1
            rule = (f"'*.' covers exactly one label, and {h!r} has {extra} labels in front "
                    f"of {base!r} (§4.1)")
        elif label == "*":
            rule = "a host name is not a pattern: a literal '*' label matches nothing (§4.1)"
        else:
            rule = (f"after the first label the host is {rest!r}, not {base!r}: whole names "
                    "are compared, never a prefix or suffix (§4.1)")
    elif matched:
        rule = f"the names are identical{fold or ' (§4.1)'}"
    elif h.endswith("." + p) or p.endswith("." + h) or h.startswith(p) or p.startswith(h):
        rule = ("the names only share a prefix or suffix: §4.1 compares whole names, "
                "so this is not a match")
    else:
        rule = "the names differ (§4.1 compares whole names)"
    return Match(pattern, host, matched, rule, _pattern_warning(pattern))


class MxPlayground(CourseWidget):
    """Handles: ``pattern``, ``host`` (text boxes), ``result`` (HTML);
    ``match``: the current :class:`Match`."""

    def __init__(self, pattern: str = "*.example.com", host: str = "mail.example.com"):
        self.pattern = w.Text(value=pattern, description="mx pattern",
                              continuous_update=True)
        self.host = w.Text(value=host, description="MX host", continuous_update=True)
        self.result = w.HTML()
        for box in (self.pattern, self.host):
            box.observe(lambda _: self._show(), names="value")
        self.root = w.VBox([
            w.HTML("<b>MX-pattern playground</b> (RFC 8461 §4.1): type a policy "
                   "<code>mx</code> pattern and an MX host name."),
            self.pattern, self.host, self.result])
        self._show()

    @property
    def match(self) -> Match:
        return explain(self.pattern.value, self.host.value)

    def _show(self) -> None:
        self.result.value = self.match._repr_html_()

    def __str__(self) -> str:
        return "MX-pattern playground (RFC 8461 §4.1)\n" + str(self.match)

    def _repr_html_(self) -> str:
        return ("<p><b>MX-pattern playground</b> (in JupyterLab: type a pattern and a host)"
                "</p>" + self.match._repr_html_())


def mx_playground(pattern: str = "*.example.com",
                  host: str = "mail.example.com") -> MxPlayground:
    """The playground, starting with ``pattern`` and ``host``."""
    return MxPlayground(pattern, host)
