"""DNSSEC validation of one lookup, from the network's trust anchor down.

``resolve(name, rdtype, net)`` asks the network's nameserver with the DO bit
set, then proves the answer (RFC 4033 §5, RFC 4035 §5): each RRset's RRSIG
must verify with its zone's DNSKEY, each zone's DNSKEY must match a DS record
that its parent signed, up to a root DNSKEY that matches the trust anchor.
A negative answer is proven by signed NSEC records (RFC 4035 §5.4). The
outcome is one of RFC 4035 §4.3's states:

- ``secure``: the chain of trust holds;
- ``insecure``: a signed NSEC proves a zone on the way has no DS (unsigned);
- ``bogus``: a signature, key or proof that should be there is wrong or missing;
- ``error``: no usable answer (timeout, SERVFAIL, REFUSED).

Every step is recorded in ``Lookup.chain`` so notebooks can show the chain.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import dns.dnssec
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.zone

from .net import Network, NetworkError

SECURE, INSECURE, BOGUS, ERROR = "secure", "insecure", "bogus", "error"


@dataclass(frozen=True)
class Lookup:
    """One validated lookup: the records (``None`` if proven absent), the
    DNSSEC status, why, and the chain of trust step by step."""

    name: str
    rdtype: str
    status: str
    rrset: dns.rrset.RRset | None
    rcode: str
    reason: str
    chain: tuple[str, ...] = ()

    @property
    def records(self) -> tuple[str, ...]:
        return tuple(r.to_text() for r in self.rrset) if self.rrset is not None else ()

    def __str__(self) -> str:
        head = f"{self.name} {self.rdtype}: {self.status.upper()} ({self.reason})"
        body = [f"  {r}" for r in self.records] or [f"  no records ({self.rcode})"]
        return "\n".join([head, *body])

    def _repr_html_(self) -> str:
        steps = "".join(f"<li>{html.escape(s)}</li>" for s in self.chain)
        return (f"<p><code>{html.escape(self.name)} {html.escape(self.rdtype)}</code>: "
                f"<b>{html.escape(self.status)}</b> ({html.escape(self.reason)})</p>"
                f"<pre>{html.escape(chr(10).join(self.records) or self.rcode)}</pre>"
                f"<ol>{steps}</ol>")


class _Outcome(Exception):
    def __init__(self, status: str, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


def _anchors(net: Network) -> dns.rrset.RRset:
    if not net.trust_anchor:
        raise _Outcome(ERROR, f"network {net.name!r} has no DNSSEC trust anchor")
    zone = dns.zone.from_text(net.trust_anchor, origin=dns.name.root, relativize=False,
                              check_origin=False)
    return zone.find_rrset(dns.name.root, dns.rdatatype.DS)


class _Validator:
    def __init__(self, net: Network):
        self.net = net
        self.chain: list[str] = []
        self.keys: dict[dns.name.Name, dns.rrset.RRset] = {}

    def ask(self, name: dns.name.Name, rdtype) -> dns.message.Message:
        try:
            response = self.net.query(name, rdtype, dnssec=True)
        except NetworkError as e:
            raise _Outcome(ERROR, str(e)) from None
        if response.rcode() not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
            raise _Outcome(ERROR if response.rcode() != dns.rcode.SERVFAIL else BOGUS,
                           f"{name} {dns.rdatatype.to_text(rdtype)}: "
                           f"{dns.rcode.to_text(response.rcode())}")
        return response

    @staticmethod
    def _find(section, name, rdtype, covers=dns.rdatatype.NONE):
        for rrset in section:
            if rrset.name == name and rrset.rdtype == rdtype and rrset.covers == covers:
                return rrset
        return None

    def verify(self, rrset: dns.rrset.RRset, section) -> dns.name.Name:
        """Check ``rrset``'s RRSIG with its signer's validated keys; return the signer."""
        sigs = self._find(section, rrset.name, dns.rdatatype.RRSIG, rrset.rdtype)
        what = f"{rrset.name} {dns.rdatatype.to_text(rrset.rdtype)}"
        if sigs is None:
            signer = self.zone_of(rrset.name)
            self.keys_of(signer)  # raises insecure if the zone is unsigned
            raise _Outcome(BOGUS, f"{what} has no RRSIG, but zone {signer} is signed")
        # RFC 4035 §5.3.1: the signer must be the zone holding the data, so an
        # ancestor of its name (for a DS record, strictly: the parent side). A
        # signature by any other zone, however valid its keys, proves nothing.
        is_ds = rrset.rdtype == dns.rdatatype.DS
        eligible = [r.signer for r in sigs if rrset.name.is_subdomain(r.signer)
                    and not (is_ds and r.signer == rrset.name)]
        if not eligible:
            raise _Outcome(BOGUS, f"{what} is signed by {sigs[0].signer}, a zone that does "
                           "not contain it (RFC 4035 §5.3.1)")
        signer = max(eligible, key=len)
        keys = self.keys_of(signer)
        try:
            dns.dnssec.validate(rrset, sigs, {signer: keys})
        except dns.dnssec.ValidationFailure as e:
            raise _Outcome(BOGUS, f"the RRSIG over {what} does not verify ({e})") from None
        self.chain.append(f"{what}: RRSIG by {signer} key {sigs[0].key_tag} verifies")
        return signer

    def zone_of(self, name: dns.name.Name) -> dns.name.Name:
        response = self.ask(name, dns.rdatatype.SOA)
        for rrset in list(response.answer) + list(response.authority):
            if rrset.rdtype == dns.rdatatype.SOA:
                return rrset.name
        raise _Outcome(ERROR, f"cannot tell which zone {name} is in (no SOA)")

    def keys_of(self, zone: dns.name.Name) -> dns.rrset.RRset:
        """The zone's DNSKEY RRset, proven from the trust anchor down."""
        if zone in self.keys:
            return self.keys[zone]
        dnskey_response = self.ask(zone, dns.rdatatype.DNSKEY)
        if zone == dns.name.root:
            ds_set = _anchors(self.net)
            source = "the trust anchor"
        else:
            ds_response = self.ask(zone, dns.rdatatype.DS)
            ds_set = self._find(ds_response.answer, zone, dns.rdatatype.DS)
            if ds_set is None:
                self.prove_no_ds(zone, ds_response)
            signer = self.verify(ds_set, ds_response.answer)
            source = f"DS in {signer}"
        dnskeys = self._find(dnskey_response.answer, zone, dns.rdatatype.DNSKEY)
        if dnskeys is None:
            raise _Outcome(BOGUS, f"{zone} has a DS record but publishes no DNSKEY")
        matched = []
        for key in dnskeys:
            for ds in ds_set:
                if ds.key_tag != dns.dnssec.key_id(key):
                    continue
                try:
                    if dns.dnssec.make_ds(zone, key, ds.digest_type) == ds:
                        matched.append(key)
                except (dns.dnssec.UnsupportedAlgorithm, ValueError):
                    continue
        if not matched:
            raise _Outcome(BOGUS, f"no DNSKEY of {zone} matches {source}")
        sigs = self._find(dnskey_response.answer, zone, dns.rdatatype.RRSIG, dns.rdatatype.DNSKEY)
        if sigs is None:
            raise _Outcome(BOGUS, f"the DNSKEY RRset of {zone} is not signed")
        # Only a key the DS (or anchor) vouches for may vouch for the others
        # (RFC 4035 §5.2): a key slipped into the set cannot sign it.
        vouched = dns.rrset.from_rdata_list(zone, dnskeys.ttl, matched)
        try:
            dns.dnssec.validate(dnskeys, sigs, {zone: vouched})
        except dns.dnssec.ValidationFailure as e:
            raise _Outcome(BOGUS, f"the DNSKEY RRset of {zone} is not signed by the key "
                           f"that {source} names ({e})") from None
        self.chain.append(f"{zone} DNSKEY {dns.dnssec.key_id(matched[0])} matches {source}"
                          " and signs the zone's keys")
        self.keys[zone] = dnskeys
        return dnskeys

    def prove_no_ds(self, zone: dns.name.Name, response: dns.message.Message) -> None:
        """A signed NSEC at the cut without the DS bit: the zone is unsigned."""
        nsec = self._find(response.authority, zone, dns.rdatatype.NSEC)
        if nsec is None:
            parent = self.zone_of(zone.parent())
            self.keys_of(parent)  # raises insecure if the parent is unsigned too
            raise _Outcome(BOGUS, f"no DS for {zone} and no NSEC proving its absence")
        self.verify(nsec, response.authority)
        types = _nsec_types(nsec[0])
        if dns.rdatatype.DS in types or dns.rdatatype.NS not in types:
            raise _Outcome(BOGUS, f"the NSEC at {zone} does not prove an unsigned delegation")
        self.chain.append(f"{zone}: signed NSEC proves there is no DS: an unsigned zone")
        raise _Outcome(INSECURE, f"{zone} is not signed (no DS in its parent)")


