"""Denial of existence for the DNSSEC validator: NSEC (RFC 4035 §5.4) and NSEC3
(RFC 5155 §8) proofs, one method each beside its RFC section.

:class:`DenialProofs` is the part of ``helpers.dnssec._Validator`` that proves
an absence: that a name has no DS (the chain of trust's insecure-delegation
proof), no records of a type, or does not exist at all; and that a
wildcard-expanded answer hid no closer name. It relies on the validator for
asking (``ask``), finding records (``find``), checking a signature (``verify``),
the walk from the trust anchor (``walk``) and noting each step (``note``).

The outcome states (RFC 4035 §4.3) and :class:`_Outcome` live here, the lowest
layer; ``helpers.dnssec`` re-exports them.
"""

from __future__ import annotations

import base64

import dns.dnssec
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset

SECURE, INSECURE, BOGUS, ERROR = "secure", "insecure", "bogus", "error"

_NSEC, _RRSIG, _DS, _NS = (dns.rdatatype.NSEC, dns.rdatatype.RRSIG, dns.rdatatype.DS,
                           dns.rdatatype.NS)
_SOA, _CNAME, _DNAME = dns.rdatatype.SOA, dns.rdatatype.CNAME, dns.rdatatype.DNAME
_NSEC3 = dns.rdatatype.NSEC3


