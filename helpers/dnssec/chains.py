"""CNAME and DNAME chains in a validated answer, each link proven in its own zone.

An answer may follow aliases from zone to zone: CNAMEs (RFC 1034 §3.6.2) and
DNAMEs, which rename a whole subtree (RFC 6672). :func:`follow_chain` reads the
chain; :func:`prove_links` proves every link in the zone that holds it, with
that zone's keys, found by the validator's walk from the trust anchor:

- :func:`prove_cname_link`: a CNAME is an answer like any other (RFC 4035 §5.3);
- :func:`prove_dname_link`: the DNAME is signed; the CNAME a server synthesises
  from it is unsigned and is recomputed, never believed (RFC 6672 §5.3);
- :func:`zone_view`, :func:`denial_view`: a proof owed by one zone of the
  chain (a wildcard expansion, the final denial) sees only that zone's
  NSEC/NSEC3 records (RFC 4035 §5.3.1), not every zone's;
- :func:`alias_on_walk`: on the walk down, a signed CNAME answering a DS
  question proves that there is no zone cut there (RFC 4035 §2.5), a DNAME
  that nothing below it exists in the zone (RFC 6672 §2.3).

``v`` is the validator of :mod:`helpers.dnssec` (its ``find``, ``verify``,
``prove_positive`` and ``note``); these functions hold the rules only.
"""

from __future__ import annotations

import copy

import dns.message
import dns.name
import dns.rdatatype

from . import validate as _v  # the validator module, which imports this one back

_NSEC, _NSEC3, _RRSIG = dns.rdatatype.NSEC, dns.rdatatype.NSEC3, dns.rdatatype.RRSIG
_CNAME, _DNAME = dns.rdatatype.CNAME, dns.rdatatype.DNAME


def zone_view(response: dns.message.Message, zone: dns.name.Name) -> dns.message.Message:
    """``response`` as far as the proofs of ``zone`` go: its authority section
    without the NSEC and NSEC3 records signed only by other zones. An answer that
    follows a CNAME or DNAME chain across zones carries each zone's proofs (RFC
    4035 §3.1.3, RFC 6672 §3.1); each must be checked against the keys of its
    own zone (RFC 4035 §5.3.1), not all against one. Leaving records out can
    only take proofs away, never add one; an unsigned NSEC stays, to be refused.
    If no proof of ``zone`` is left, the answer is returned whole, so that the
    refusal names the foreign signer (RFC 4035 §5.3.1) instead of a missing proof."""
    def foreign(rrset) -> bool:
        if rrset.rdtype not in (_NSEC, _NSEC3):
            return False
        sigs = next((r for r in response.authority if r.rdtype == _RRSIG
                     and r.name == rrset.name and r.covers == rrset.rdtype), None)
        return sigs is not None and all(sig.signer != zone for sig in sigs)

    kept = [r for r in response.authority if not foreign(r)]
    if not any(r.rdtype in (_NSEC, _NSEC3) for r in kept):
        return response
    view = copy.copy(response)
    view.sections = [list(section) for section in response.sections]
    view.sections[2] = kept
    return view


def denial_view(v, response, target: dns.name.Name, rdtype: int) -> dns.message.Message:
    """:func:`zone_view` for the denial the chain's last name is owed, by the zone
    that holds it (for DS, its parent side: RFC 4035 §5.4, RFC 6840 §4.4). If the
    walk to that zone ends early (insecure, bogus), the answer is returned whole:
    ``prove_negative`` then meets the same remembered outcome and decides."""
    try:
        holder, _ = v.walk(target if rdtype != dns.rdatatype.DS else target.parent())
    except _v._Outcome:
        return response
    return zone_view(response, holder)


#: Links a chain may have (CNAMEs and DNAMEs together), as resolvers cap them.
MAX_CHAIN = 8


