"""Untrusted text made safe to show: control characters become visible escapes.

Servers choose the bytes of their banners, replies, certificate names and
policy files. Printed as they are, a CR returns the cursor and lets a later
line overwrite an earlier one, ANSI escape sequences recolour or clear a
terminal, NUL truncates some viewers, and bidirectional overrides (Unicode
UAX #9; the "Trojan Source" trick, CVE-2021-42574) make text read in another
order than it is stored. :func:`visible` shows each such character as an
escape (``\\r``, ``\\x1b``, ``\\u202e``), so what is displayed is what was sent;
HTML output escapes the result again with ``html.escape``.
"""

from __future__ import annotations

import unicodedata

_NAMED = {"\r": "\\r", "\n": "\\n", "\t": "\\t", "\\": "\\\\"}


def _escape(ch: str) -> str:
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 \
        else f"\\U{code:08x}"


def _hidden(ch: str) -> bool:
    # Cc: C0/C1 controls and DEL; Cf: format characters, among them the bidi
    # embeddings, overrides and isolates, and zero-width characters; Zl/Zp:
    # line and paragraph separators; Cs: lone surrogates from bad decoding.
    return unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs")


def visible(text: str, *, keep_tabs: bool = False) -> str:
    """``text`` with every control, format and separator character escaped.

    A backslash is doubled only when something was escaped, so ordinary text
    (including Windows paths and regular expressions) reads unchanged."""
    if not any(_hidden(ch) for ch in text):
        return text
    return "".join(_escape(ch) if _hidden(ch) and not (keep_tabs and ch == "\t")
                   else ("\\\\" if ch == "\\" else ch) for ch in text)