class _Outcome(Exception):
    opt_out = None  # (zone, keys) when insecure because of that zone's Opt-Out span

    def __init__(self, status: str, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


def _what(rrset) -> str:
    return f"{rrset.name} {dns.rdatatype.to_text(rrset.rdtype)}"


# -- NSEC helpers (RFC 4034 §4) ------------------------------------------------------

def _nsec_types(nsec) -> set[int]:
    types = set()
    for window, bitmap in nsec.windows:
        for i, byte in enumerate(bitmap):
            for bit in range(8):
                if byte & (0x80 >> bit):
                    types.add(window * 256 + i * 8 + bit)
    return types


def _covers(nsec_rrset: dns.rrset.RRset, name: dns.name.Name, zone: dns.name.Name) -> bool:
    """Whether the NSEC's span proves that ``name`` does not exist (RFC 4034 §4.1.1):
    strictly between owner and next name, in canonical order (RFC 4034 §6.1).
    An NSEC speaks for its own zone only: it covers no name outside ``zone``, and
    a next name outside the zone counts as the zone's end (RFC 4034 §4.1.1: the
    last NSEC points back to the apex), so the span never reaches beyond it."""
    owner, nxt = nsec_rrset.name, nsec_rrset[0].next
    if not name.is_subdomain(zone):
        return False
    if owner < nxt and nxt.is_subdomain(zone):
        return owner < name < nxt
    return name > owner  # the last NSEC wraps round to the apex


def _closest_encloser(nsec_rrset: dns.rrset.RRset, name: dns.name.Name) -> dns.name.Name:
    """The longest existing ancestor of ``name``, as told by the NSEC covering it:
    the deeper of the common ancestors of ``name`` with the owner and the next name."""
    best = dns.name.root
    for other in (nsec_rrset.name, nsec_rrset[0].next):
        _, _, common = name.fullcompare(other)
        candidate = name.split(common)[1] if common else dns.name.root
        if len(candidate) > len(best):
            best = candidate
    return best


def _shown_to_exist(nsecs, name: dns.name.Name):
    """The NSEC that shows ``name`` exists, if any: one owned by ``name`` or by a
    name below it, or one whose next name is ``name`` or below it (``name`` is
    then at least an empty non-terminal, RFC 4035 §3.1.3.2, RFC 8020 §2)."""
    return next((n for n in nsecs if n.name.is_subdomain(name)
                 or n[0].next.is_subdomain(name)), None)


def _is_delegation_nsec(nsec_rrset: dns.rrset.RRset, zone: dns.name.Name) -> bool:
    """An NSEC at a zone cut, seen from the parent: NS (or DNAME) set, SOA clear."""
    types = _nsec_types(nsec_rrset[0])
    return (nsec_rrset.name != zone
            and ((_NS in types and _SOA not in types) or _DNAME in types))


# -- NSEC3 helpers (RFC 5155) ---------------------------------------------------------

#: NSEC3 iterations above this make a proof ``insecure`` (RFC 9276 §3.2; 150 is the
#: limit BIND, Unbound and Knot used when RFC 9276 was written, its Appendix A).
MAX_NSEC3_ITERATIONS = 150
#: Words every "insecure because of the iteration limit" reason carries (see
#: :attr:`Lookup.nsec3_over_limit`); a name's text form cannot contain them.
OVER_LIMIT = "above the NSEC3 iteration limit (RFC 9276 §3.2)"
_NSEC3_SHA1, _OPT_OUT = 1, 0x01


def _nsec3_usable(nsec3_rrset, zone: dns.name.Name) -> bool:
    """An NSEC3 a validator may use: a hash algorithm it knows (RFC 5155 §8.1),
    flags 0 or Opt-Out only (§8.2), owned by ``<hash>.<zone>`` (§3, §8.3)."""
    rd = nsec3_rrset[0]
    if rd.algorithm != _NSEC3_SHA1 or rd.flags & ~_OPT_OUT:
        return False
    if len(nsec3_rrset.name) < 2 or nsec3_rrset.name.parent() != zone:
        return False
    try:
        return len(base64.b32hexdecode(nsec3_rrset.name[0].upper())) == len(rd.next)
    except ValueError:
        return False


def _nsec3_hash(name: dns.name.Name, rd) -> bytes:
    """H(name) with the NSEC3 record's own parameters (RFC 5155 §5)."""
    return base64.b32hexdecode(
        dns.dnssec.nsec3_hash(name, rd.salt, rd.iterations, rd.algorithm))


def _nsec3_matches(nsec3_rrset, name: dns.name.Name) -> bool:
    """The NSEC3's owner is the hash of ``name`` (RFC 5155 §8.3 "matches")."""
    return base64.b32hexdecode(nsec3_rrset.name[0].upper()) == _nsec3_hash(name, nsec3_rrset[0])


def _nsec3_covers(nsec3_rrset, name: dns.name.Name) -> bool:
    """The hash of ``name`` falls strictly between the NSEC3's owner hash and its
    next hash (RFC 5155 §8.3 "covers"), the last NSEC3 wrapping round."""
    owner = base64.b32hexdecode(nsec3_rrset.name[0].upper())
    nxt, digest = nsec3_rrset[0].next, _nsec3_hash(name, nsec3_rrset[0])
    if owner < nxt:
        return owner < digest < nxt
    return digest > owner or digest < nxt


def _is_delegation_nsec3(nsec3_rrset, zone: dns.name.Name, name: dns.name.Name) -> bool:
    """An NSEC3 at ``name`` on the parent side of a cut: NS set, SOA clear, or DNAME
    (RFC 5155 §8.3, RFC 6840 §4.1)."""
    types = _nsec_types(nsec3_rrset[0])
    return name != zone and ((_NS in types and _SOA not in types) or _DNAME in types)


class DenialProofs:
    """The validator's proofs of absence (mixed into ``helpers.dnssec._Validator``)."""

    def verify_denial(self, rrset, section, zone: dns.name.Name, keys) -> None:
        """An NSEC or NSEC3 fit to deny anything: signed by ``zone`` (:meth:`verify`),
        owned inside it (RFC 4035 §5.3.1: the signer is the zone holding the
        record), and not synthesised from a wildcard. A wildcard's NSEC renamed to
        a name the wildcard matches still verifies (its RRSIG's Labels field is
        smaller than the owner's label count, RFC 4034 §3.1.3, RFC 4035 §5.3.4),
        yet it says nothing about the names around that owner: such a record
        proves nothing (RFC 4035 §5.4; the CVE-2017-15105 class)."""
        self.verify(rrset, section, zone, keys)
        if not rrset.name.is_subdomain(zone):
            raise _Outcome(BOGUS, f"{_what(rrset)} lies outside {zone}, the zone that signs "
                           "it: refused (RFC 4035 §5.3.1)")
        labels = len(rrset.name) - 1 - (1 if rrset.name.is_wild() else 0)
        sigs = self.find(section, rrset.name, _RRSIG, rrset.rdtype)
        if any(s.labels < labels for s in sigs if s.signer == zone):
            raise _Outcome(BOGUS, f"{_what(rrset)} was expanded from a wildcard (its RRSIG "
                           f"counts {min(s.labels for s in sigs)} labels, the name {labels}): "
                           "it proves nothing about the names around it (RFC 4035 §5.3.4, "
                           "§5.4)")

    def prove_no_ds(self, child, response, zone, keys) -> bool:
        """No DS at ``child``: prove why with an NSEC signed by the parent ``zone``.

        Returns True if ``child`` exists (but is no zone cut), False if it does not
        exist; raises ``insecure`` for a proven unsigned delegation (NSEC at the
        cut: NS set, DS and SOA clear; RFC 4035 §5.2, RFC 6840 §4.4), ``bogus``
        for anything else: a missing or foreign proof, or the child's own apex NSEC.
        """
        nsecs = [r for r in response.authority if r.rdtype == _NSEC]
        if not nsecs:
            if any(r.rdtype == _NSEC3 for r in response.authority):
                return self.prove_no_ds_nsec3(child, response, zone, keys)
            raise _Outcome(BOGUS, f"no DS for {child} and no signed NSEC proving its absence")
        match = next((n for n in nsecs if n.name == child), None)
        if match is not None:
            self.verify_denial(match, response.authority, zone, keys)
            types = _nsec_types(match[0])
            if _DS in types or _SOA in types:
                raise _Outcome(BOGUS, f"the NSEC at {child} does not deny a DS from the "
                               f"parent side ({zone}) (RFC 6840 §4.4)")
            if _NS in types:
                self.note(f"{child}: NSEC signed by {zone} proves a delegation with no DS: "
                          "an unsigned zone")
                raise _Outcome(INSECURE, f"{child} is not signed (its parent {zone} proves "
                               "there is no DS, RFC 4035 §5.2)")
            return True
        for nsec in nsecs:
            if not _covers(nsec, child, zone):
                continue
            self.verify_denial(nsec, response.authority, zone, keys)
            if _is_delegation_nsec(nsec, zone) and child.is_subdomain(nsec.name):
                raise _Outcome(BOGUS, f"a delegation NSEC at {nsec.name} cannot prove "
                               f"anything about {child} below it (RFC 6840 §4.1)")
            return nsec[0].next.is_subdomain(child)  # an empty non-terminal exists
        raise _Outcome(BOGUS, f"no NSEC signed by {zone} proves that {child} has no DS")

    def prove_wildcard_answer(self, qname, labels, response, zone, keys) -> None:
        """An answer synthesised from ``*.<closest encloser>`` (the RRSIG's labels
        field is shorter than the name, RFC 4035 §5.3.4): an NSEC must prove that
        ``qname`` itself does not exist, so no closer match was hidden
        (RFC 4035 §3.1.3.3, RFC 4592 §4)."""
        encloser = qname.split(labels + 1)[1]
        if not any(r.rdtype == _NSEC for r in response.authority) and any(
                r.rdtype == _NSEC3 for r in response.authority):
            return self.prove_wildcard_answer_nsec3(qname, encloser, response, zone, keys)
        for nsec in self.nsecs(response, zone, keys):
            if _covers(nsec, qname, zone) and _closest_encloser(nsec, qname) == encloser:
                self.note(f"{qname} was expanded from the wildcard *.{encloser}; NSEC "
                          f"{nsec.name} -> {nsec[0].next} proves no closer name exists")
                return
        raise _Outcome(BOGUS, f"the answer for {qname} comes from the wildcard *.{encloser}, "
                       "but no NSEC proves that no closer name exists (RFC 4035 §5.3.4)")

    def nsecs(self, response, zone, keys) -> list[dns.rrset.RRset]:
        """Every NSEC of the answer, each verified as signed by ``zone``, none a
        parent's delegation NSEC used below its cut (RFC 6840 §4.1)."""
        found = [r for r in response.authority if r.rdtype == _NSEC]
        for nsec in found:
            self.verify_denial(nsec, response.authority, zone, keys)
        return found

    def prove_negative(self, response, qname, rdtype) -> str:
        """No records: proven by NSEC from the zone that holds ``qname``, or
        ``insecure`` if that zone is below a proven unsigned delegation."""
        zone, keys = self.walk_past_opt_out(qname if rdtype != _DS else qname.parent(),
                                            response, qname, rdtype)
        nsecs = self.nsecs(response, zone, keys)
        if not nsecs:
            if any(r.rdtype == _NSEC3 for r in response.authority):
                return self.prove_negative_nsec3(response, qname, rdtype, zone, keys)
            raise _Outcome(BOGUS, f"a signed zone ({zone}) answered without an NSEC proof")
        for nsec in nsecs:
            if _is_delegation_nsec(nsec, zone) and (
                    qname.is_subdomain(nsec.name) and not (qname == nsec.name and rdtype == _DS)):
                raise _Outcome(BOGUS, f"the NSEC at {nsec.name} is the parent's side of a "
                               f"zone cut: it proves nothing about {qname} (RFC 6840 §4.1)")
        if response.rcode() == dns.rcode.NXDOMAIN:
            return self.prove_nxdomain(nsecs, qname, zone)
        return self.prove_nodata(nsecs, qname, rdtype, zone)

    def walk_past_opt_out(self, name, response, qname, rdtype):
        """:meth:`walk`; but when the walk ends ``insecure`` in an Opt-Out span
        and the answer's denial comes from that very zone (its SOA or NSEC3
        records), the denial the answer owes must still be complete: an
        incomplete NXDOMAIN or wildcard NODATA proof is ``bogus``, not excused
        by the span (RFC 5155 §8.4, §8.7). A complete one stays ``insecure``
        (RFC 5155 §9.2)."""
        try:
            return self.walk(name)
        except _Outcome as o:
            if o.opt_out is None:
                raise
            zone, keys = o.opt_out
            if any((r.rdtype == _SOA and r.name == zone)
                   or (r.rdtype == _NSEC3 and r.name.parent() == zone)
                   for r in response.authority):
                try:
                    self.prove_negative_nsec3(response, qname, rdtype, zone, keys)
                except _Outcome as answer:
                    if answer.status != INSECURE:
                        raise answer from None
            raise o from None

    def prove_nxdomain(self, nsecs, qname, zone) -> str:
        """NXDOMAIN (RFC 4035 §5.4, §3.1.3.2): an NSEC covers the name, and an NSEC
        covers the wildcard at its closest encloser, so no wildcard could answer."""
        cover = next((n for n in nsecs if _covers(n, qname, zone)), None)
        if cover is None:
            raise _Outcome(BOGUS, f"no NSEC covers {qname}: the NXDOMAIN is unproven")
        existing = _shown_to_exist(nsecs, qname)
        if existing is not None:
            raise _Outcome(BOGUS, f"the NSEC at {existing.name} shows that {qname} exists "
                           f"(an empty non-terminal at least): it cannot be NXDOMAIN, and "
                           "NXDOMAIN would deny every name below it (RFC 4035 §5.4, "
                           "RFC 8020 §2)")
        encloser = _closest_encloser(cover, qname)
        wildcard = dns.name.from_text("*", encloser)
        if any(n.name == wildcard for n in nsecs):
            raise _Outcome(BOGUS, f"the NSEC at {wildcard} shows that the wildcard exists: "
                           f"{qname} cannot be NXDOMAIN (RFC 4592 §3.3.1, RFC 4035 §5.4)")
        if not any(_covers(n, wildcard, zone) for n in nsecs):
            raise _Outcome(BOGUS, f"no NSEC proves that no wildcard *.{encloser} matches "
                           f"{qname}: the NXDOMAIN is unproven (RFC 4035 §5.4)")
        self.note(f"NSEC {cover.name} -> {cover[0].next} proves {qname} does not exist, "
                  f"and no wildcard *.{encloser} exists")
        return "the name does not exist: proven by signed NSEC"

    def prove_nodata(self, nsecs, qname, rdtype, zone) -> str:
        """NODATA (RFC 4035 §3.1.3.1): the NSEC at the name lacks the type (and
        CNAME); or the name is an empty non-terminal; or (§3.1.3.4) the name does
        not exist and the NSEC at the matching wildcard lacks the type."""
        type_text = dns.rdatatype.to_text(rdtype)
        for n in nsecs:
            if n.name == qname:
                types = _nsec_types(n[0])
                if rdtype in types or _CNAME in types:
                    raise _Outcome(BOGUS, f"the NSEC at {qname} lists the type it should deny")
                self.note(f"NSEC at {qname} proves it has no {type_text} records")
                return "no such records: proven by signed NSEC"
        for n in nsecs:
            if _covers(n, qname, zone) and n[0].next.is_subdomain(qname):
                self.note(f"NSEC proves {qname} is an empty non-terminal")
                return "no such records (an empty non-terminal): proven by signed NSEC"
        cover = next((n for n in nsecs if _covers(n, qname, zone)), None)
        if cover is not None:
            wildcard = dns.name.from_text("*", _closest_encloser(cover, qname))
            at_wild = next((n for n in nsecs if n.name == wildcard), None)
            if at_wild is not None:
                types = _nsec_types(at_wild[0])
                if rdtype not in types and _CNAME not in types:
                    self.note(f"{qname} matches the wildcard {wildcard}, whose NSEC proves "
                              f"it has no {type_text} records")
                    return "no such records (wildcard): proven by signed NSEC"
        raise _Outcome(BOGUS, f"no NSEC proves that {qname} has no {type_text} records")

    # -- NSEC3: the same proofs over hashed names (RFC 5155 §8) ---------------------------------

    def nsec3s(self, response, zone, keys) -> list[dns.rrset.RRset]:
        """The NSEC3 records of the answer a validator may use, each verified as
        signed by ``zone`` (:meth:`verify_denial`). Those with an unknown hash
        algorithm or unknown flags are ignored (RFC 5155 §8.1, §8.2). Their
        iteration counts are judged only on the records a proof uses
        (:meth:`within_limit`), so one that proves nothing changes nothing."""
        found = [r for r in response.authority if r.rdtype == _NSEC3
                 and r[0].algorithm == _NSEC3_SHA1 and not r[0].flags & ~_OPT_OUT]
        for nsec3 in found:
            self.verify_denial(nsec3, response.authority, zone, keys)
        usable = [r for r in found if _nsec3_usable(r, zone)]
        if not usable:
            raise _Outcome(BOGUS, f"no usable NSEC3 of {zone} in the answer "
                           "(RFC 5155 §8.1, §8.2)")
        return usable

    def within_limit(self, used, zone) -> None:
        """RFC 9276 §3.2: a proof resting on an NSEC3 with more than
        :data:`MAX_NSEC3_ITERATIONS` iterations is ``insecure`` (its other choice,
        SERVFAIL, would make such zones unreachable). The course's reading, so
        that an attacker cannot turn a signed name with TLSA records into "no
        DANE": only the NSEC3 records that match or cover the names the proof
        needs count (a replayed costly record that proves nothing is ignored,
        and the proof must still be complete), the verdict comes only after the
        proof and the signatures hold, and the reason carries
        :data:`OVER_LIMIT`, which :attr:`Lookup.nsec3_over_limit` reads: a DANE
        lookup defers on it instead of dropping DANE (``helpers.dane.lookup``).
        On the DS walk the limit applies only where the proof would end in
        ``insecure`` (an unsigned delegation, an Opt-Out span): a costly proof
        that a name is no zone cut keeps the walk in the signed zone, which
        asks more of the answer, not less, so stripping a costly zone's
        signatures cannot make its data "insecure"."""
        costly = next((r for r in used if r[0].iterations > MAX_NSEC3_ITERATIONS), None)
        if costly is not None:
            self.note(f"NSEC3 of {zone} uses {costly[0].iterations} iterations, above "
                      f"{MAX_NSEC3_ITERATIONS}: treated as insecure (RFC 9276 §3.2)")
            raise _Outcome(INSECURE, f"the NSEC3 proof from {zone} uses "
                           f"{costly[0].iterations} hash iterations, {OVER_LIMIT}")

    def closest_encloser_nsec3(self, nsec3s, qname, zone):
        """The closest encloser proof (RFC 5155 §8.3): the longest ancestor of
        ``qname`` with a matching NSEC3 (the closest encloser, which must not be
        the parent's side of a cut: NS without SOA, or DNAME, RFC 6840 §4.1), and
        an NSEC3 covering the next closer name, one label longer. Returns
        (closest encloser, next closer name, the covering NSEC3, the matching one)."""
        encloser, match = qname, None
        while match is None and encloser != zone:
            encloser = encloser.parent()
            match = next((n for n in nsec3s if _nsec3_matches(n, encloser)), None)
        if match is None:
            raise _Outcome(BOGUS, f"no NSEC3 of {zone} matches an ancestor of {qname}: "
                           "no closest encloser proof (RFC 5155 §8.3)")
        if _is_delegation_nsec3(match, zone, encloser):
            raise _Outcome(BOGUS, f"the NSEC3 matching {encloser} is the parent's side of a "
                           f"zone cut: it proves nothing about {qname} below it "
                           "(RFC 5155 §8.3, RFC 6840 §4.1)")
        next_closer = qname.split(len(encloser) + 1)[1]
        cover = next((n for n in nsec3s if _nsec3_covers(n, next_closer)), None)
        if cover is None:
            raise _Outcome(BOGUS, f"no NSEC3 of {zone} covers {next_closer}, the next closer "
                           f"name of {qname}: no closest encloser proof (RFC 5155 §8.3)")
        return encloser, next_closer, cover, match

    def prove_no_ds_nsec3(self, child, response, zone, keys) -> bool:
        """:meth:`prove_no_ds` with NSEC3 (RFC 5155 §8.9, §8.6). Either an NSEC3
        matches ``child``: NS set with DS and SOA clear is an unsigned delegation
        (``insecure``), no NS a name that is no zone cut (True); or a closest
        encloser proof for ``child`` whose NSEC3 covering the next closer name has
        the Opt-Out flag: an unsigned delegation may hide in that span, so
        ``insecure`` (RFC 5155 §6, §9.2, RFC 6840 §4.4), an outcome that names
        the zone (``opt_out``) so the answer's own proof is still checked
        (:meth:`walk_past_opt_out`); without Opt-Out, ``child`` does not exist
        (False)."""
        nsec3s = self.nsec3s(response, zone, keys)
        match = next((n for n in nsec3s if _nsec3_matches(n, child)), None)
        if match is not None:
            types = _nsec_types(match[0])
            if _DS in types or _SOA in types:
                raise _Outcome(BOGUS, f"the NSEC3 matching {child} does not deny a DS from the "
                               f"parent side ({zone}) (RFC 5155 §8.9, RFC 6840 §4.4)")
            if _NS in types:
                self.within_limit([match], zone)
                self.note(f"{child}: NSEC3 signed by {zone} matches a delegation with no DS: "
                          "an unsigned zone")
                raise _Outcome(INSECURE, f"{child} is not signed (its parent {zone} proves "
                               "there is no DS with NSEC3, RFC 5155 §8.9)")
            return True
        encloser, next_closer, cover, at_encloser = self.closest_encloser_nsec3(
            nsec3s, child, zone)
        if cover[0].flags & _OPT_OUT:
            self.within_limit([at_encloser, cover], zone)
            self.note(f"{child}: an Opt-Out NSEC3 signed by {zone} covers {next_closer}, "
                      f"below the closest encloser {encloser}: no signed delegation there")
            outcome = _Outcome(INSECURE, f"no signed zone at {child}: an Opt-Out NSEC3 of its "
                               f"parent {zone} covers it, so it is at most an unsigned "
                               "delegation (RFC 5155 §6, §8.9; not authenticated, §9.2)")
            outcome.opt_out = (zone, keys)
            raise outcome
        return False

    def prove_wildcard_answer_nsec3(self, qname, encloser, response, zone, keys) -> None:
        """:meth:`prove_wildcard_answer` with NSEC3 (RFC 5155 §8.8): an NSEC3 covers
        the next closer name, so no closer name could have answered. If that
        NSEC3 has Opt-Out, an unsigned delegation may hide there (the true
        answer would then come from it): ``insecure``, never ``secure`` (RFC
        5155 §9.2; Appendix B.4 shows such an answer)."""
        next_closer = qname.split(len(encloser) + 1)[1]
        cover = next((n for n in self.nsec3s(response, zone, keys)
                      if _nsec3_covers(n, next_closer)), None)
        if cover is None:
            raise _Outcome(BOGUS, f"the answer for {qname} comes from the wildcard "
                           f"*.{encloser}, but no NSEC3 covers the next closer name "
                           f"{next_closer} (RFC 5155 §8.8)")
        self.within_limit([cover], zone)
        self.note(f"{qname} was expanded from the wildcard *.{encloser}; an NSEC3 "
                  f"covering {next_closer} proves no closer name exists")
        if cover[0].flags & _OPT_OUT:
            raise _Outcome(INSECURE, f"the answer for {qname} comes from the wildcard "
                           f"*.{encloser}, but the NSEC3 covering {next_closer} has Opt-Out: "
                           "an unsigned delegation may hide there, so the answer is not "
                           "authenticated (RFC 5155 §9.2)")

    def prove_negative_nsec3(self, response, qname, rdtype, zone, keys) -> str:
        """:meth:`prove_negative` when the zone answered with NSEC3."""
        nsec3s = self.nsec3s(response, zone, keys)
        if response.rcode() == dns.rcode.NXDOMAIN:
            return self.prove_nxdomain_nsec3(nsec3s, qname, zone)
        return self.prove_nodata_nsec3(nsec3s, qname, rdtype, zone)

    def prove_nxdomain_nsec3(self, nsec3s, qname, zone) -> str:
        """NXDOMAIN (RFC 5155 §8.4): a closest encloser proof for ``qname`` and an
        NSEC3 covering the wildcard at the closest encloser. If the NSEC3 covering
        the next closer name has Opt-Out, an unsigned delegation may hide there:
        ``insecure`` (RFC 5155 §9.2: such an answer is not authenticated)."""
        if any(_nsec3_matches(n, qname) for n in nsec3s):
            raise _Outcome(BOGUS, f"an NSEC3 matches {qname}, so it exists: the NXDOMAIN is "
                           "contradicted (RFC 5155 §8.4)")
        encloser, next_closer, cover, at_encloser = self.closest_encloser_nsec3(
            nsec3s, qname, zone)
        wildcard = dns.name.from_text("*", encloser)
        if any(_nsec3_matches(n, wildcard) for n in nsec3s):
            raise _Outcome(BOGUS, f"the NSEC3 matching {wildcard} shows that the wildcard "
                           f"exists: {qname} cannot be NXDOMAIN (RFC 5155 §8.4)")
        no_wildcard = next((n for n in nsec3s if _nsec3_covers(n, wildcard)), None)
        if no_wildcard is None:
            raise _Outcome(BOGUS, f"no NSEC3 proves that no wildcard *.{encloser} matches "
                           f"{qname}: the NXDOMAIN is unproven (RFC 5155 §8.4)")
        self.within_limit([at_encloser, cover, no_wildcard], zone)
        if cover[0].flags & _OPT_OUT:
            self.note(f"an Opt-Out NSEC3 covers {next_closer}: {qname} may be below an "
                      "unsigned delegation")
            raise _Outcome(INSECURE, f"{qname} does not exist as far as {zone} can say, but the "
                           "NSEC3 covering it has Opt-Out: unsigned delegations may hide "
                           "there, so this is not proven (RFC 5155 §9.2)")
        self.note(f"NSEC3 proves {qname} does not exist (closest encloser {encloser}, "
                  f"{next_closer} covered) and no wildcard *.{encloser} exists")
        return "the name does not exist: proven by signed NSEC3"

    def prove_nodata_nsec3(self, nsec3s, qname, rdtype, zone) -> str:
        """NODATA with NSEC3: the NSEC3 matching ``qname`` lacks the type and CNAME
        (RFC 5155 §8.5), and is not the parent's side of a cut unless the type is
        DS (RFC 6840 §4.1); for DS without a match, a closest encloser proof whose
        next-closer NSEC3 has Opt-Out: ``insecure`` (§8.6); or, for a name that
        does not exist, a closest encloser proof and the NSEC3 matching the
        wildcard lacks the type (§8.7), ``insecure`` if the next closer name's
        NSEC3 has Opt-Out (§9.2)."""
        type_text = dns.rdatatype.to_text(rdtype)
        match = next((n for n in nsec3s if _nsec3_matches(n, qname)), None)
        if match is not None:
            types = _nsec_types(match[0])
            if rdtype in types or _CNAME in types:
                raise _Outcome(BOGUS, f"the NSEC3 matching {qname} lists the type it should "
                               "deny (RFC 5155 §8.5)")
            if rdtype != _DS and _is_delegation_nsec3(match, zone, qname):
                raise _Outcome(BOGUS, f"the NSEC3 matching {qname} is the parent's side of a "
                               f"zone cut: it proves nothing about its {type_text} records "
                               "(RFC 6840 §4.1)")
            self.within_limit([match], zone)
            self.note(f"NSEC3 matching {qname} proves it has no {type_text} records")
            return "no such records: proven by signed NSEC3"
        encloser, next_closer, cover, at_encloser = self.closest_encloser_nsec3(
            nsec3s, qname, zone)
        if rdtype == _DS:
            if cover[0].flags & _OPT_OUT:
                self.within_limit([at_encloser, cover], zone)
                self.note(f"an Opt-Out NSEC3 covers {next_closer}: no signed delegation there")
                raise _Outcome(INSECURE, f"no NSEC3 matches {qname}, and the one covering it "
                               "has Opt-Out: an unsigned delegation at most (RFC 5155 §8.6)")
            raise _Outcome(BOGUS, f"no NSEC3 matches {qname} and the one covering it has no "
                           "Opt-Out flag: the DS denial is unproven (RFC 5155 §8.6)")
        wildcard = dns.name.from_text("*", encloser)
        at_wild = next((n for n in nsec3s if _nsec3_matches(n, wildcard)), None)
        if at_wild is not None:
            types = _nsec_types(at_wild[0])
            if rdtype not in types and _CNAME not in types:
                self.within_limit([at_encloser, cover, at_wild], zone)
                self.note(f"{qname} matches the wildcard {wildcard}, whose NSEC3 proves "
                          f"it has no {type_text} records")
                if cover[0].flags & _OPT_OUT:
                    raise _Outcome(INSECURE, f"{qname} matches the wildcard {wildcard}, which "
                                   f"has no {type_text} records, but the NSEC3 covering "
                                   f"{next_closer} has Opt-Out: not authenticated "
                                   "(RFC 5155 §9.2)")
                return "no such records (wildcard): proven by signed NSEC3"
        raise _Outcome(BOGUS, f"no NSEC3 proves that {qname} has no {type_text} records "
                       "(RFC 5155 §8.5, §8.7)")