def alias_on_walk(v, child, response, zone, keys) -> bool | None:
    """A DS question on the walk answered by an alias instead of a DS or a denial.

    A signed CNAME at ``child`` (signed by ``zone``, the parent side) proves
    that ``child`` exists in ``zone`` and is no zone cut: a CNAME owner holds
    nothing but RRSIG and NSEC (RFC 4035 §2.5, RFC 2181 §10.1), so neither NS
    nor DS; the walk goes on (True). A signed DNAME at an ancestor of ``child``
    proves that no name below the DNAME exists in ``zone`` (RFC 6672 §2.3,
    §3.2): the walk stops there (False). None: no alias answers the question.
    Either must verify with ``zone``'s keys; an unsigned one is refused."""
    cname = v.find(response.answer, child, _CNAME)
    if cname is not None:
        v.verify(cname, response.answer, zone, keys)
        v.note(f"{child} is a CNAME signed by {zone}: no zone cut there (RFC 4035 §2.5)")
        return True
    dname = next((r for r in response.answer if r.rdtype == _DNAME
                  and child.is_subdomain(r.name) and child != r.name), None)
    if dname is not None:
        v.verify(dname, response.answer, zone, keys)
        v.note(f"{child} is below the DNAME at {dname.name}, signed by {zone}: "
               "no name below it exists in the zone (RFC 6672 §2.3)")
        return False
    return None


def synthesise(dname, target: dns.name.Name) -> dns.name.Name:
    """The name a DNAME maps ``target`` to: the owner suffix replaced by the
    DNAME's target (RFC 6672 §2.2)."""
    try:
        return target.relativize(dname.name).derelativize(dname[0].target)
    except dns.name.NameTooLong:
        raise _v._Outcome(_v.BOGUS, f"the DNAME at {dname.name} makes {target} too long "
                       "(RFC 6672 §2.2: the server answers YXDOMAIN)") from None


def prove_dname_link(v, dname, target, response) -> None:
    """A name below a DNAME (RFC 6672 §5.3): the DNAME RRset is proven like any
    answer (signed by the zone holding it, from the anchor down); the CNAME a
    server synthesises from it is unsigned and is not believed but recomputed
    (:func:`synthesise`). A CNAME in the answer pointing elsewhere is a forgery."""
    v.prove_positive(dname, response)
    synthesised = synthesise(dname, target)
    cname = v.find(response.answer, target, _CNAME)
    if cname is not None and cname[0].target != synthesised:
        raise _v._Outcome(_v.BOGUS, f"the CNAME at {target} points to {cname[0].target}, but the "
                       f"signed DNAME at {dname.name} synthesises {synthesised} "
                       "(RFC 6672 §5.3)")
    v.note(f"{target} -> {synthesised}: synthesised from the signed DNAME at {dname.name} "
           "(the CNAME itself needs no signature, RFC 6672 §5.3)")


def prove_cname_link(v, cname, response) -> None:
    """A CNAME in the chain (RFC 1034 §3.6.2) is an answer like any other: signed
    by the zone holding it, proven from the anchor down (RFC 4035 §5.3), or
    below a proven unsigned delegation (``insecure``)."""
    v.prove_positive(cname, response)


def dname_over(response, target: dns.name.Name):
    """The DNAME in the answer whose owner is the closest proper ancestor of
    ``target`` (RFC 6672 §3.2), or None."""
    found = [r for r in response.answer if r.rdtype == _DNAME
             and target.is_subdomain(r.name) and target != r.name]
    return max(found, key=lambda r: len(r.name), default=None)


def follow_chain(v, response, qname, rdtype):
    """The answer's chain from ``qname``: a DNAME above the current name first
    (RFC 6672 §3.2), else a CNAME at it (RFC 1034 §3.6.2). Returns (last name,
    its ``rdtype`` RRset or None, the links as (CNAME or DNAME RRset, the name
    it applied to)); nothing is proven yet (see :func:`prove_links`)."""
    target, seen, links = qname, {qname}, []
    for _ in range(MAX_CHAIN + 1):
        found = v.find(response.answer, target, rdtype)
        if found is not None:
            return target, found, links
        dname = dname_over(response, target) if rdtype != _DNAME else None
        if dname is not None:
            links.append((dname, target))
            target = synthesise(dname, target)
        else:
            cname = v.find(response.answer, target, _CNAME)
            if cname is None:
                return target, None, links
            links.append((cname, target))
            target = cname[0].target
        if target in seen:
            raise _v._Outcome(_v.BOGUS, f"the CNAME/DNAME chain from {qname} loops at {target}")
        seen.add(target)
    raise _v._Outcome(_v.BOGUS, f"the chain from {qname} has more than {MAX_CHAIN} links")


def prove_links(v, links, response) -> None:
    """Each link proven in the zone that holds it, whatever zone the next one is in."""
    for alias, name in links:
        if alias.rdtype == _DNAME:
            prove_dname_link(v, alias, name, response)
        else:
            prove_cname_link(v, alias, response)
