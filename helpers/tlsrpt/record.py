"""The ``_smtp._tls`` TXT record (RFC 8460 §3), pure logic.

::

    tlsrpt-record    = tlsrpt-version 1*(field-delim tlsrpt-field) [field-delim]
    field-delim      = *WSP ";" *WSP
    tlsrpt-version   = %s"v=TLSRPTv1"
    tlsrpt-rua       = %s"rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)
    tlsrpt-extension = tlsrpt-ext-name "=" tlsrpt-ext-value

Every problem is a :class:`TlsRptError` whose message says what is wrong and
which rule it breaks; no other exception escapes, whatever the input.
"""

from __future__ import annotations

import html
import re
import urllib.parse
from dataclasses import dataclass

from ..txtrecord import EXT_NAME, EXT_VALUE, TxtSyntaxError, record_text, split_fields

SCHEMES = ("mailto", "https")  # §3: the two schemes a report can be sent to


class TlsRptError(ValueError):
    """A record or report that RFC 8460 says to treat as absent or invalid.
    ``where`` names the place (a field, a JSON path, a MIME part)."""

    def __init__(self, message: str, *, rule: str, where: str | None = None):
        prefix = f"{where}: " if where else ""
        super().__init__(f"{prefix}{message} (RFC 8460 {rule})")
        self.rule, self.where, self.problem = rule, where, message


