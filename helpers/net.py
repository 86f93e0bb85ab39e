"""The network a helper talks to: the lab on loopback, or the real internet.

Every helper that touches the network takes a :class:`Network` and asks it
which nameserver to query, which certificate authorities to trust, where a host
name's SMTP or HTTPS service is, and how long to wait. Nothing else reads the
system resolver or opens sockets on its own, so the same code runs against the
lab (``lab.net``) and against real domains (``Network.live()``).
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import struct
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rdatatype
import dns.resolver

__all__ = ["Endpoint", "Network", "NetworkError", "not_public"]


class NetworkError(OSError):
    """A host could not be located or reached; the message says which and why."""


@dataclass(frozen=True)
class Endpoint:
    """Where a host's services listen: one address, and a port per service."""

    address: str
    smtp: int | None = None
    https: int | None = None


_EMPTY: Mapping[str, Endpoint] = MappingProxyType({})


def _key(host: str) -> str:
    return host.rstrip(".").lower()


@dataclass(frozen=True)
class Network:
    """Which resolver, trust store, addresses, ports and timeouts to use.

    ``nameserver=None`` means the system's resolver configuration.
    ``dnssec=True`` sets the DO bit (RFC 4035 §3.2.1) so that answers carry
    RRSIGs; validation itself is the DANE helpers' job, from ``trust_anchor``.
    ``hosts`` overrides where a host's services are (the lab's routing table,
    a live view the lab updates when an attacker is put on a path); hosts not
    in it are found through DNS on the standard ports (25, 443).

    ``deadline`` (a :func:`time.monotonic` time, or None) bounds every
    operation over this network: each DNS query and connection waits at most
    what is left of it (:meth:`time_left`), so a caller with a time budget
    (``helpers.domain.inspect``) passes it down as socket timeouts instead of
    leaving work running after it has given up.

    On the live network (not the lab), addresses found through DNS that are
    not on the public internet (loopback, private, link-local, ...) are
    refused (:meth:`address_of`): a domain's DNS cannot make a learner's
    machine probe its own network. The lab is loopback by design.
    """

    name: str = "live"
    nameserver: str | None = None
    dns_port: int = 53
    dnssec: bool = True
    ca_file: str | None = None  # None: the system trust store
    trust_anchor: str | None = None  # zone-file text of the root DS records
    hosts: Mapping[str, Endpoint] = field(default_factory=lambda: _EMPTY)
    smtp_port: int = 25
    https_port: int = 443
    dns_timeout: float = 3.0
    connect_timeout: float = 5.0
    io_timeout: float = 10.0
    deadline: float | None = None
    # DKIM signing keys (domain -> private key) of the sending domains this
    # network speaks for: the lab's, so that its report mail is signed as RFC
    # 8460 §3 requires. Empty on the live network.
    dkim_keys: Mapping[str, object] = field(default_factory=lambda: _EMPTY)

    @classmethod
    def live(cls, nameserver: str | None = None, *, dnssec: bool = True,
             **timeouts: float) -> "Network":
        """The real internet: the system resolver (or ``nameserver``, e.g.
        ``"9.9.9.9"``), the system trust store, ports 25 and 443, and the root
        zone's published trust anchor for DNSSEC."""
        from helpers import _root_anchor
        return cls(name="live", nameserver=nameserver, dnssec=dnssec,
                   trust_anchor=_root_anchor.ROOT_DS, **timeouts)

    @property
    def is_lab(self) -> bool:
        return self.name != "live"

    def time_left(self, limit: float) -> float:
        """``limit`` seconds, or less when the network's ``deadline`` is nearer;
        NetworkError once the deadline has passed."""
        if self.deadline is None:
            return limit
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise NetworkError("the time budget ran out before this network operation")
        return min(limit, left)

    # -- DNS ---------------------------------------------------------------

    def resolver(self) -> dns.resolver.Resolver:
        """A dnspython resolver for this network (DO bit set when ``dnssec``)."""
        if self.nameserver is None:
            res = dns.resolver.Resolver(configure=True)
        else:
            res = dns.resolver.Resolver(configure=False)
            res.nameservers = [self.nameserver]
        res.port = self.dns_port
        res.timeout = res.lifetime = self.time_left(self.dns_timeout)
        if self.dnssec:
            res.use_edns(0, dns.flags.DO, 1232)
        return res

    def query(self, qname: str | dns.name.Name, rdtype: str | int,
              *, dnssec: bool | None = None) -> dns.message.Message:
        """Send one query and return the whole response (answer, authority,
        RRSIGs, rcode), for code that must see more than the answer: DNSSEC
        validation, NXDOMAIN proofs. Truncated UDP answers are retried over TCP."""
        want = self.dnssec if dnssec is None else dnssec
        server = self.nameserver or self.resolver().nameservers[0]
        q = dns.message.make_query(qname, rdtype, want_dnssec=want, payload=1232)
        try:
            # UDP, then TCP when truncated (RFC 7766), each within what is left.
            try:
                r = dns.query.udp(q, server, timeout=self.time_left(self.dns_timeout),
                                  port=self.dns_port, raise_on_truncation=True)
            except dns.message.Truncated:
                r = dns.query.tcp(q, server, timeout=self.time_left(self.dns_timeout),
                                  port=self.dns_port)
        except (dns.exception.DNSException, OSError) as e:
            # Timeouts, and answers that do not parse (a forged or broken record
            # can make dnspython refuse the whole message): no usable answer.
            raise NetworkError(
                f"DNS query {qname} {dns.rdatatype.to_text(dns.rdatatype.RdataType.make(rdtype))}"
                f" to {server}:{self.dns_port} failed: {e or 'timed out'}") from e
        return r

    @property
    def stopped(self) -> str:
        """Why this network cannot work any more ("" while it can): a lab's
        network once that lab was stopped, or replaced by a later ``Lab.start()``."""
        return getattr(self.hosts, "stopped", "") or ""

    def query_wire(self, wire: bytes) -> bytes:
        """Send one query given as wire bytes and return the response bytes
        unparsed, for a caller that must see records dnspython refuses. UDP,
        then TCP when truncated (RFC 7766); one deadline (``dns_timeout``) for
        the whole exchange, so junk datagrams or a trickling server cannot hold
        it; only a reply from the server, with the query's id, counts."""
        server = self.nameserver or self.resolver().nameservers[0]
        deadline = time.monotonic() + self.time_left(self.dns_timeout)

        def left() -> float:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise NetworkError(f"DNS query to {server}:{self.dns_port} timed out")
            return remaining

        try:
            with socket.socket(socket.AF_INET6 if ":" in server else socket.AF_INET,
                               socket.SOCK_DGRAM) as s:
                s.connect((server, self.dns_port))  # connected: other sources are not read
                s.send(wire)
                while True:
                    s.settimeout(left())
                    data = s.recv(65535)
                    if data[:2] == wire[:2]:
                        break
            if len(data) > 2 and data[2] & 0x02:  # TC: ask again over TCP (RFC 7766)
                with socket.create_connection((server, self.dns_port), timeout=left()) as s:
                    s.sendall(struct.pack("!H", len(wire)) + wire)
                    buf = b""
                    while len(buf) < 2 or len(buf) < 2 + struct.unpack("!H", buf[:2])[0]:
                        s.settimeout(left())
                        chunk = s.recv(65535)
                        if not chunk:
                            raise NetworkError(f"DNS over TCP to {server}: connection closed")
                        buf += chunk
                data = buf[2:2 + struct.unpack("!H", buf[:2])[0]]
        except TimeoutError:  # a read's share of the deadline ran out
            raise NetworkError(f"DNS query to {server}:{self.dns_port} timed out") from None
        return data

    # -- services ----------------------------------------------------------

    def _endpoint(self, host: str, service: str, default_port: int) -> tuple[str, int]:
        ep = self.hosts.get(_key(host))
        if ep is not None:
            port = getattr(ep, service)
            if port is None:
                raise NetworkError(f"{host} runs no {service.upper()} service on {self.name}")
            return ep.address, port
        if self.is_lab:
            raise NetworkError(
                f"{host} is not a host of the {self.name} network "
                f"(known hosts: {', '.join(sorted(self.hosts)) or 'none'})")
        return self.address_of(host), default_port

    def smtp_endpoint(self, host: str) -> tuple[str, int]:
        """(address, port) of ``host``'s SMTP service (port 25 on the internet)."""
        return self._endpoint(host, "smtp", self.smtp_port)

    def https_endpoint(self, host: str) -> tuple[str, int]:
        """(address, port) of ``host``'s HTTPS service (port 443 on the internet)."""
        return self._endpoint(host, "https", self.https_port)

    def address_of(self, host: str) -> str:
        """First IPv4 (else IPv6) address of ``host`` through this network's resolver.

        On the live network an address that is not on the public internet is
        refused (see the class docstring): NetworkError naming it and why.
        Every connection to a host found through DNS gets its address here."""
        refused = []
        for rdtype in ("A", "AAAA"):
            try:
                answer = self.resolver().resolve(host, rdtype, raise_on_no_answer=False)
            except dns.resolver.NXDOMAIN as e:
                raise NetworkError(f"{host} does not exist (NXDOMAIN)") from e
            except dns.exception.DNSException as e:
                raise NetworkError(f"cannot resolve {host}: {e}") from e
            for rdata in answer.rrset or ():
                address = rdata.to_text()
                why = None if self.is_lab else not_public(address)
                if why is None:
                    return address
                refused.append(f"{address} ({why})")
        if refused:
            raise NetworkError(
                f"{host} resolves only to addresses outside the public internet: "
                f"{', '.join(refused)}; on the live network the course does not connect "
                "there, so that a domain's DNS cannot make your machine probe your own "
                "network (RFC 6890 lists these special-purpose ranges; use the lab for "
                "local servers)")
        raise NetworkError(f"{host} has no A or AAAA record")

    def ssl_context(self, *, verify: bool = True) -> ssl.SSLContext:
        """A client TLS context trusting this network's CAs.

        ``verify=False`` gives what an opportunistic SMTP sender does (RFC 7435):
        encrypt, but accept any certificate.
        """
        ctx = ssl.create_default_context(cafile=self.ca_file)
        if not verify:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        return ctx

    def __str__(self) -> str:
        where = (f"{self.nameserver}:{self.dns_port}" if self.nameserver
                 else "system resolver")
        return (f"Network {self.name!r}: DNS {where}"
                f"{' with DNSSEC (DO bit)' if self.dnssec else ''}, trust "
                f"{self.ca_file or 'system store'}, {len(self.hosts)} routed hosts")


def not_public(address: str) -> str | None:
    """Why ``address`` is not a public internet address (``"loopback"``,
    ``"private"``, ...), or None when it is one. An IPv4-mapped IPv6 address
    (``::ffff:127.0.0.1``, RFC 4291 §2.5.5.2) is judged as the IPv4 address it
    carries. The ranges are RFC 6890's special-purpose registries, as
    Python's :mod:`ipaddress` knows them."""
    try:
        ip = ipaddress.ip_address(address.strip().split("%", 1)[0])
    except ValueError:
        return "not an IP address"
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for flag in ("is_unspecified", "is_loopback", "is_link_local", "is_multicast",
                 "is_private", "is_reserved"):
        if getattr(ip, flag):
            return flag[3:].replace("_", "-")
    if not ip.is_global:  # e.g. 100.64.0.0/10, shared address space (RFC 6598)
        return "not globally routable"
    return None
