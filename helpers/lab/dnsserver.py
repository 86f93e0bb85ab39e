"""The lab's authoritative DNS server, over UDP and TCP (RFC 1035 §4.2, RFC 7766).

It answers from :class:`~helpers.lab.zones.Zones` for every lab zone at once,
so validators (dnspython, ``delv``) can use it as their only server and walk
the chain of trust from the lab root. With the DO bit set (RFC 3225) answers
carry RRSIGs, and negative answers carry the NSEC records and signatures that
prove them (RFC 4035 §3.1.3), or for a zone signed with NSEC3 the NSEC3
records RFC 5155 §7.2 asks for (:class:`_Nsec3Proofs`). CNAMEs, a wildcard's
too (RFC 4592 §4.3), are followed into any lab zone, and a DNAME answers for
the names below it with a synthesised, unsigned CNAME (RFC 6672 §3.1). UDP
answers larger than the client's EDNS size are truncated (TC) so that the
client retries over TCP.
"""

from __future__ import annotations

import asyncio
import logging
import struct

import dns.dnssec
import dns.exception
import dns.flags
import dns.message
import dns.opcode
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.zone

from .zones import Zones

log = logging.getLogger("helpers.lab.dns")

_RRSIG = dns.rdatatype.RRSIG
_NSEC = dns.rdatatype.NSEC


def _rrset(name, rdataset) -> dns.rrset.RRset:
    rrset = dns.rrset.RRset(name, rdataset.rdclass, rdataset.rdtype, rdataset.covers)
    rrset.update(rdataset)
    return rrset


class _Answer:
    """Builds one response: the records, and with DO their signatures."""

    def __init__(self, zone: dns.zone.Zone, response: dns.message.Message, dnssec: bool):
        self.zone, self.response, self.dnssec = zone, response, dnssec
        param = zone.get_rdataset(zone.origin, dns.rdatatype.NSEC3PARAM)
        self.nsec3 = _Nsec3Proofs(zone, param[0]) if param is not None else None

    def add_closest_encloser(self, qname) -> dns.name.Name:
        """NSEC3 only: the closest encloser proof (RFC 5155 §7.2.1): the NSEC3
        matching the closest encloser and the one covering the next closer name."""
        encloser = self.nsec3.closest_encloser(qname)
        if self.dnssec:
            self.nsec3.add(self, encloser)
            self.nsec3.add(self, qname.split(len(encloser) + 1)[1])
        return encloser

    def add(self, section, name, rdataset) -> None:
        section.append(_rrset(name, rdataset))
        if self.dnssec:
            node = self.zone.get_node(name)
            sigs = node and node.get_rdataset(dns.rdataclass.IN, _RRSIG, rdataset.rdtype)
            if sigs:
                section.append(_rrset(name, sigs))

    def add_synthesised(self, qname, wildcard, rdataset) -> None:
        """The wildcard's RRset (and RRSIG) under the owner name ``qname``."""
        self.response.answer.append(_rrset(qname, rdataset))
        if self.dnssec:
            sigs = self.zone.get_node(wildcard).get_rdataset(
                dns.rdataclass.IN, _RRSIG, rdataset.rdtype)
            if sigs:
                self.response.answer.append(_rrset(qname, sigs))

    def add_soa(self) -> None:
        self.add(self.response.authority, self.zone.origin,
                 self.zone.find_rdataset(self.zone.origin, dns.rdatatype.SOA))

    def add_nsec(self, name) -> None:
        """The NSEC at ``name``, or the one whose span covers it (RFC 4034 §4.1);
        in an NSEC3 zone, the NSEC3 matching or covering its hash."""
        if not self.dnssec:
            return
        if self.nsec3 is not None:
            self.nsec3.add(self, name)
            return
        owner = max((n for n, node in self.zone.nodes.items()
                     if n <= name and node.get_rdataset(dns.rdataclass.IN, _NSEC)),
                    default=None)
        if owner is None:
            return
        rrset = _rrset(owner, self.zone.nodes[owner].get_rdataset(dns.rdataclass.IN, _NSEC))
        if rrset not in self.response.authority:
            self.add(self.response.authority, owner,
                     self.zone.nodes[owner].get_rdataset(dns.rdataclass.IN, _NSEC))