def _nsec_types(nsec) -> set[int]:
    types = set()
    for window, bitmap in nsec.windows:
        for i, byte in enumerate(bitmap):
            for bit in range(8):
                if byte & (0x80 >> bit):
                    types.add(window * 256 + i * 8 + bit)
    return types


def _covers(nsec_rrset: dns.rrset.RRset, name: dns.name.Name) -> bool:
    owner, nxt = nsec_rrset.name, nsec_rrset[0].next
    if owner < nxt:
        return owner < name < nxt
    return name > owner or name < nxt  # the last NSEC wraps to the apex


def resolve(name: str, rdtype: str, net: Network) -> Lookup:
    """Look ``name``/``rdtype`` up on ``net`` and validate it from the trust anchor."""
    qname = dns.name.from_text(name)
    rdtype_i = dns.rdatatype.from_text(rdtype)
    v = _Validator(net)
    rrset, rcode = None, "NOERROR"
    try:
        response = v.ask(qname, rdtype_i)
        rcode = dns.rcode.to_text(response.rcode())
        target, links = qname, []
        for _ in range(8):  # follow a CNAME chain (RFC 1034 §3.6.2)
            found = v._find(response.answer, target, rdtype_i)
            cname = v._find(response.answer, target, dns.rdatatype.CNAME)
            if found is not None or cname is None:
                rrset = found
                break
            links.append(cname)
            target = cname[0].target
        for link in links:
            v.verify(link, response.answer)
        if rrset is not None:
            v.verify(rrset, response.answer)
            return Lookup(name, rdtype, SECURE, rrset, rcode,
                          "signatures verified up to the trust anchor", tuple(v.chain))
        _prove_negative(v, response, target, rdtype_i)
        what = "the name does not exist" if rcode == "NXDOMAIN" else "no such records"
        return Lookup(name, rdtype, SECURE, None, rcode, f"{what}: proven by signed NSEC",
                      tuple(v.chain))
    except _Outcome as o:
        # Insecure data is still data (RFC 4035 §4.3); bogus data is withheld.
        kept = rrset if o.status == INSECURE else None
        return Lookup(name, rdtype, o.status, kept, rcode, o.reason, tuple(v.chain))


