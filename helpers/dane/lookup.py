"""Finding an MX host's TLSA records, with their DNSSEC status (RFC 7672 §2.2).

TLSA records count only when DNSSEC proves them: the MX host's address must
be secure, then ``_25._tcp.<base name>`` is looked up and validated from the
network's trust anchor (the lab's, or the real root's). The base name is the
MX host name, or the name its CNAME chain ends at, tried first (§2.2.3). A
bogus answer or a server failure is ``bogus``/``error``, never "no TLSA":
the sender must not fall back to plaintext because of it.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import dns.rdata

from ..dnssec import BOGUS, ERROR, INSECURE, SECURE, resolve
from ..net import Network
from .tlsa import TLSA, DaneError


@dataclass(frozen=True)
class TlsaLookup:
    """``records`` is empty when there are none (or they cannot be trusted);
    ``status`` is secure, insecure, bogus or error; ``chain`` lists the
    DNSSEC validation steps."""

    mx_host: str
    base_name: str
    status: str
    records: tuple[TLSA, ...]
    reason: str
    chain: tuple[str, ...] = ()
    #: records of the secure set too short to read (RFC 6698 §2.1): not in
    #: ``records``, but the set is not empty, so TLS stays mandatory (RFC 7672 §2.2).
    #: Left out of the repr (``reason`` says it), which notebooks show as it was.
    unreadable: int = field(default=0, repr=False)

    @property
    def dane_applies(self) -> bool:
        return self.status == SECURE and bool(self.records)

    @property
    def exists(self) -> bool:
        """A secure, non-empty TLSA set, usable or not: TLS is mandatory
        (RFC 7672 §2.2; if no record is usable, unauthenticated, §3.1.3)."""
        return self.status == SECURE and bool(self.records or self.unreadable)

    def __str__(self) -> str:
        lines = [f"TLSA for {self.mx_host}: {self.status.upper()}: {self.reason}"]
        lines += [f"  _25._tcp.{self.base_name} TLSA {r}  ({r.mnemonic})" for r in self.records]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(f"<li><code>{html.escape(str(r))}</code> ({html.escape(r.mnemonic)})</li>"
                       for r in self.records)
        return (f"<p>TLSA for <code>{html.escape(self.mx_host)}</code>: "
                f"<b>{html.escape(self.status)}</b>: {html.escape(self.reason)}</p>"
                f"<ul>{rows}</ul>")


def _records(lookup) -> tuple[tuple[TLSA, ...], int, int]:
    """Every record of the validated set, as (records, malformed, unreadable).

    A record dnspython refuses (a ``3 1 1`` with a 31-byte digest, a SHA-512
    digest under matching type 1) reaches us as raw RFC 3597 data, so the RRSIG
    over the set still verifies; it is read from its bytes and kept as an
    *unusable* record, never dropped: a secure, non-empty TLSA set whose records
    are all unusable still makes TLS mandatory (RFC 7672 §2.2, §3.1.3; RFC 7671
    §4). ``malformed`` counts the readable ones; ``unreadable`` those too short to
    hold even the three fields and some data (RFC 6698 §2.1), which cannot be
    shown as records but still make the set non-empty."""
    out, malformed, unreadable = [], 0, 0
    for rdata in lookup.rrset or ():
        try:
            record = TLSA.from_wire(rdata.to_digestable())
        except DaneError:
            unreadable += 1
            continue
        out.append(record)
        if isinstance(rdata, dns.rdata.GenericRdata):  # refused by dnspython's parser
            malformed += 1
    return tuple(out), malformed, unreadable


def _over_limit(host: str, lookup, steps=None) -> TlsaLookup:
    """An NSEC3 proof above the iteration limit on the way to the TLSA records is
    "insecure" to DNSSEC (RFC 9276 §3.2), yet proves nothing: a replayed older
    costly proof would otherwise switch DANE off for a signed name. So for DANE
    it is an error, and the sender defers (RFC 7672 §2.2: a lookup that cannot
    be trusted is never "no TLSA")."""
    return TlsaLookup(host, host, ERROR, (),
                      f"{lookup.name} {lookup.rdtype}: {lookup.reason}; an NSEC3 proof over "
                      "the iteration limit proves nothing for DANE, so this MX cannot be "
                      "used until the zone signs with fewer iterations (0 extra, RFC 9276 "
                      "§3.1; limit §3.2; RFC 7672 §2.2)",
                      steps if steps is not None else lookup.chain)


def lookup_tlsa(mx_host: str, net: Network) -> TlsaLookup:
    """The TLSA records of ``mx_host`` port 25, validated (RFC 7672 §2.2)."""
    host = mx_host.rstrip(".").lower()
    address = resolve(host, "A", net)
    if address.status == SECURE and address.rrset is None and address.rcode == "NOERROR":
        address = resolve(host, "AAAA", net)  # an IPv6-only MX host
    if address.status in (BOGUS, ERROR):
        return TlsaLookup(host, host, address.status, (),
                          f"the address of {host} could not be validated ({address.reason}): "
                          "this MX cannot be used (RFC 7672 §2.2.2)", address.chain)
    if address.nsec3_over_limit:
        return _over_limit(host, address)
    if address.status == INSECURE:
        return TlsaLookup(host, host, INSECURE, (),
                          f"the address of {host} is not DNSSEC-signed, so TLSA records are "
                          "not looked up: DANE does not apply (RFC 7672 §2.2.2)", address.chain)
    if address.rrset is None:
        return TlsaLookup(host, host, ERROR, (), f"{host} has no address ({address.rcode}): "
                          "this MX cannot be used", address.chain)
    bases = [host]
    target = address.rrset.name.to_text().rstrip(".").lower()
    if target != host:
        bases.insert(0, target)  # the CNAME-expanded name is tried first (§2.2.3)
    steps = list(address.chain)
    for base in bases:
        tlsa = resolve(f"_25._tcp.{base}", "TLSA", net)
        steps += [s for s in tlsa.chain if s not in steps]
        if tlsa.status in (BOGUS, ERROR):
            return TlsaLookup(host, base, tlsa.status, (),
                              f"the TLSA lookup failed DNSSEC validation ({tlsa.reason}): "
                              "never treat that as 'no TLSA' (RFC 7672 §2.2)", tuple(steps))
        if tlsa.nsec3_over_limit:
            return _over_limit(host, tlsa, tuple(steps))
        if tlsa.status == INSECURE:
            return TlsaLookup(host, base, INSECURE, (),
                              f"the TLSA records are not DNSSEC-signed ({tlsa.reason}): they "
                              "must be ignored", tuple(steps))
        records, malformed, unreadable = _records(tlsa)
        if records or unreadable:
            return _found(host, base, records, malformed, unreadable, tuple(steps))
    return TlsaLookup(host, host, SECURE, (), "no TLSA records (proven by DNSSEC): DANE does "
                      "not apply to this MX", tuple(steps))


def _found(host, base, records, malformed, unreadable, steps) -> TlsaLookup:
    """A secure, non-empty TLSA set: what it holds, and whether any record is usable
    (if none is, TLS is still mandatory, unauthenticated: RFC 7672 §2.2, §3.1.3)."""
    notes = []
    if malformed:
        notes.append(f"{malformed} malformed record(s) ignored as unusable (RFC 7672 §2.2)")
    if unreadable:
        notes.append(f"{unreadable} record(s) too short to read, unusable (RFC 6698 §2.1)")
    count = len(records) + unreadable
    head = f"{count} record(s), DNSSEC-validated"
    if not any(r.usable for r in records):
        head += ("; TLSA records exist but none is usable: TLS is still mandatory, "
                 "without authentication (RFC 7672 §2.2, §3.1.3)")
    return TlsaLookup(host, base, SECURE, records, "; ".join([head, *notes]), steps,
                      unreadable)
