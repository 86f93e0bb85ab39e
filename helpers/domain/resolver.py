"""Judge this network's resolver before judging a domain through it.

An inspection asks everything through one resolver: the system's, or the one
given to ``Network.live(nameserver)``. Captive portals and filtering resolvers
answer NXDOMAIN for names they do not like (or for everything until the
learner clicks "accept"); some home routers and middleboxes strip DNSSEC
records (RRSIG, DNSKEY) from answers; a network may block DNS altogether. Read
through such a resolver, any domain looks broken: "does not exist", "DNSSEC
bogus", "no MTA-STS record". Those verdicts would blame the domain for the
learner's network.

So two questions come first, about names that always exist and are always
signed: the root zone's SOA (a resolver that says the root does not exist, or
does not answer, tells nothing about any domain), and the root's DNSKEY RRset
with its RRSIG (RFC 4035 §3.2.1: a resolver asked with the DO bit must return
the signatures; without them, DNSSEC cannot be validated, RFC 4035 §4.9.1).
"""

from __future__ import annotations

from dataclasses import dataclass

import dns.rcode
import dns.rdatatype

from ..net import Network, NetworkError

GOOD, NO_DNSSEC, BROKEN = "good", "no-dnssec", "broken"
#: The status of a lookup made without validation, through a resolver that strips DNSSEC.
UNVALIDATED = "unvalidated"

#: What to suggest: public resolvers that pass DNSSEC records through (and validate).
ALTERNATIVES = ('Network.live("9.9.9.9")', 'Network.live("1.1.1.1")')


@dataclass(frozen=True)
class ResolverFacts:
    """``state``: good, no-dnssec (answers, but without DNSSEC records) or
    broken (no answer, or not the internet's data); ``server``: which resolver;
    ``detail``: what it did, in words."""

    server: str
    state: str
    detail: str = ""
    lab: bool = False

    @property
    def advice(self) -> str:
        if self.lab:
            return ("the lab's DNS server answers this way only with a DNS attacker on the "
                    "path (lab.stop_dns_attack() or lab.reset() takes it off) or once the lab "
                    "has stopped (start it again)")
        return (f"inspect through another resolver, e.g. domain.inspect(name, "
                f"{ALTERNATIVES[0]}) (Quad9) or {ALTERNATIVES[1]} (Cloudflare), "
                "`python -m helpers inspect --resolver 9.9.9.9 DOMAIN` from a terminal, or "
                "from a network that does not filter DNS (`python -m helpers doctor` "
                "checks this one)")


def server_of(net: Network) -> str:
    try:
        server = net.nameserver or net.resolver().nameservers[0]
    except Exception:  # no resolver configured at all
        return "the system resolver (none configured)"
    if net.dns_port == 53:
        return str(server)
    return f"[{server}]:{net.dns_port}" if ":" in str(server) else f"{server}:{net.dns_port}"


def judge(net: Network) -> ResolverFacts:
    """Ask the resolver for the root's SOA and DNSKEY (with the DO bit)."""
    facts = _judge(net)
    return ResolverFacts(facts.server, facts.state, facts.detail, net.is_lab)


def _judge(net: Network) -> ResolverFacts:
    server = server_of(net)
    try:
        r = net.query(".", "SOA", dnssec=True)
    except NetworkError as e:
        return ResolverFacts(server, BROKEN, f"it does not answer ({e})")
    soa = [rr for rr in r.answer if rr.rdtype == dns.rdatatype.SOA]
    if r.rcode() != dns.rcode.NOERROR or not soa:
        return ResolverFacts(server, BROKEN, (
            f"it answers {dns.rcode.to_text(r.rcode())}"
            + ("" if r.rcode() != dns.rcode.NOERROR else " with no SOA record")
            + " for the root zone, which always exists: it does not give the internet's "
              "data (captive portals and filtering resolvers do this)"))
    try:
        k = net.query(".", "DNSKEY", dnssec=True)
    except NetworkError as e:
        return ResolverFacts(server, NO_DNSSEC, f"it does not answer for the root's DNSKEY "
                                                f"records ({e}), so DNSSEC cannot be validated")
    keys = [rr for rr in k.answer if rr.rdtype == dns.rdatatype.DNSKEY]
    sigs = [rr for rr in k.answer if rr.rdtype == dns.rdatatype.RRSIG
            and rr.covers == dns.rdatatype.DNSKEY]
    if not keys or not sigs:
        missing = "no DNSKEY records" if not keys else "the keys without their signature (RRSIG)"
        return ResolverFacts(server, NO_DNSSEC, (
            f"asked for the root's DNSKEY records with the DO bit, it returns {missing}: "
            "it strips DNSSEC records, so no DNSSEC status (and no DANE) can be judged "
            "through it"))
    return ResolverFacts(server, GOOD, "it answers for the root with DNSSEC signatures")
