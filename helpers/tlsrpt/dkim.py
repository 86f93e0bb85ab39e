"""DKIM on mailed TLS reports (RFC 8460 §3), through dkimpy (RFC 6376).

RFC 8460 §3: "Reports sent via SMTP MUST contain a valid DomainKeys Identified
Mail (DKIM) signature by the reporting domain. Reports lacking such a
signature MUST be ignored by the recipient." The signature must not use
``l=`` (a body length limit), and the key record SHOULD say ``s=tlsrpt``.
Report processing is where forged input arrives: without this check anyone
could fill a domain's reports with made-up failures, or hide an attack.

- :func:`sign` adds the signature a submitter puts on its report mail;
- :func:`verify` is the report processor's check, with the key looked up in
  DNS and DNSSEC-validated (a bogus key record counts as no key);
- :func:`key_record` is the TXT record a submitter publishes at
  ``<selector>._domainkey.<domain>``.
"""

from __future__ import annotations

import base64
import email
import email.policy
from dataclasses import dataclass

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ..net import Network
from ..safetext import visible

SELECTOR = "tlsrpt"
# Headers a report's signature covers: the ones that say what the report is.
SIGNED_HEADERS = (b"from", b"to", b"subject", b"date", b"message-id",
                  b"tls-report-domain", b"tls-report-submitter", b"content-type",
                  b"mime-version")


@dataclass(frozen=True)
class Verdict:
    """Whether a report mail may be read (RFC 8460 §3), and why."""

    ok: bool
    reason: str
    domain: str = ""  # the signing domain (d=), when there is a signature

    def __str__(self) -> str:
        return f"{'accepted' if self.ok else 'ignored'}: {self.reason}"


def key_record(private_key: rsa.RSAPrivateKey) -> str:
    """The DKIM key record (RFC 6376 §3.6.1) with the service type RFC 8460 §3
    asks for: ``v=DKIM1; k=rsa; s=tlsrpt; p=<public key>``."""
    der = private_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return f"v=DKIM1; k=rsa; s=tlsrpt; p={base64.b64encode(der).decode()}"


def txt_strings(record: str) -> str:
    """``record`` as zone-file TXT text: quoted strings of at most 255 bytes
    (RFC 1035 §3.3.14), as a DKIM key is longer than one string holds."""
    return " ".join(f'"{record[i:i + 250]}"' for i in range(0, len(record), 250))


def sign(message: bytes, domain: str, private_key: rsa.RSAPrivateKey,
         selector: str = SELECTOR) -> bytes:
    """``message`` with a DKIM-Signature of ``domain`` prepended; no ``l=``
    (RFC 8460 §3), relaxed/relaxed canonicalization."""
    pem = private_key.private_bytes(serialization.Encoding.PEM,
                                    serialization.PrivateFormat.TraditionalOpenSSL,
                                    serialization.NoEncryption())
    present = {k.lower().encode() for k in email.message_from_bytes(message).keys()}
    headers = [h for h in SIGNED_HEADERS if h in present]
    signature = dkim.sign(message, selector.encode(), domain.encode(), pem,
                          canonicalize=(b"relaxed", b"relaxed"), include_headers=headers,
                          tlsrpt=True)
    return signature + message


def _dns_txt(net: Network, seen: dict):
    """A dkimpy ``dnsfunc``: the TXT record at a name, DNSSEC-validated on
    ``net``; a bogus or failed answer gives no key, so the mail is ignored.
    ``seen`` receives each lookup, for the verdict's reason."""
    from .. import dnssec
    from ..txtrecord import record_text

    def lookup(name: bytes, timeout: float = 5) -> bytes | None:
        found = dnssec.resolve(name.decode("ascii", "replace").rstrip("."), "TXT", net)
        seen[found.name] = found
        if found.status not in ("secure", "insecure") or found.rrset is None:
            return None
        return record_text(found.rrset[0]).encode("latin-1", "replace")
    return lookup


def verify(message: bytes, net: Network) -> Verdict:
    """The report processor's check of RFC 8460 §3: a valid DKIM signature by
    the reporting domain (``d=`` is the ``TLS-Report-Submitter`` domain or one
    of its parents), no ``l=``, a key published for TLS reports (``s=tlsrpt``
    or a key for every service). Anything else is a :class:`Verdict` that says
    why the mail is to be ignored."""
    msg = email.message_from_bytes(message, policy=email.policy.compat32)
    submitter = (msg.get("TLS-Report-Submitter") or "").strip().rstrip(".").lower()
    if msg.get("DKIM-Signature") is None:
        return Verdict(False, "no DKIM signature: RFC 8460 §3 says unsigned reports MUST be "
                              "ignored")
    tags = dict(t.strip().split("=", 1) for t in
                "".join(str(msg.get("DKIM-Signature")).split()).split(";") if "=" in t)
    signer = tags.get("d", "").rstrip(".").lower()
    # Both names come from the mail, so from anyone: shown escaped, and short.
    shown_signer, shown_submitter = visible(signer)[:100], visible(submitter)[:100]
    if "l" in tags:
        return Verdict(False, "the DKIM signature limits the body length (l=), which RFC 8460 "
                              "§3 forbids", shown_signer)
    if not submitter or not (submitter == signer or submitter.endswith("." + signer)):
        return Verdict(False, f"signed by {shown_signer or 'nobody'!r}, not by the reporting "
                              f"domain {shown_submitter or '(no TLS-Report-Submitter)'!r} "
                              "(RFC 8460 §3)", shown_signer)
    seen: dict = {}
    try:
        good = dkim.verify(message, dnsfunc=_dns_txt(net, seen), tlsrpt="strict")
    except dkim.DKIMException as e:
        return Verdict(False, f"the DKIM signature cannot be checked: {visible(str(e))[:200]} "
                              "(RFC 6376 §6.1)", shown_signer)
    unusable = [k for k in seen.values() if k.status not in ("secure", "insecure")]
    if not good and unusable:
        k = unusable[0]
        return Verdict(False, f"the key record {k.name} is {k.status} (DNSSEC: {k.reason}): "
                              "no key to check the signature with (RFC 8460 §3)", shown_signer)
    if not good and all(k.rrset is None for k in seen.values()):
        return Verdict(False, f"{shown_signer} publishes no DKIM key for the signature's "
                              "selector (RFC 6376 §6.1.2)", shown_signer)
    if not good:
        return Verdict(False, f"the DKIM signature of {shown_signer} does not verify: the mail was "
                              "changed, or the key in DNS is not the signer's (RFC 6376 §6.1)",
                       shown_signer)
    return Verdict(True, f"DKIM signature of {shown_signer} verified (RFC 8460 §3)", shown_signer)
