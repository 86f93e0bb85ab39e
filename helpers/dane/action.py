"""What a DANE-aware sender does with one MX (RFC 7672 §2.2, §3)."""

from __future__ import annotations

from dataclasses import dataclass

from ..dnssec import BOGUS, ERROR, INSECURE, SECURE
from .lookup import TlsaLookup
from .verify import DaneResult

AUTHENTICATED = "deliver (authenticated)"
ENCRYPTED_ONLY = "deliver (encrypted, unauthenticated)"
NO_DANE = "no DANE: use MTA-STS or opportunistic TLS"
DEFER = "defer (keep the message queued)"


@dataclass(frozen=True)
class SenderAction:
    action: str
    reason: str
    failure: str | None = None  # TLS-RPT result type (RFC 8460 §4.3) when it failed

    def __str__(self) -> str:
        return f"{self.action}: {self.reason}"


def sender_action(lookup: TlsaLookup, result: DaneResult | None = None, *,
                  starttls: bool = True) -> SenderAction:
    """The sender's decision for one MX, from the TLSA lookup and (when TLS
    happened) the chain verdict. ``starttls=False``: the MX did not offer it.
    A DANE failure is never rescued by MTA-STS or by plaintext (RFC 8461 §2)."""
    if lookup.status == INSECURE or (lookup.status == SECURE and not lookup.exists):
        return SenderAction(NO_DANE, lookup.reason)
    if lookup.status in (BOGUS, ERROR):
        return SenderAction(DEFER, lookup.reason, "dnssec-invalid")
    if not starttls:
        return SenderAction(DEFER, "TLSA records exist, so STARTTLS is mandatory, and this MX "
                            "did not offer it", "starttls-not-supported")
    if result is None:
        return SenderAction(DEFER, "no TLS session to check", "validation-failure")
    if result.ok:
        return SenderAction(AUTHENTICATED, result.reason)
    if result.all_unusable:
        return SenderAction(ENCRYPTED_ONLY, result.reason)
    return SenderAction(DEFER, result.reason, "tlsa-invalid")