class _Nsec3Proofs:
    """The NSEC3 chain of a zone (RFC 5155 §7.2): which NSEC3 matches or covers
    the hash of a name."""

    def __init__(self, zone: dns.zone.Zone, param):
        self.zone, self.param = zone, param
        self.chain = sorted((name[0].upper(), name) for name, node in zone.nodes.items()
                            if node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.NSEC3))

    def hash(self, name: dns.name.Name) -> bytes:
        return dns.dnssec.nsec3_hash(name, self.param.salt, self.param.iterations,
                                     self.param.algorithm).encode()

    def owner(self, name: dns.name.Name) -> dns.name.Name:
        """The NSEC3 owner matching ``name``'s hash, or the one covering it."""
        digest = self.hash(name)
        matching = [owner for h, owner in self.chain if h <= digest]
        return matching[-1] if matching else self.chain[-1][1]  # the last wraps round

    def matches(self, name: dns.name.Name) -> bool:
        return self.owner(name)[0].upper() == self.hash(name)

    def closest_encloser(self, qname: dns.name.Name) -> dns.name.Name:
        """The longest ancestor of ``qname`` with an NSEC3 of its own."""
        name = qname.parent()
        while name != self.zone.origin and not self.matches(name):
            name = name.parent()
        return name

    def add(self, answer: "_Answer", name: dns.name.Name) -> None:
        owner = self.owner(name)
        rds = self.zone.nodes[owner].get_rdataset(dns.rdataclass.IN, dns.rdatatype.NSEC3)
        if _rrset(owner, rds) not in answer.response.authority:
            answer.add(answer.response.authority, owner, rds)


def _closest_encloser(zone: dns.zone.Zone, qname: dns.name.Name) -> dns.name.Name:
    """The longest ancestor of ``qname`` that exists in ``zone`` (RFC 4592 §3.3.1),
    counting empty non-terminals as existing."""
    name = qname.parent()
    while name != zone.origin:
        if zone.get_node(name) is not None or any(n.is_subdomain(name) for n in zone.nodes):
            return name
        name = name.parent()
    return zone.origin


def _delegation(zone: dns.zone.Zone, qname: dns.name.Name):
    """The zone cut at or above ``qname`` inside ``zone`` (below its apex), if any."""
    name = qname
    while name != zone.origin and name.is_subdomain(zone.origin):
        node = zone.get_node(name)
        if node is not None and node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.NS):
            return name
        name = name.parent()
    return None


