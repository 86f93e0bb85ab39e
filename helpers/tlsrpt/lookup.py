"""Finding a domain's TLS-RPT record over a :class:`~helpers.net.Network` (RFC 8460 §3)."""

from __future__ import annotations

import dns.exception
import dns.resolver

from ..net import Network
from .record import Record, TlsRptError, parse_record


def record_name(domain: str) -> str:
    """Where the record lives: ``_smtp._tls.<domain>`` (§3)."""
    return f"_smtp._tls.{domain.rstrip('.').lower()}"


def lookup_record(domain: str, net: Network) -> Record:
    """The ``_smtp._tls.<domain>`` TXT record, parsed (§3); TlsRptError if the
    domain publishes none, or none that is valid."""
    name = record_name(domain)
    try:
        answer = net.resolver().resolve(name, "TXT")
    except dns.resolver.NXDOMAIN:
        raise TlsRptError(f"{name} does not exist: the domain asks for no reports",
                          rule="§3") from None
    except dns.resolver.NoAnswer:
        raise TlsRptError(f"{name} has no TXT record: the domain asks for no reports",
                          rule="§3") from None
    except dns.exception.DNSException as e:
        raise TlsRptError(f"cannot look up {name}: {e}", rule="§3") from None
    return parse_record(list(answer))
