"""Does a server's certificate chain match its TLSA records? (RFC 7672 §3)

The SMTP rules, which differ from the web's:

- usages 0 and 1 (PKIX-TA, PKIX-EE) are unusable, as are records with an
  unknown field or a digest of the wrong length (§3.1.3, RFC 7671 §5.4);
- DANE-EE (3) matches the server's own certificate or key; the names in it
  and its dates are not checked (§3.1.1; RFC 7671 §5.1);
- DANE-TA (2) names a trust anchor that must appear in the chain (or, for
  ``2 1 0``, whose key signed the top of the chain); the server certificate
  must then chain to it, be unexpired and be valid for a reference name: the
  MX host name or the TLSA base name (§3.1.2, §3.2.2; RFC 7671 §5.2).
- if records exist but none is usable, TLS is still required, without
  authentication (§3.1.3).
"""

from __future__ import annotations

import datetime as _dt
import html
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import load_der_public_key

from .. import certnames
from .tlsa import TLSA, DaneError, load_certificate


@dataclass(frozen=True)
class DaneResult:
    """The verdict on one chain. ``ok``: authenticated by DANE. ``matched``:
    (the record, the depth in the chain: 0 is the server's own certificate).
    ``all_unusable``: records exist but none can be used (TLS still required)."""

    ok: bool
    reason: str
    matched: tuple[TLSA, int] | None = None
    all_unusable: bool = False
    checked: tuple[str, ...] = ()  # what was tried, record by record

    def __str__(self) -> str:
        head = "DANE authenticated" if self.ok else (
            "TLS required but unauthenticated" if self.all_unusable else "DANE FAILED")
        lines = [f"{head}: {self.reason}"]
        lines += [f"  - {c}" for c in self.checked]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        colour = "#2b8a3e" if self.ok else ("#e67700" if self.all_unusable else "#c92a2a")
        items = "".join(f"<li>{html.escape(c)}</li>" for c in self.checked)
        return (f'<p style="color:{colour}"><b>{html.escape(str(self).splitlines()[0])}</b></p>'
                f"<ul>{items}</ul>")


def name_matches(pattern: str, name: str) -> bool:
    """A certificate DNS-ID against a reference name (RFC 6125 §6.4): case-
    insensitive; a ``*`` may stand for the whole leftmost label only."""
    pattern, name = pattern.rstrip(".").lower(), name.rstrip(".").lower()
    if pattern.startswith("*."):
        label, dot, rest = name.partition(".")
        return bool(label) and bool(dot) and rest == pattern[2:]
    return pattern == name


def dns_names(cert: x509.Certificate) -> list[str]:
    """The certificate's DNS-IDs; none when its names cannot be decoded (a
    server's certificate may break RFC 5280: see :mod:`helpers.certnames`)."""
    return certnames.dns_names(cert)[0]


def _issued_by(cert: x509.Certificate, key) -> bool:
    """Whether ``key`` made ``cert``'s signature (for a bare-key DANE-TA anchor)."""
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(cert.signature, cert.tbs_certificate_bytes,
                       ec.ECDSA(cert.signature_hash_algorithm))
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(),
                       cert.signature_hash_algorithm)
        else:
            key.verify(cert.signature, cert.tbs_certificate_bytes)
        return True
    except Exception:  # any failure to verify means "not issued by this key"
        return False


def _not_a_ca(cert: x509.Certificate, cas_below: int) -> str | None:
    """Why ``cert`` may not issue certificates (RFC 5280 §4.2.1.9, §4.2.1.3), or None.
    ``cas_below``: CA certificates between it and the server certificate."""
    try:
        bc = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return "it is not a CA certificate (no basicConstraints)"
    except ValueError:  # an extension that does not decode: not a usable CA
        return "its extensions cannot be decoded (RFC 5280 §4.2)"
    if not bc.ca:
        return "it is not a CA certificate (basicConstraints CA:FALSE)"
    if bc.path_length is not None and cas_below > bc.path_length:
        return f"its path length limit is {bc.path_length}"
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return None
    return None if usage.key_cert_sign else "its key usage does not include certificate signing"