def answer(zones: Zones, query: dns.message.Message) -> dns.message.Message:
    """The authoritative response to ``query`` (pure: no sockets)."""
    response = dns.message.make_response(query, our_payload=1232)
    response.flags |= dns.flags.AA
    if query.flags & dns.flags.RD:
        # The lab server is the only server: it also plays the recursive
        # resolver a stub or delv asks, so it answers every lab name itself.
        response.flags |= dns.flags.RA
    dnssec = bool(query.ednsflags & dns.flags.DO)
    if dnssec:
        response.ednsflags |= dns.flags.DO
    if len(query.question) != 1 or query.opcode() != dns.opcode.QUERY:
        response.set_rcode(dns.rcode.NOTIMP if query.question else dns.rcode.FORMERR)
        return response
    q = query.question[0]
    qname, qtype = q.name, q.rdtype
    zone = zones.find(qname, qtype)
    if zone is None or q.rdclass != dns.rdataclass.IN:
        response.flags &= ~dns.flags.AA
        response.set_rcode(dns.rcode.REFUSED)
        return response
    a = _Answer(zone, response, dnssec)

    # Follow CNAMEs (and DNAMEs, RFC 6672 §3.2) inside the lab (RFC 1034
    # §3.6.2), at most a few hops.
    for _ in range(8):
        cut = _delegation(zone, qname)
        if cut is not None and not (qname == cut and qtype == dns.rdatatype.DS):
            # A referral: the child zone is not served here.
            response.flags &= ~dns.flags.AA
            a.add(response.authority, cut, zone.find_rdataset(cut, dns.rdatatype.NS))
            ds = zone.get_rdataset(cut, dns.rdatatype.DS)
            if ds is not None:
                a.add(response.authority, cut, ds)
            elif a.nsec3 is not None and not a.nsec3.matches(cut):
                a.add_closest_encloser(cut)  # an Opt-Out span (RFC 5155 §7.2.7)
            else:
                a.add_nsec(cut)
            return response
        dname = _dname_above(zone, qname)
        if dname is not None:
            qname = _substitute_dname(a, qname, *dname)
            if qname is None:
                return response
            zone = zones.find(qname, qtype)
            if zone is None:
                return response
            a = _Answer(zone, response, dnssec)
            continue
        node = zone.get_node(qname)
        if node is None:
            if any(n.is_subdomain(qname) for n in zone.nodes):
                # An empty non-terminal: the name exists, without data.
                a.add_soa()
                a.add_nsec(qname)
                return response
            absent = _nsec3_absent if a.nsec3 is not None else _nsec_absent
            target = absent(zone, a, qname, qtype)
            if target is None:
                return response
            qname, zone = target, zones.find(target, qtype)  # a wildcard CNAME: follow it
            if zone is None:
                return response
            a = _Answer(zone, response, dnssec)
            continue
        if qtype == dns.rdatatype.ANY:
            for rds in node.rdatasets:
                if rds.rdtype != _RRSIG:
                    a.add(response.answer, qname, rds)
            return response
        rds = node.get_rdataset(dns.rdataclass.IN, qtype,
                                dns.rdatatype.NONE if qtype != _RRSIG else dns.rdatatype.ANY)
        if rds is not None:
            a.add(response.answer, qname, rds)
            return response
        cname = node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.CNAME)
        if cname is not None and qtype != dns.rdatatype.CNAME:
            a.add(response.answer, qname, cname)
            qname = cname[0].target
            zone = zones.find(qname, qtype)
            if zone is None:
                return response
            a = _Answer(zone, response, dnssec)
            continue
        a.add_soa()  # NODATA
        if a.nsec3 is not None and qtype == dns.rdatatype.DS and not a.nsec3.matches(qname):
            a.add_closest_encloser(qname)  # no DS in an Opt-Out span (RFC 5155 §7.2.4)
        else:
            a.add_nsec(qname)
        return response
    return response


def _wildcard_cname(a: _Answer, qname, wildcard, wild, qtype) -> dns.name.Name | None:
    """A wildcard owning a CNAME answers every type (RFC 4592 §4.3, RFC 1034
    §4.3.2): synthesise the CNAME at ``qname`` (its RRSIG keeps the wildcard's
    labels count, RFC 4035 §5.3.4) and return its target, for the chain to go on."""
    cname = wild.get_rdataset(dns.rdataclass.IN, dns.rdatatype.CNAME)
    if cname is None or qtype in (dns.rdatatype.CNAME, _RRSIG, _NSEC, dns.rdatatype.NSEC3):
        return None
    a.add_synthesised(qname, wildcard, cname)
    return cname[0].target