_VERSION = re.compile(r"v=TLSRPTv1[ \t]*(?:;|$)")
_COMMA = re.compile(r"[ \t]*,[ \t]*")
# RFC 3986 characters; '!' is excluded because §3 asks for it percent-encoded
# (it is reserved for a size limit, as in DMARC).
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[A-Za-z0-9\-._~:/?#\[\]@$&'()*+=%]+")
_ADDR = re.compile(r"[^@\s]+@[A-Za-z0-9](?:[A-Za-z0-9.\-]*[A-Za-z0-9])?")


@dataclass(frozen=True)
class Record:
    """A valid ``_smtp._tls`` record: where reports go (``rua``, in the order
    published) and any extension fields; ``warnings`` note what was accepted but
    is worth fixing (e.g. a URI scheme no sender can use)."""

    rua: tuple[str, ...]
    extensions: tuple[tuple[str, str], ...] = ()
    text: str = ""
    warnings: tuple[str, ...] = ()

    @property
    def mailto(self) -> tuple[str, ...]:
        """The mailbox addresses of the ``mailto:`` URIs, percent-decoded."""
        return tuple(urllib.parse.unquote(u.split(":", 1)[1].split("?", 1)[0])
                     for u in self.rua if u.lower().startswith("mailto:"))

    @property
    def https(self) -> tuple[str, ...]:
        """The ``https:`` URIs reports are POSTed to (§5.4)."""
        return tuple(u for u in self.rua if u.lower().startswith("https:"))

    def __str__(self) -> str:
        text = "TLS-RPT record: reports to " + ", ".join(self.rua)
        text += "".join(f"; {k}={v}" for k, v in self.extensions)
        return text + "".join(f"\n  warning: {w}" for w in self.warnings)

    def _repr_html_(self) -> str:
        items = "".join(f"<li><code>{html.escape(u)}</code></li>" for u in self.rua)
        warn = "".join(f"<li>warning: {html.escape(w)}</li>" for w in self.warnings)
        return (f"<p><code>{html.escape(self.text)}</code></p>"
                f"<p>reports go to:</p><ul>{items}</ul>" + (f"<ul>{warn}</ul>" if warn else ""))


def _check_uri(uri: str) -> str | None:
    """Raise for a URI §3 forbids; return a warning for one no sender can use."""
    if not _URI.fullmatch(uri):
        bad = sorted({c for c in uri if not re.fullmatch(r"[A-Za-z0-9\-._~:/?#\[\]@$&'()*+=%]", c)})
        why = (f"characters {''.join(bad)!r} must be percent-encoded" if bad
               else "it is not scheme:rest")
        raise TlsRptError(f"{uri!r} is not a valid URI: {why}", rule="§3", where="rua")
    scheme, rest = uri.split(":", 1)
    scheme = scheme.lower()
    if scheme == "mailto":
        address = urllib.parse.unquote(rest.split("?", 1)[0])
        if not _ADDR.fullmatch(address):
            raise TlsRptError(f"{uri!r} does not name a mailbox (local-part@domain)",
                              rule="§3", where="rua")
    elif scheme == "https":
        parsed = urllib.parse.urlsplit(uri)
        try:
            host = parsed.hostname
        except ValueError:
            host = None
        if not host:
            raise TlsRptError(f"{uri!r} has no host to POST reports to", rule="§3",
                              where="rua")
    else:
        return f"{uri!r}: scheme {scheme!r} is not one of {', '.join(SCHEMES)}; " \
               "senders will not use it"
    return None


def parse_record(text) -> Record:
    """Parse the ``_smtp._tls`` TXT record (RFC 8460 §3).

    ``text``: one record (str or bytes), or every TXT record found at the
    name (a list, each a string, bytes, list of character-strings or dnspython
    rdata). Records not beginning with ``v=TLSRPTv1;`` are discarded; exactly one
    must remain, else the domain does not implement TLS-RPT. ``rua`` is required:
    one or more ``mailto:`` / ``https:`` URIs, comma separated. Unknown fields
    are kept as extensions (parsers accept a superset of the grammar).
    """
    records = [text] if isinstance(text, (str, bytes)) else text
    try:
        texts = [record_text(r) for r in records]
    except TypeError:
        raise TlsRptError("give the TXT record as a string or a list of records",
                          rule="§3") from None
    except TxtSyntaxError as e:
        raise TlsRptError(str(e), rule="§3") from None
    # §3 discards records not beginning "v=TLSRPTv1;"; the grammar's field-delim
    # also allows spaces before the ';', so those count as beginning so too.
    ours = [t for t in texts if _VERSION.match(t)]
    if not ours:
        near = [t for t in texts if t.lower().replace(" ", "").startswith("v=tlsrptv1")]
        hint = (f"; {near[0]!r} is close, but a record must begin exactly 'v=TLSRPTv1;'"
                if near else "")
        raise TlsRptError(f"no TXT record begins with 'v=TLSRPTv1;'{hint}", rule="§3")
    if len(ours) > 1:
        raise TlsRptError(f"{len(ours)} records begin with 'v=TLSRPTv1;'; exactly one must, "
                          "so the domain does not implement TLS-RPT", rule="§3")
    record = ours[0]
    rest = record[len("v=TLSRPTv1"):]
    try:
        fields = split_fields(rest)
    except TxtSyntaxError as e:
        raise TlsRptError(str(e), rule="§3") from None
    rua: tuple[str, ...] | None = None
    extensions, warnings = [], []
    for field in fields:
        name, eq, value = field.partition("=")
        if not eq:
            raise TlsRptError(f"field {field!r} is not name=value", rule="§3")
        if name == "rua":
            uris = _COMMA.split(value)
            if not value or any(not u for u in uris):
                raise TlsRptError(f"rua={value!r} has an empty URI", rule="§3", where="rua")
            for uri in uris:
                warning = _check_uri(uri)
                if warning:
                    warnings.append(warning)
            if rua is not None:
                # The grammar allows it (1*tlsrpt-field); senders then use every URI.
                warnings.append("rua appears twice; better one rua= with every URI, "
                                "separated by commas")
            rua = (rua or ()) + tuple(uris)
        elif name == "v":
            raise TlsRptError("the v field appears twice", rule="§3")
        else:
            if not EXT_NAME.fullmatch(name):
                raise TlsRptError(f"field name {name!r} is not allowed: a letter or digit, "
                                  "then up to 31 letters, digits, '_', '-' or '.'", rule="§3")
            if not EXT_VALUE.fullmatch(value):
                raise TlsRptError(f"value {value!r} of {name!r} may not be empty or contain "
                                  "'=', ';', spaces or control characters", rule="§3")
            extensions.append((name, value))
    if rua is None:
        raise TlsRptError("the record has no rua field: there is nowhere to send reports",
                          rule="§3")
    if not any(u.split(":", 1)[0].lower() in SCHEMES for u in rua):
        raise TlsRptError("no rua URI is mailto: or https:, so no report can be sent",
                          rule="§3", where="rua")
    return Record(rua, tuple(extensions), record, tuple(warnings))