def _chain_ok(chain: list[x509.Certificate], depth: int, anchor_key, names, now) -> str | None:
    """Problems with the chain from the leaf up to the trust anchor, or None."""
    leaf = chain[0]
    for i in range(min(depth, len(chain) - 1)):
        child, parent = chain[i], chain[i + 1]
        try:
            child.verify_directly_issued_by(parent)
        except Exception as e:  # signature, issuer name or algorithm mismatch
            return f"certificate {i} is not issued by certificate {i + 1} ({type(e).__name__})"
        problem = _not_a_ca(parent, cas_below=i)
        if problem:
            return f"certificate {i + 1} signed certificate {i}, but {problem}"
    if anchor_key is not None and not _issued_by(chain[min(depth, len(chain)) - 1], anchor_key):
        return "the top of the chain is not signed by the trust anchor's key"
    for i, cert in enumerate(chain[: max(depth, 1)]):
        if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
            what = "server certificate" if i == 0 else f"certificate {i}"
            return (f"the {what} is not valid now (valid {cert.not_valid_before_utc:%Y-%m-%d} "
                    f"to {cert.not_valid_after_utc:%Y-%m-%d})")
    ids = dns_names(leaf)
    if not any(name_matches(p, n) for p in ids for n in names):
        return (f"the server certificate names {', '.join(ids) or 'nothing'}, "
                f"none of {', '.join(names)}")
    return None


def verify_chain(records, chain, reference_names, now: _dt.datetime | None = None) -> DaneResult:
    """Check ``chain`` (the server's certificates, leaf first) against TLSA
    ``records`` for SMTP (RFC 7672 §3). ``reference_names``: the MX host name
    and, if different, the TLSA base name."""
    records = [r if isinstance(r, TLSA) else TLSA.parse(r) for r in records]
    chain = [load_certificate(c) for c in chain]
    if isinstance(reference_names, str):
        reference_names = [reference_names]
    names = [n.rstrip(".").lower() for n in reference_names]
    now = now or _dt.datetime.now(_dt.timezone.utc)
    if not records:
        raise DaneError("no TLSA records: DANE does not apply (RFC 7672 §2.2)")
    if not chain:
        return DaneResult(False, "the server sent no certificate")
    checked = []
    usable = []
    for r in records:
        if r.usable:
            usable.append(r)
        else:
            checked.append(f"{r.mnemonic}: unusable: {r.unusable_reason}")
    if not usable:
        return DaneResult(False, "every TLSA record is unusable: STARTTLS is still required, "
                          "but the server cannot be authenticated (RFC 7672 §3.1.3)",
                          all_unusable=True, checked=tuple(checked))
    for r in usable:
        if r.usage == 3:
            if r.matches(chain[0]):
                checked.append(f"{r.mnemonic}: matches the server certificate (depth 0); "
                               "names and dates are not checked for DANE-EE")
                return DaneResult(True, f"{r.mnemonic} matches the server's "
                                  f"{'key' if r.selector == 1 else 'certificate'}",
                                  (r, 0), checked=tuple(checked))
            checked.append(f"{r.mnemonic}: does not match the server certificate")
            continue
        # DANE-TA: a certificate of the chain above the leaf, or a bare key (2 1 0).
        depth, anchor_key = None, None
        for d in range(1, len(chain)):
            if r.matches(chain[d]):
                depth = d
                break
        if depth is None and r.selector == 1 and r.matching_type == 0:
            try:
                anchor_key = load_der_public_key(r.data)
            except (ValueError, UnsupportedAlgorithm):
                anchor_key = None
            if anchor_key is not None:
                depth = len(chain)
        if depth is None:
            checked.append(f"{r.mnemonic}: no certificate in the chain matches")
            continue
        problem = _chain_ok(chain, depth, anchor_key, names, now)
        where = f"depth {depth}" if anchor_key is None else "a key above the chain"
        if problem:
            checked.append(f"{r.mnemonic}: trust anchor found at {where}, but {problem}")
            continue
        checked.append(f"{r.mnemonic}: trust anchor at {where}; the server certificate "
                       "chains to it, is unexpired and names " + names[0])
        return DaneResult(True, f"{r.mnemonic} matches the trust anchor at {where}",
                          (r, depth), checked=tuple(checked))
    return DaneResult(False, "no usable TLSA record matches the chain: the sender must not "
                      "deliver to this server (RFC 7672 §2.2)", checked=tuple(checked))