def _prove_negative(v: _Validator, response, name, rdtype_i) -> None:
    nsecs = [r for r in response.authority if r.rdtype == dns.rdatatype.NSEC]
    if not nsecs:
        zone = v.zone_of(name)
        v.keys_of(zone)  # insecure zones end here
        raise _Outcome(BOGUS, f"a signed zone ({zone}) answered without an NSEC proof")
    for nsec in nsecs:
        v.verify(nsec, response.authority)
    if response.rcode() == dns.rcode.NXDOMAIN:
        if not any(_covers(n, name) for n in nsecs):
            raise _Outcome(BOGUS, f"no NSEC covers {name}: the NXDOMAIN is unproven")
        v.chain.append(f"NSEC {nsecs[0].name} -> {nsecs[0][0].next} proves {name} does not exist")
        return
    for n in nsecs:
        if n.name == name:
            types = _nsec_types(n[0])
            if rdtype_i in types or dns.rdatatype.CNAME in types:
                raise _Outcome(BOGUS, f"the NSEC at {name} lists the type it should deny")
            v.chain.append(f"NSEC at {name} proves it has no "
                           f"{dns.rdatatype.to_text(rdtype_i)} records")
            return
        if _covers(n, name) and n[0].next.is_subdomain(name):
            v.chain.append(f"NSEC proves {name} is an empty non-terminal")
            return
    raise _Outcome(BOGUS, f"no NSEC proves that {name} has no such records")