def _nsec_absent(zone, a: _Answer, qname, qtype) -> dns.name.Name | None:
    """``qname`` does not exist in an NSEC zone: a wildcard answer (RFC 4592
    §3.3.1, RFC 4035 §3.1.3.3), a wildcard NODATA (§3.1.3.4) or a name error
    (§3.1.3.2). Returns the target of a wildcard CNAME, to be followed, else None."""
    response = a.response
    encloser = _closest_encloser(zone, qname)
    wildcard = dns.name.from_text("*", encloser)
    wild = zone.get_node(wildcard)
    if wild is not None:
        # RFC 4592 §3.3.1: synthesise from the wildcard; the RRSIG keeps
        # the wildcard's labels count (RFC 4035 §5.3.4) and the NSEC
        # covering qname proves that no closer name exists (§3.1.3.3).
        rds = wild.get_rdataset(dns.rdataclass.IN, qtype)
        if rds is not None and qtype not in (_RRSIG, _NSEC):
            a.add_synthesised(qname, wildcard, rds)
            a.add_nsec(qname)
            return None
        target = _wildcard_cname(a, qname, wildcard, wild, qtype)
        if target is not None:
            a.add_nsec(qname)
            return target
        a.add_soa()  # wildcard NODATA (RFC 4035 §3.1.3.4)
        a.add_nsec(qname)
        a.add_nsec(wildcard)
        return None
    response.set_rcode(dns.rcode.NXDOMAIN)
    a.add_soa()
    a.add_nsec(qname)
    a.add_nsec(wildcard)  # the NSEC covering *.<closest encloser> (RFC 4035 §3.1.3.2)
    return None


def _dname_above(zone: dns.zone.Zone, qname: dns.name.Name):
    """The DNAME at a proper ancestor of ``qname`` in ``zone``, from the apex
    down (RFC 6672 §3.2): (owner, DNAME rdataset), or None."""
    for depth in range(len(zone.origin), len(qname)):
        owner = qname.split(depth)[1]
        node = zone.get_node(owner)
        rds = node and node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.DNAME)
        if rds:
            return owner, rds
    return None


def _substitute_dname(a: _Answer, qname, owner, dname) -> dns.name.Name | None:
    """RFC 6672 §3.1: the DNAME (signed) and a CNAME synthesised from it, unsigned,
    with the DNAME's TTL (§5.3: a validator checks it against the DNAME); returns
    the new name to go on with, or None (YXDOMAIN) if it would be too long."""
    a.add(a.response.answer, owner, dname)
    try:
        target = qname.relativize(owner).derelativize(dname[0].target)
    except dns.name.NameTooLong:
        a.response.set_rcode(dns.rcode.YXDOMAIN)
        return None
    cname = dns.rrset.from_rdata(qname, dname.ttl, dns.rdata.from_text(
        dns.rdataclass.IN, dns.rdatatype.CNAME, target.to_text()))
    a.response.answer.append(cname)
    return target


def _nsec3_absent(zone, a: _Answer, qname, qtype) -> dns.name.Name | None:
    """``qname`` does not exist in an NSEC3 zone: a wildcard answer (RFC 5155
    §7.2.6), a wildcard NODATA (§7.2.5) or a name error (§7.2.2). Returns the
    target of a wildcard CNAME, to be followed, else None."""
    response = a.response
    encloser = a.nsec3.closest_encloser(qname)
    wildcard = dns.name.from_text("*", encloser)
    wild = zone.get_node(wildcard)
    if wild is not None:
        rds = wild.get_rdataset(dns.rdataclass.IN, qtype)
        target = None
        if rds is not None and qtype not in (_RRSIG, dns.rdatatype.NSEC3):
            a.add_synthesised(qname, wildcard, rds)
        else:
            target = _wildcard_cname(a, qname, wildcard, wild, qtype)
        if rds is not None and qtype not in (_RRSIG, dns.rdatatype.NSEC3) or target:
            if a.dnssec:  # the NSEC3 covering the next closer name
                a.nsec3.add(a, qname.split(len(encloser) + 1)[1])
            return target
        a.add_soa()
        a.add_closest_encloser(qname)
        a.add_nsec(wildcard)  # the NSEC3 matching the wildcard
        return None
    response.set_rcode(dns.rcode.NXDOMAIN)
    a.add_soa()
    a.add_closest_encloser(qname)
    a.add_nsec(wildcard)  # the NSEC3 covering the wildcard
    return None


