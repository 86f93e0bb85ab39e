"""TLSA records (RFC 6698 §2, mnemonics RFC 7218), computed from certificates.

``TLSA.parse("3 1 1 <hex>")`` reads presentation format (also a whole zone-file
line with owner, TTL, class and type); ``str(record)`` writes ``"3 1 1 <hex>"``;
``TLSA.from_cert(cert)`` computes a record from a certificate. Parsing any
string raises nothing but :class:`DaneError`.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import serialization

USAGES = {0: "PKIX-TA", 1: "PKIX-EE", 2: "DANE-TA", 3: "DANE-EE"}
SELECTORS = {0: "Cert", 1: "SPKI"}
MATCHING_TYPES = {0: "Full", 1: "SHA2-256", 2: "SHA2-512"}
DIGEST_LENGTHS = {1: 32, 2: 64}


class DaneError(ValueError):
    """A TLSA record, certificate or chain that cannot be used; says why and
    which RFC rule applies."""


def load_certificate(cert) -> x509.Certificate:
    """A ``cryptography`` certificate from itself, PEM (str or bytes) or DER."""
    if isinstance(cert, x509.Certificate):
        return cert
    if isinstance(cert, str):
        cert = cert.encode("ascii", "replace")
    if not isinstance(cert, (bytes, bytearray)):
        raise DaneError(f"a certificate must be PEM, DER or x509.Certificate, "
                        f"not {type(cert).__name__}")
    try:
        if bytes(cert).lstrip().startswith(b"-----BEGIN"):
            return x509.load_pem_x509_certificate(bytes(cert))
        return x509.load_der_x509_certificate(bytes(cert))
    except ValueError as e:
        raise DaneError(f"not a certificate: {e}") from None


def spki(cert: x509.Certificate) -> bytes:
    """DER SubjectPublicKeyInfo of ``cert``: what selector 1 uses (§2.1.2)."""
    return cert.public_key().public_bytes(serialization.Encoding.DER,
                                          serialization.PublicFormat.SubjectPublicKeyInfo)


def association_data(cert, selector: int, matching_type: int) -> bytes:
    """The bytes a TLSA record with this selector and matching type holds for
    ``cert`` (RFC 6698 §2.1.2-2.1.3)."""
    cert = load_certificate(cert)
    if selector not in SELECTORS:
        raise DaneError(f"selector {selector} is not 0 (Cert) or 1 (SPKI) (RFC 6698 §2.1.2)")
    if matching_type not in MATCHING_TYPES:
        raise DaneError(f"matching type {matching_type} is not 0, 1 or 2 (RFC 6698 §2.1.3)")
    raw = cert.public_bytes(serialization.Encoding.DER) if selector == 0 else spki(cert)
    if matching_type == 0:
        return raw
    return hashlib.new("sha256" if matching_type == 1 else "sha512", raw).digest()


_HEX = re.compile(r"[0-9A-Fa-f]+")


@dataclass(frozen=True)
class TLSA:
    """One TLSA record: usage, selector, matching type, association data."""

    usage: int
    selector: int
    matching_type: int
    data: bytes

    def __post_init__(self):
        for name in ("usage", "selector", "matching_type"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 255:
                raise DaneError(f"{name} must be a number from 0 to 255, not {value!r} "
                                "(RFC 6698 §2.1)")
        if not isinstance(self.data, (bytes, bytearray)) or not self.data:
            raise DaneError("the certificate association data is missing (RFC 6698 §2.1.4)")
        object.__setattr__(self, "data", bytes(self.data))

    # -- reading and writing -----------------------------------------------------

    @classmethod
    def parse(cls, text: str) -> "TLSA":
        """``"3 1 1 <hex>"``, or a zone-file line such as
        ``"_25._tcp.mx.example. 300 IN TLSA 3 1 1 <hex>"`` (hex may contain spaces)."""
        if not isinstance(text, str):
            raise DaneError(f"a TLSA record is text, not {type(text).__name__}")
        words = text.split()
        upper = [w.upper() for w in words]
        if "TLSA" in upper:  # zone-file form: what follows the type is the record
            words = words[upper.index("TLSA") + 1:]
        shown = text.strip()[:80]
        if len(words) < 4 or not all(w.isascii() and w.isdigit() for w in words[:3]):
            raise DaneError(f"{shown!r} is not 'usage selector matching-type hex' "
                            "(RFC 6698 §2.2)")
        hexdata = "".join(words[3:])
        if not _HEX.fullmatch(hexdata):
            raise DaneError(f"{shown!r}: the association data is not hexadecimal (RFC 6698 §2.2)")
        if len(hexdata) % 2:
            raise DaneError(f"the association data has an odd number of hex digits "
                            f"({len(hexdata)}) (RFC 6698 §2.2)")
        usage, selector, mtype = (int(w) for w in words[:3])
        return cls(usage, selector, mtype, bytes.fromhex(hexdata))

    @classmethod
    def from_wire(cls, wire: bytes) -> "TLSA":
        """A record from its RDATA bytes (RFC 6698 §2.1): usage, selector and
        matching type octets, then the association data. It is read even when
        the data cannot fit its matching type (a 31-byte SHA-256, a SHA-512
        under type 1, which dnspython refuses), so that such a record counts as
        present but unusable (RFC 7672 §2.2, §3.1.3) instead of vanishing."""
        wire = bytes(wire)
        if len(wire) < 4:
            raise DaneError(f"a TLSA record of {len(wire)} byte(s) has no certificate "
                            "association data (RFC 6698 §2.1)")
        return cls(wire[0], wire[1], wire[2], wire[3:])

    @classmethod
    def from_cert(cls, cert, usage: int = 3, selector: int = 1,
                  matching_type: int = 1) -> "TLSA":
        """The record for ``cert`` (a certificate, PEM or DER); default ``3 1 1``:
        DANE-EE, the SHA-256 of the SubjectPublicKeyInfo."""
        return cls(usage, selector, matching_type,
                   association_data(cert, selector, matching_type))

    def __str__(self) -> str:
        return f"{self.usage} {self.selector} {self.matching_type} {self.data.hex()}"

    def _repr_html_(self) -> str:
        return (f"<code>{html.escape(str(self))}</code> "
                f"<span>({html.escape(self.mnemonic)})</span>")

    # -- meaning -----------------------------------------------------------------------

    @property
    def usage_name(self) -> str:
        return USAGES.get(self.usage, f"usage {self.usage}")

    @property
    def selector_name(self) -> str:
        return SELECTORS.get(self.selector, f"selector {self.selector}")

    @property
    def matching_type_name(self) -> str:
        return MATCHING_TYPES.get(self.matching_type, f"matching type {self.matching_type}")

    @property
    def mnemonic(self) -> str:
        """RFC 7218 names, e.g. ``DANE-EE SPKI SHA2-256``."""
        return f"{self.usage_name} {self.selector_name} {self.matching_type_name}"

    @property
    def unusable_reason(self) -> str | None:
        """Why an SMTP sender must ignore this record (RFC 7672 §3.1), or None."""
        if self.usage in (0, 1):
            return (f"usage {self.usage} ({self.usage_name}) is not used for SMTP: "
                    "there is no agreed set of public CAs for MTAs (RFC 7672 §3.1.3)")
        if self.usage not in USAGES:
            return f"usage {self.usage} is unknown (RFC 6698 §2.1.1)"
        if self.selector not in SELECTORS:
            return f"selector {self.selector} is unknown (RFC 6698 §2.1.2)"
        if self.matching_type not in MATCHING_TYPES:
            return f"matching type {self.matching_type} is unknown (RFC 6698 §2.1.3)"
        want = DIGEST_LENGTHS.get(self.matching_type)
        if want is not None and len(self.data) != want:
            return (f"a {self.matching_type_name} digest is {want} bytes "
                    f"({2 * want} hex digits), this one is {len(self.data)}: it can never "
                    "match (RFC 6698 §2.1.3)")
        return None

    @property
    def usable(self) -> bool:
        return self.unusable_reason is None

    def matches(self, cert) -> bool:
        """Whether ``cert``'s certificate or key is the one this record names."""
        return association_data(cert, self.selector, self.matching_type) == self.data
