"""An on-path DNS attacker for the lab: it sits between every client of the lab's
DNS server (the helpers through ``lab.net``, and ``dig``/``delv``) and the
server's genuine answers, and rewrites them.

It has no keys of the lab's zones. What it can do is what an attacker on the
path can do (RFC 3833 §2.1): drop an answer, change its rcode, strip
signatures, and replace records, with forged data (unsigned, or signed with a
key of its own or of a zone it owns) or with *genuine* signed records taken
from other answers: another name, another zone, the parent's side of a cut.
DNSSEC must reject each of these (bogus), never take it as proof that a
signed name is absent or unsigned.

An attack is a list of rules; a rule says which questions it applies to and
what to do (:class:`Rule`, built with the functions below). The lab uses it
through ``lab.dns_attack(...)`` and ``lab.stop_dns_attack()``.
"""

from __future__ import annotations

import datetime as _dt
import html
from collections.abc import Callable
from dataclasses import dataclass, field

import dns.dnssec
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset

__all__ = ["DNSAttacker", "Rule", "Genuine", "ACTIONS", "drop", "strip", "remove", "empty",
           "set_rcode", "serve", "replay", "forge"]

Action = Callable[[dns.message.Message, "DNSAttacker"], "dns.message.Message | None"]


@dataclass(frozen=True)
class Genuine:
    """A genuine RRset (with its RRSIGs) the lab's zones publish: what an
    attacker gets by asking the right question somewhere else. ``zone`` is the
    zone to take it from ("" for the root): e.g. the parent's NSEC at a cut.
    With ``expanded_to``, a record at a wildcard owner (``*.<name>``) comes as a
    server synthesises it for a name the wildcard matches (RFC 4592 §3.3.1):
    renamed, its RRSIG unchanged, whose Labels field still counts the
    wildcard's labels (RFC 4034 §3.1.3). An attacker gets any such name by
    asking for it; the renamed NSEC is the CVE-2017-15105 forgery."""

    zone: str
    owner: str
    rdtype: str
    expanded_to: str | None = None


def _name(text: str) -> dns.name.Name:
    return dns.name.from_text(text) if text else dns.name.root


@dataclass(frozen=True)
class Rule:
    """Apply ``action`` to answers to ``name`` (exactly, or with ``subtree`` the
    name and every name below it; None: every name) of type ``rdtype``
    (None: every type)."""

    action: Action
    name: str | None = None
    rdtype: str | None = None
    subtree: bool = False
    label: str = ""

    def matches(self, qname: dns.name.Name, qtype: int) -> bool:
        if self.rdtype is not None and dns.rdatatype.from_text(self.rdtype) != qtype:
            return False
        if self.name is None:
            return True
        target = _name(self.name)
        return qname.is_subdomain(target) if self.subtree else qname == target


@dataclass
class DNSAttacker:
    """Rewrites the lab DNS server's answers by its rules, in order, and logs
    each rewrite. ``queries`` counts every question the server received while
    the attacker was on the path."""

    zones: object  # helpers.lab.zones.Zones: where genuine records come from
    rules: list[Rule] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    queries: int = 0

    def __call__(self, query: dns.message.Message,
                 response: dns.message.Message) -> dns.message.Message | None:
        self.queries += 1
        if not query.question:
            return response
        q = query.question[0]
        for rule in self.rules:
            if rule.matches(q.name, q.rdtype):
                response = rule.action(response, self)
                self.log.append(f"{q.name} {dns.rdatatype.to_text(q.rdtype)}: "
                                f"{rule.label or 'rewritten'}"
                                + ("" if response is not None else " (dropped)"))
                if response is None:
                    return None
        return response

    def genuine(self, ref: Genuine) -> list[dns.rrset.RRset]:
        """``ref``'s RRset and its signatures, as the lab's zones publish them."""
        zone = self.zones.zones[_name(ref.zone)]
        owner, rdtype = _name(ref.owner), dns.rdatatype.from_text(ref.rdtype)
        node = zone.get_node(owner)
        if node is None or node.get_rdataset(dns.rdataclass.IN, rdtype) is None:
            raise ValueError(f"zone {ref.zone or '.'} has no {ref.rdtype} at {ref.owner}")
        if ref.expanded_to is not None:
            if not owner.is_wild() or not _name(ref.expanded_to).is_subdomain(owner.parent()):
                raise ValueError(f"{ref.expanded_to} is not a name the wildcard {ref.owner} "
                                 "matches (RFC 4592 §2.2)")
            owner = _name(ref.expanded_to)
        out = []
        for covers, want in ((dns.rdatatype.NONE, rdtype), (rdtype, dns.rdatatype.RRSIG)):
            rds = node.get_rdataset(dns.rdataclass.IN, want, covers)
            if rds is not None:
                rrset = dns.rrset.RRset(owner, rds.rdclass, rds.rdtype, rds.covers)
                rrset.update(rds)
                out.append(rrset)
        return out

    def __str__(self) -> str:
        rules = ", ".join(r.label for r in self.rules) or "no rules"
        lines = [f"DNS attacker ({rules}): {self.queries} questions, {len(self.log)} rewritten"]
        return "\n".join(lines + [f"  {line}" for line in self.log[-10:]])

    def _repr_html_(self) -> str:
        # Names in the log come from queries: untrusted, so escaped.
        rules = "".join(f"<li>{html.escape(r.label)}</li>" for r in self.rules)
        log = html.escape("\n".join(self.log[-10:]))
        return (f"<p><b>DNS attacker</b>: {self.queries} questions, {len(self.log)} "
                f"rewritten</p><ul>{rules}</ul><pre>{log}</pre>")


