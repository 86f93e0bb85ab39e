"""What the MTA-STS and TLS-RPT TXT records share (RFC 8461 §3.1, RFC 8460 §3):
a record's character-strings joined without spaces, fields separated by
``*WSP ";" *WSP`` with an optional trailing ``;``, and the extension grammar
(a name of 1-32 alphanumerics, ``_``, ``-`` and ``.``; a value without ``=``,
``;``, space or control characters). Each record's parser turns
:class:`TxtSyntaxError` into its own error, citing its own RFC.
"""

from __future__ import annotations

import re

EXT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,31}")
EXT_VALUE = re.compile(r"[\x21-\x3a\x3c\x3e-\x7e]+")  # no '=', ';', space or CTL
DELIM = re.compile(r"[ \t]*;[ \t]*")


class TxtSyntaxError(ValueError):
    """The record is not text, or its fields are not ``;``-separated."""


def record_text(record) -> str:
    """One TXT record as one string: its character-strings (str, bytes, or a
    dnspython TXT rdata's ``strings``) joined with no spaces."""
    if isinstance(record, (str, bytes)):
        parts = [record]
    else:
        try:
            parts = list(getattr(record, "strings", record))
        except TypeError:
            raise TxtSyntaxError(f"a TXT record must be a string or a list of strings, "
                                 f"not {type(record).__name__}") from None
    out = []
    for part in parts:
        if isinstance(part, bytes):
            # Byte for byte: a non-ASCII record of another kind is discarded like
            # any other, and in the record itself the grammar rejects it.
            part = part.decode("latin-1")
        if not isinstance(part, str):
            raise TxtSyntaxError(f"a TXT character-string must be text, not "
                                 f"{type(part).__name__}")
        out.append(part)
    return "".join(out)


def split_fields(rest: str) -> list[str]:
    """The fields after the version tag: ``rest`` starts at the delimiter that
    follows it; white space around each ``;`` is dropped."""
    fields, pos = [], 0
    while pos < len(rest):
        m = DELIM.match(rest, pos)
        if not m:
            raise TxtSyntaxError(f"expected ';' between fields at {rest[pos:]!r}")
        pos = m.end()
        if pos == len(rest):
            break  # a trailing ';' is allowed
        end = rest.find(";", pos)
        field = (rest[pos:] if end < 0 else rest[pos:end]).rstrip(" \t")
        fields.append(field)
        pos += len(field)
    return fields
