"""The names in a certificate a server chose, read without ever raising.

A server may send a certificate whose names break the encoding rules: a
dNSName (an IA5String, so ASCII only: RFC 5280 §4.2.1.6) holding a byte above
0x7f, a UTF8String that is not UTF-8 (RFC 5280 §4.1.2.4). ``cryptography``
refuses such a name with ``ValueError`` when it is first read. The inspector
must report that as a finding, not crash, so these helpers fall back to the
raw bytes of the name (found with a minimal DER walk, X.690 §8.1), shown with
every byte outside printable ASCII escaped (``\\xe9``).
"""

from __future__ import annotations

from cryptography import x509
from cryptography.x509.oid import NameOID

__all__ = ["dns_names", "name_text", "common_name"]

_SAN_OID = bytes([0x06, 0x03, 0x55, 0x1D, 0x11])  # 2.5.29.17, subjectAltName
_STRING_TAGS = {0x0C, 0x12, 0x13, 0x14, 0x16, 0x1A, 0x1C, 0x1E, 0x81, 0x82, 0x86}


def _tlv(data: bytes, i: int) -> tuple[int, int, int]:
    """(tag, start of value, end of value) of the DER element at ``i``."""
    tag, length = data[i], data[i + 1]
    start = i + 2
    if length & 0x80:
        n = length & 0x7F
        length = int.from_bytes(data[start:start + n], "big")
        start += n
    if start + length > len(data):
        raise ValueError("truncated DER")
    return tag, start, start + length


def _children(data: bytes, start: int, end: int):
    i = start
    while i < end:
        tag, s, e = _tlv(data, i)
        yield tag, s, e
        i = e


def _strings(data: bytes, start: int, end: int) -> list[bytes]:
    """Every primitive string value inside the element (depth first)."""
    out = []
    for tag, s, e in _children(data, start, end):
        if tag & 0x20:  # constructed: SET, SEQUENCE, [n] constructed
            out += _strings(data, s, e)
        elif tag in _STRING_TAGS:
            out.append(data[s:e])
    return out


def _shown(raw: bytes) -> str:
    return "".join(chr(b) if 0x20 <= b < 0x7F and b != 0x5C else
                   "\\\\" if b == 0x5C else f"\\x{b:02x}" for b in raw)


def _raw_parts(cert: x509.Certificate) -> dict[str, list[bytes]]:
    """The strings of the issuer, subject and subjectAltName, from the DER."""
    tbs = cert.tbs_certificate_bytes
    _, s, e = _tlv(tbs, 0)
    kids = list(_children(tbs, s, e))
    if kids and kids[0][0] == 0xA0:  # [0] version
        kids = kids[1:]
    parts = {"issuer": _strings(tbs, kids[2][1], kids[2][2]),
             "subject": _strings(tbs, kids[4][1], kids[4][2]), "san": []}
    for tag, s, e in kids[6:]:
        if tag != 0xA3:  # [3] extensions
            continue
        _, s2, e2 = _tlv(tbs, s)
        for _, xs, xe in _children(tbs, s2, e2):
            if tbs[xs:xs + len(_SAN_OID)] == _SAN_OID:
                octets = list(_children(tbs, xs, xe))[-1]
                _, gs, ge = _tlv(tbs, octets[1])
                parts["san"] = [tbs[a:b] for t, a, b in _children(tbs, gs, ge)
                                if t in _STRING_TAGS]
    return parts


def _raw(cert: x509.Certificate, which: str) -> str:
    try:
        values = _raw_parts(cert)[which]
    except (IndexError, ValueError):
        return "(not even its DER encoding can be read)"
    return ", ".join(_shown(v) for v in values) or "(none)"


def dns_names(cert: x509.Certificate) -> tuple[list[str], str | None]:
    """The DNS names of the subjectAltName, and a problem (None when readable).

    When the extension cannot be decoded, the names are ``[]`` and the problem
    shows the raw values with their bytes escaped."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return [], None
    except ValueError as e:
        where = "subjectAltName" if "subject_alternative_name" in str(e) else "extensions"
        return [], (f"its {where} cannot be decoded: {_raw(cert, 'san')} (a dNSName is an "
                    "IA5String, ASCII only: RFC 5280 §4.2.1.6)")
    return san.get_values_for_type(x509.DNSName), None


def name_text(cert: x509.Certificate, which: str = "subject") -> str:
    """The subject or issuer as RFC 4514 text; when it cannot be decoded,
    its raw strings with bytes outside printable ASCII escaped."""
    try:
        return getattr(cert, which).rfc4514_string()
    except ValueError:
        return (f"(malformed {which}: {_raw(cert, which)}; names must be valid "
                "in their string type: RFC 5280 §4.1.2.4)")


def common_name(cert: x509.Certificate, which: str = "subject") -> str:
    """The CN of the subject or issuer (else the whole name), never raising."""
    try:
        name = getattr(cert, which)
        attrs = name.get_attributes_for_oid(NameOID.COMMON_NAME)
        return str(attrs[0].value) if attrs else name.rfc4514_string()
    except ValueError:
        return name_text(cert, which)