# -- actions ---------------------------------------------------------------------------

def drop() -> Action:
    """No answer at all: the client times out."""
    return lambda response, attacker: None


def strip() -> Action:
    """Remove every RRSIG (the classic downgrade: make signed data look unsigned)."""
    def act(response, attacker):
        for section in (response.answer, response.authority, response.additional):
            section[:] = [r for r in section if r.rdtype != dns.rdatatype.RRSIG]
        return response
    return act


def remove(types: tuple[str, ...] | list[str] = ("NSEC",)) -> Action:
    """Remove the records of ``types`` (and their RRSIGs) from every section,
    e.g. the NSEC that proves a wildcard answer, or a DS."""
    def act(response, attacker):
        drop = {dns.rdatatype.from_text(t) for t in types}
        for section in (response.answer, response.authority, response.additional):
            section[:] = [r for r in section if r.rdtype not in drop
                          and not (r.rdtype == dns.rdatatype.RRSIG and r.covers in drop)]
        return response
    return act


def empty(rcode: str = "NOERROR") -> Action:
    """An empty answer (no records, no proof) with ``rcode``."""
    def act(response, attacker):
        response.answer.clear()
        response.authority.clear()
        response.set_rcode(dns.rcode.from_text(rcode))
        return response
    return act


def set_rcode(rcode: str) -> Action:
    """Change only the rcode (e.g. NXDOMAIN over a real answer, or SERVFAIL)."""
    def act(response, attacker):
        response.set_rcode(dns.rcode.from_text(rcode))
        return response
    return act


def serve(*, answer=(), authority=(), rcode: str = "NOERROR") -> Action:
    """Replace the answer by genuine records from elsewhere (:class:`Genuine`
    references) or ready RRsets, in the answer and authority sections."""
    def resolve(items, attacker):
        out = []
        for item in items:
            out += attacker.genuine(item) if isinstance(item, Genuine) else [item]
        return out

    def act(response, attacker):
        response.answer[:] = resolve(answer, attacker)
        response.authority[:] = resolve(authority, attacker)
        response.set_rcode(dns.rcode.from_text(rcode))
        return response
    return act


def replay(of: str, of_type: str) -> Action:
    """The genuine, signed answer to another question (``of``/``of_type``),
    sections and rcode copied under this question."""
    def act(response, attacker):
        from .dnsserver import answer as authoritative
        q = dns.message.make_query(of, of_type, want_dnssec=True)
        other = authoritative(attacker.zones, q)
        response.answer[:] = list(other.answer)
        response.authority[:] = list(other.authority)
        response.set_rcode(other.rcode())
        return response
    return act


def forge(values: list[str], *, sign_with: str | None = None, signer: str | None = None,
          expired: bool = False) -> Action:
    """Answer with ``values`` (zone-file text, or RFC 3597 ``\\# LENGTH HEX`` for
    data dnspython would refuse) for the question's name and type:
    unsigned, or signed with the lab DNSSEC key labelled ``sign_with`` (a zone the
    attacker owns, or any label: a key of its own) under the ``signer`` name
    (default: that label). ``expired=True`` makes the signature's validity end
    in the past (a replayed old signature, RFC 4035 §5.3.1)."""
    def act(response, attacker):
        from .zones import EXPIRATION, INCEPTION, TTL, dnssec_key, forged_rdata
        q = response.question[0]
        rrset = dns.rrset.RRset(q.name, dns.rdataclass.IN, q.rdtype)
        for text in values:
            rrset.add(forged_rdata(q.rdtype, text), TTL)
        out = [rrset]
        if sign_with is not None:
            key, dnskey = dnssec_key(attacker.zones.seed, sign_with)
            inception, expiration = INCEPTION, EXPIRATION
            if expired:
                inception, expiration = (_dt.datetime(2020, 1, 1, tzinfo=_dt.timezone.utc),
                                         _dt.datetime(2021, 1, 1, tzinfo=_dt.timezone.utc))
            sig = dns.dnssec.sign(rrset, key, _name(signer if signer is not None else sign_with),
                                  dnskey, inception=inception, expiration=expiration,
                                  deterministic=True)
            sigs = dns.rrset.RRset(q.name, dns.rdataclass.IN, dns.rdatatype.RRSIG, q.rdtype)
            sigs.add(sig, TTL)
            out.append(sigs)
        response.answer[:] = out
        response.authority.clear()
        response.set_rcode(dns.rcode.NOERROR)
        return response
    return act


#: The actions by name, for ``lab.dns_attack(action, ...)``.
ACTIONS: dict[str, Callable[..., Action]] = {
    "drop": drop, "strip": strip, "remove": remove, "empty": empty, "rcode": set_rcode,
    "serve": serve, "replay": replay, "forge": forge,
}
