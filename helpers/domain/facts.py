"""What the network said about a domain, before any judgement (plain data).

:mod:`helpers.domain.gather` fills these in over a Network;
:mod:`helpers.domain.assess` turns them into checks without any I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..dane import TlsaLookup
from ..dnssec import Lookup
from ..mtasts import Policy, StsRecord
from ..smtp import Delivery, parse_ehlo


@dataclass(frozen=True)
class MxFacts:
    """The MX answer (validated), and the hosts to inspect in preference order.
    ``implicit``: no MX records, so the domain itself is the MX (RFC 5321 §5.1);
    ``null``: the domain says it accepts no mail (RFC 7505);
    ``null_beside_others``: a null MX record published next to other MX records,
    which RFC 7505 §3 forbids (``hosts`` then holds the others)."""

    lookup: Lookup
    hosts: tuple[tuple[int, str], ...]
    implicit: bool = False
    null: bool = False
    null_beside_others: bool = False


@dataclass(frozen=True)
class HostFacts:
    """One MX host: its address lookup (validated), where a CNAME led, its
    TLSA lookup, and TLSA records found in an unsigned zone (which must be ignored)."""

    host: str
    address: Lookup
    tlsa: TlsaLookup
    unsigned_tlsa: tuple[str, ...] = ()

    @property
    def cname_target(self) -> str | None:
        if self.address.rrset is None:
            return None
        target = self.address.rrset.name.to_text().rstrip(".").lower()
        return target if target != self.host else None


@dataclass(frozen=True)
class ProbeFacts:
    """The STARTTLS probe of one MX host: ``verified`` is the session that
    checked the certificate (WebPKI, for the MX name); ``unverified`` the one
    that accepted any certificate, made only when the first failed on it.
    ``skipped``: why no probe was made (not asked, port 25 blocked on this network).
    ``network_note``: no session, but a reference mail server answered from here,
    so the host is at fault."""

    host: str
    verified: Delivery | None = None
    unverified: Delivery | None = None
    skipped: str | None = None
    blocked: bool = False
    network_note: str | None = None  # port 25 shown open from here (helpers.domain.port25)

    @property
    def starttls_offered(self) -> bool | None:
        for d in (self.verified, self.unverified):
            if d is not None and d.transcript.replies("EHLO"):
                # The reply's first line greets (RFC 5321 §4.1.1.1) and lists no
                # extension, whatever words it holds: parse_ehlo skips it, as smtplib does.
                return "STARTTLS" in parse_ehlo(d.transcript.replies("EHLO")[0])
        return None

    @property
    def session(self) -> Delivery | None:
        """The session that got furthest (a TLS handshake if any did)."""
        for d in (self.verified, self.unverified):
            if d is not None and d.transcript.tls is not None:
                return d
        return self.verified


@dataclass(frozen=True)
class StsFacts:
    """The ``_mta-sts`` TXT answer and the policy fetch (RFC 8461 §3)."""

    txt: tuple[str, ...]
    record: StsRecord | None
    record_error: str | None
    policy: Policy | None
    policy_error: str | None
    policy_error_kind: str | None = None


@dataclass(frozen=True)
class RptFacts:
    """The ``_smtp._tls`` TXT answer (RFC 8460 §3)."""

    txt: tuple[str, ...]
    error: str | None = None  # the lookup failed (not: no record)