def _wire(server: "DNSServer", data: bytes, max_size: int | None) -> bytes | None:
    """Answer wire-format ``data``; ``max_size`` is the UDP floor (None for TCP).
    An on-path attacker (``server.attacker``), if any, rewrites or drops the answer."""
    zones = server.zones
    server.queries += 1
    try:
        query = dns.message.from_wire(data)
    except dns.exception.DNSException as e:
        log.info("dropped malformed query: %s", e)
        return None
    try:
        response = answer(zones, query)
    except Exception:  # a lab bug must not kill the server; answer SERVFAIL
        log.exception("error answering %s", query.question)
        response = dns.message.make_response(query)
        response.set_rcode(dns.rcode.SERVFAIL)
    if server.attacker is not None:
        try:
            response = server.attacker(query, response)
        except Exception:  # a broken forgery must not kill the server
            log.exception("DNS attacker failed on %s", query.question)
        if response is None:
            return None
    if max_size is None:  # TCP: no EDNS size limit applies (RFC 7766 §8)
        return response.to_wire(max_size=65535)
    size = max(max_size, query.payload if query.edns >= 0 else 512)
    try:
        return response.to_wire(max_size=size)
    except dns.exception.TooBig:
        response.answer.clear()
        response.authority.clear()
        response.additional.clear()
        response.flags |= dns.flags.TC
        return response.to_wire()


class _UDP(asyncio.DatagramProtocol):
    def __init__(self, server: "DNSServer"):
        self.server = server

    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        reply = _wire(self.server, data, max_size=512)
        if reply is not None:
            # The benchmark's simulated network latency (DNSServer.delay): answers
            # are held back without blocking the loop, so concurrent queries overlap.
            asyncio.get_running_loop().call_later(self.server.delay, self.transport.sendto,
                                                  reply, addr)


async def _tcp(server: "DNSServer", reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
    try:
        while True:
            # RFC 7766 §6.2.3: idle connections are closed after a short while.
            header = await asyncio.wait_for(reader.readexactly(2), 10)
            (length,) = struct.unpack("!H", header)
            data = await asyncio.wait_for(reader.readexactly(length), 10)
            reply = _wire(server, data, max_size=None)
            if reply is None:
                continue  # dropped: the client waits in vain
            if server.delay:
                await asyncio.sleep(server.delay)
            writer.write(struct.pack("!H", len(reply)) + reply)
            await writer.drain()
    except (asyncio.IncompleteReadError, asyncio.TimeoutError, ConnectionError,
            asyncio.CancelledError):
        pass
    finally:
        writer.close()


class DNSServer:
    """UDP and TCP listeners on one loopback port, answering from ``zones``.
    ``attacker``: a callable (query, response) -> response or None (drop) on the
    path (see :mod:`helpers.lab.dnsattack`); ``queries`` counts questions;
    ``delay``: seconds each answer is held back (simulated latency; 0 normally)."""

    def __init__(self, zones: Zones):
        self.zones = zones
        self.attacker = None
        self.queries = 0
        self.delay = 0.0
        self.port: int | None = None
        self._udp = self._tcp = None

    async def start(self, address: str, port: int = 0) -> None:
        loop = asyncio.get_running_loop()
        if port:  # a fixed port (the standard-ports mode: 53)
            from .ownaddr import bind_error
            try:
                self._tcp = await asyncio.start_server(lambda r, w: _tcp(self, r, w), address, port)
                self.port = port
                self._udp, _ = await loop.create_datagram_endpoint(
                    lambda: _UDP(self), local_addr=(address, port))
            except OSError as e:
                if self._tcp is not None:
                    self._tcp.close()
                raise bind_error(address, port, e) from None
            return
        for attempt in range(20):
            # The OS picks a free TCP port; the same UDP port is free too almost
            # always, and when it is not we simply try another.
            self._tcp = await asyncio.start_server(
                lambda r, w: _tcp(self, r, w), address, 0)
            self.port = self._tcp.sockets[0].getsockname()[1]
            try:
                self._udp, _ = await loop.create_datagram_endpoint(
                    lambda: _UDP(self), local_addr=(address, self.port))
                return
            except OSError:
                self._tcp.close()
        raise OSError("could not find a port free for both UDP and TCP")

    async def stop(self) -> None:
        if self._udp is not None:
            self._udp.close()
        if self._tcp is not None:
            self._tcp.close()
            await self._tcp.wait_closed()
