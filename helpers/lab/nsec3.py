"""NSEC3 (RFC 5155) for lab zones: the hashed chain most TLDs publish, with Opt-Out.

dnspython signs zones with NSEC only (``sign_zone(nsec3=...)`` is not
implemented), so a zone is signed with NSEC first and :func:`rechain` then
replaces the NSEC chain with an NSEC3 chain (RFC 5155 §7.1) and signs it:

- one NSEC3 per authoritative name, delegation point and empty non-terminal,
  owned by ``<base32hex of the hash>.<zone>``, sorted by hash, each pointing to
  the next hash (the last to the first);
- with Opt-Out (RFC 5155 §6), delegations without DS (insecure ones) get no
  NSEC3 of their own: they fall in the span of an NSEC3 whose Opt-Out flag says
  "unsigned delegations may hide here", as in .com;
- an NSEC3PARAM at the apex (RFC 5155 §4) tells the server how to hash.

Hash parameters follow RFC 9276 §3.1 (no salt, 0 extra iterations) unless a
scenario asks for others (to show RFC 9276 §3.2's iteration limit).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import dns.dnssec
import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.NSEC3
import dns.rdtypes.ANY.NSEC3PARAM
import dns.rrset
import dns.zone

_NSEC, _NSEC3, _RRSIG = dns.rdatatype.NSEC, dns.rdatatype.NSEC3, dns.rdatatype.RRSIG
SHA1 = 1  # the only NSEC3 hash algorithm (RFC 5155 §11)
OPT_OUT = 0x01  # the NSEC3 Opt-Out flag (RFC 5155 §3.1.2.1)


@dataclass(frozen=True)
class Nsec3:
    """How a scenario's zone is signed with NSEC3: Opt-Out or not, iterations, salt (hex)."""

    opt_out: bool = True
    iterations: int = 0
    salt: str = ""


def hashed_owner(name: dns.name.Name, origin: dns.name.Name, params: Nsec3) -> dns.name.Name:
    """``<base32hex(H(name))>.<origin>`` (RFC 5155 §3, §5)."""
    digest = dns.dnssec.nsec3_hash(name, params.salt or None, params.iterations, SHA1)
    return dns.name.Name((digest.lower().encode(),)).concatenate(origin)


def rechain(zone: dns.zone.Zone, params: Nsec3, key, dnskey, *, ttl: int,
            inception, expiration) -> None:
    """Replace the NSEC chain of an NSEC-signed ``zone`` by an NSEC3 chain, signed."""
    origin = zone.origin
    members: dict[dns.name.Name, set[int]] = {}
    for name, node in list(zone.nodes.items()):
        if node.get_rdataset(dns.rdataclass.IN, _NSEC) is None:
            continue  # below a zone cut (glue): not authoritative, no NSEC, no NSEC3
        node.delete_rdataset(dns.rdataclass.IN, _NSEC)
        node.delete_rdataset(dns.rdataclass.IN, _RRSIG, _NSEC)
        types = {r.rdtype for r in node.rdatasets}
        is_cut = name != origin and dns.rdatatype.NS in types
        if is_cut and dns.rdatatype.DS not in types and params.opt_out:
            continue  # an insecure delegation: RFC 5155 §6, covered by an Opt-Out span
        members[name] = types
        # Empty non-terminals between the name and the apex (RFC 5155 §7.1).
        parent = name
        while parent != origin:
            parent = parent.parent()
            if parent not in zone.nodes:
                members.setdefault(parent, set())
    members[origin].add(dns.rdatatype.NSEC3PARAM)
    hashed = sorted((hashed_owner(n, origin, params), n) for n in members)
    flags = OPT_OUT if params.opt_out else 0
    salt = bytes.fromhex(params.salt)
    new_rrsets = [dns.rrset.from_rdata(origin, ttl, dns.rdtypes.ANY.NSEC3PARAM.NSEC3PARAM(
        dns.rdataclass.IN, dns.rdatatype.NSEC3PARAM, SHA1, 0, params.iterations, salt))]
    for i, (owner, name) in enumerate(hashed):
        following = hashed[(i + 1) % len(hashed)][0]
        # The types at the name, RRSIG included where there is signed data.
        bitmap = dns.rdtypes.ANY.NSEC3.Bitmap.from_rdtypes(sorted(members[name]))
        new_rrsets.append(dns.rrset.from_rdata(owner, ttl, dns.rdtypes.ANY.NSEC3.NSEC3(
            dns.rdataclass.IN, _NSEC3, SHA1, flags, params.iterations, salt,
            base64.b32hexdecode(following[0].upper()), bitmap)))
    for rrset in new_rrsets:
        rrsig = dns.dnssec.sign(rrset, key, origin, dnskey, inception=inception,
                                expiration=expiration, deterministic=True)
        node = zone.find_node(rrset.name, create=True)
        node.replace_rdataset(rrset.to_rdataset())
        sigs = node.find_rdataset(dns.rdataclass.IN, _RRSIG, rrset.rdtype, create=True)
        sigs.clear()
        sigs.add(rrsig, ttl)
