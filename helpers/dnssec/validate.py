"""DNSSEC validation of one lookup, from the network's trust anchor down.

``resolve(name, rdtype, net)`` asks the network's nameserver with the DO bit
set, then proves the answer (RFC 4033 §5, RFC 4035 §5). The outcome is one of
RFC 4035 §4.3's states:

- ``secure``: the chain of trust holds;
- ``insecure``: a signed NSEC or NSEC3 at a real delegation on the way down
  from the trust anchor proves that the zone holding the name has no DS (is
  unsigned), or an NSEC3 Opt-Out span says no signed zone is there (RFC 5155 §6),
  or its DS records (or the trust anchor) name only algorithms or digest types
  this validator does not support (``_usable_ds``, RFC 4035 §5.2, RFC 8624 §3);
- ``bogus``: a signature, key or proof that should be there is wrong or missing;
- ``error``: no usable answer (timeout, REFUSED).

Nothing in an answer is believed before it is proven: the zone a name belongs
to is found by walking down from the trust anchor, one DS question per label
(never from an SOA record in an answer, which anyone on the path can forge).
Each rule is one function, beside its RFC section:

- :meth:`_Validator.walk` and :meth:`_Validator.prove_no_ds`: the chain of trust
  and the insecure-delegation proof (RFC 4035 §5.2, RFC 6840 §4.4);
- :meth:`_Validator.prove_positive`: a signed answer (RFC 4035 §5.3);
- :meth:`_Validator.prove_wildcard_answer`: an answer expanded from a wildcard
  (RFC 4035 §5.3.4, RFC 4592);
- :meth:`_Validator.prove_nxdomain`: a name that does not exist (RFC 4035 §5.4);
- :meth:`_Validator.prove_nodata`: a name without the asked type (RFC 4035 §5.4,
  §3.1.3.1 and §3.1.3.4 for a wildcard).

Zones that deny with NSEC3 (RFC 5155, as most TLDs do) get the same proofs
over hashed names, one function each beside RFC 5155 §8: ``prove_no_ds_nsec3``
(§8.9, §8.6 with Opt-Out), ``closest_encloser_nsec3`` (§8.3),
``prove_nxdomain_nsec3`` (§8.4), ``prove_nodata_nsec3`` (§8.5-§8.7) and
``prove_wildcard_answer_nsec3`` (§8.8). A denial resting on an Opt-Out span is
``insecure``, never ``secure`` (RFC 5155 §9.2); a proof resting on NSEC3
with more than :data:`MAX_NSEC3_ITERATIONS` iterations is ``insecure`` once its
signature verifies, counting only the records the proof uses
(``within_limit``, RFC 9276 §3.2), and says so (``Lookup.nsec3_over_limit``).
These proofs of absence, NSEC and NSEC3, live in :mod:`helpers.dnssec.denial`
(``DenialProofs``, which ``_Validator`` inherits).

Every NSEC or NSEC3 used must be signed by the zone the walk found, owned
inside it and not expanded from a wildcard (``verify_denial``, RFC 4035
§5.3.1, §5.3.4), and a parent's delegation NSEC or NSEC3 never proves anything
below the cut (RFC 6840 §4.1). A lookup
asks each question at most once, remembers failures, and gives up as ``bogus``
after :data:`MAX_QUERIES` questions, so a forger cannot make it loop. Every step
is recorded in ``Lookup.chain`` so notebooks can show the chain.

CNAME and DNAME chains, into other signed zones too, are proven link by link
in :mod:`helpers.dnssec.chains` (RFC 1034 §3.6.2, RFC 6672 §5.3), each proof
seeing only its own zone's NSEC/NSEC3 records (RFC 4035 §5.3.1).
"""

from __future__ import annotations

import html
import struct
from dataclasses import dataclass

import dns.dnssec
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.wire
import dns.zone

from . import chains as _chains  # CNAME/DNAME chains; imports this module back
from ..net import Network, NetworkError

# The outcome states (RFC 4035 §4.3), the RR types the proofs read, the NSEC and
# NSEC3 rules: :mod:`helpers.dnssec.denial` (re-exported here).
from .denial import (  # noqa: F401  (re-exported)
    BOGUS, ERROR, INSECURE, MAX_NSEC3_ITERATIONS, OVER_LIMIT, SECURE, DenialProofs,
    _CNAME, _DNAME, _DS, _NS, _NSEC, _NSEC3, _RRSIG, _SOA, _covers, _nsec3_covers,
    _nsec3_matches, _nsec_types, _Outcome, _what)

#: Questions one lookup may ask: a few per label of the name, per CNAME link.
MAX_QUERIES = 60


@dataclass(frozen=True)
class Lookup:
    """One validated lookup: the records (``None`` if proven absent), the
    DNSSEC status, why, the chain of trust step by step, and how many
    questions the validation asked."""

    name: str
    rdtype: str
    status: str
    rrset: dns.rrset.RRset | None
    rcode: str
    reason: str
    chain: tuple[str, ...] = ()
    queries: int = 0

    @property
    def nsec3_over_limit(self) -> bool:
        """``insecure`` only because the NSEC3 proof used more hash iterations than
        :data:`MAX_NSEC3_ITERATIONS` (RFC 9276 §3.2): not a proof that the zone is
        unsigned, so a DANE client defers rather than drop DANE."""
        return self.status == INSECURE and OVER_LIMIT in self.reason

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


def _anchors(net: Network) -> dns.rrset.RRset:
    if not net.trust_anchor:
        raise _Outcome(ERROR, f"network {net.name!r} has no DNSSEC trust anchor")
    zone = dns.zone.from_text(net.trust_anchor, origin=dns.name.root, relativize=False,
                              check_origin=False)
    return zone.find_rrset(dns.name.root, dns.rdatatype.DS)


# -- DS records and algorithms (RFC 4035 §5.2, RFC 8624 §3) ----------------------------

#: DNSKEY algorithms validated here: RFC 8624 §3.1's MUST and RECOMMENDED ones
#: (RSASHA1 5, RSASHA1-NSEC3-SHA1 7, RSASHA256 8, RSASHA512 10, ECDSAP256SHA256 13,
#: ECDSAP384SHA384 14, ED25519 15) and ED448 16 (MAY). Not RSAMD5 1, DSA 3,
#: DSA-NSEC3-SHA1 6 (MUST NOT validate), nor ECC-GOST 12 (MAY; no implementation).
SUPPORTED_ALGORITHMS = frozenset({5, 7, 8, 10, 13, 14, 15, 16})
#: DS digest types validated here (RFC 8624 §3.3): SHA-1 1 and SHA-256 2 (MUST),
#: SHA-384 4 (RECOMMENDED). Not NULL 0 (MUST NOT) nor GOST 3 (MAY; no implementation).
SUPPORTED_DIGESTS = frozenset({1, 2, 4})
_SHA1_DIGEST = 1
_REVOKE = 0x0080  # the DNSKEY REVOKE flag (RFC 5011 §3)


def _usable_ds(ds_set) -> list:
    """The DS (or trust anchor) records a chain of trust may rest on: those whose
    algorithm and digest type this validator supports (RFC 4035 §5.2, RFC 6840
    §5.2: the others are ignored); and SHA-1 ones only if no SHA-256 or SHA-384
    record is there (RFC 4509 §3, so a forged SHA-1 digest cannot stand in for
    a stronger one)."""
    usable = [ds for ds in ds_set if ds.algorithm in SUPPORTED_ALGORITHMS
              and ds.digest_type in SUPPORTED_DIGESTS]
    if any(ds.digest_type != _SHA1_DIGEST for ds in usable):
        usable = [ds for ds in usable if ds.digest_type != _SHA1_DIGEST]
    return usable


def _ds_matches(zone: dns.name.Name, key, ds) -> bool:
    """``ds`` is the digest of ``key`` (RFC 4034 §5.1.4), ``key`` a zone key that is
    not revoked (RFC 5011 §2.1: a REVOKED key vouches for nothing). SHA-1 is
    computed with dnspython's *validating* policy: its default refuses to create
    SHA-1 DS records, which RFC 8624 §3.3 still requires validating."""
    if key.flags & _REVOKE or ds.key_tag != dns.dnssec.key_id(key):
        return False
    try:
        return dns.dnssec.make_ds(zone, key, ds.digest_type, validating=True) == ds
    except (dns.exception.DNSException, ValueError):
        return False


def _ds_kinds(ds_set) -> str:
    return ", ".join(sorted({f"algorithm {ds.algorithm}, digest type {ds.digest_type}"
                             for ds in ds_set}))


# -- reading answers: one malformed record must not make the whole answer unusable ----

def _lenient_from_wire(wire: bytes) -> dns.message.Message:
    """Parse a response, keeping a record dnspython refuses (e.g. a TLSA digest of
    the wrong length) as raw RFC 3597 data: it still counts for the RRSIG, which
    covers the bytes, and the reader can then ignore it as unusable (RFC 7672 §2.2)."""
    parser = dns.wire.Parser(wire)
    ident, flags, qd, an, ns, ar = parser.get_struct("!HHHHHH")
    message = dns.message.Message(id=ident)
    message.flags = dns.flags.Flag(flags)
    for _ in range(qd):
        qname = parser.get_name(decompress=True)
        qtype, qclass = parser.get_struct("!HH")
        message.find_rrset(message.question, qname, qclass, qtype, create=True,
                           force_unique=True)
    for section, count in ((message.answer, an), (message.authority, ns),
                           (message.additional, ar)):
        for _ in range(count):
            owner = parser.get_name(decompress=True)
            rdtype, rdclass, ttl, rdlen = parser.get_struct("!HHIH")
            start = parser.current
            if rdtype == dns.rdatatype.OPT:
                parser.seek(start + rdlen)
                continue
            try:
                with parser.restrict_to(rdlen):
                    rd = dns.rdata.from_wire_parser(rdclass, rdtype, parser)
            except Exception:  # noqa: BLE001 - any refusal: keep the bytes instead
                parser.seek(start)
                rd = dns.rdata.GenericRdata(rdclass, rdtype, parser.get_bytes(rdlen))
            rrset = message.find_rrset(section, owner, rdclass, rdtype, rd.covers(),
                                       create=True)
            rrset.add(rd, ttl)
    return message


def _ancestors(name: dns.name.Name):
    """The names from just below the root down to ``name`` itself."""
    for depth in range(2, len(name) + 1):
        yield name.split(depth)[1]


class _Validator(DenialProofs):
    def __init__(self, net: Network):
        self.net = net
        self.chain: list[str] = []
        self.queries = 0
        self.answers: dict[tuple[dns.name.Name, int], dns.message.Message] = {}
        # name -> (deepest secure zone at or above it, its keys), or the failure:
        # a failure is remembered, so a forger cannot make us ask again and again.
        self.walks: dict[dns.name.Name, tuple[dns.name.Name, dns.rrset.RRset] | _Outcome] = {}
        self.zone_keys: dict[dns.name.Name, dns.rrset.RRset] = {}

    def note(self, step: str) -> None:
        if step not in self.chain:
            self.chain.append(step)

    # -- asking ------------------------------------------------------------------------

    def ask(self, name: dns.name.Name, rdtype: int) -> dns.message.Message:
        """One question (asked at most once per lookup, at most MAX_QUERIES in all)."""
        key = (name, rdtype)
        if key in self.answers:
            return self.answers[key]
        if self.queries >= MAX_QUERIES:
            raise _Outcome(BOGUS, f"validation needed more than {MAX_QUERIES} questions: "
                           "the answers do not form a chain of trust")
        self.queries += 1
        try:
            response = self.net.query(name, rdtype, dnssec=True)
        except NetworkError as e:
            if isinstance(e.__cause__, dns.exception.Timeout) or not isinstance(
                    e.__cause__, dns.exception.DNSException):
                raise _Outcome(ERROR, str(e)) from None
            response = self._ask_leniently(name, rdtype, e)
        if response.rcode() not in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
            # A validating resolver answers SERVFAIL for bogus data: no proof here.
            raise _Outcome(ERROR if response.rcode() != dns.rcode.SERVFAIL else BOGUS,
                           f"{name} {dns.rdatatype.to_text(rdtype)}: "
                           f"{dns.rcode.to_text(response.rcode())}")
        self.answers[key] = response
        return response

    def _ask_leniently(self, name, rdtype, first_error) -> dns.message.Message:
        """The answer did not parse: ask again and keep what dnspython refused as raw
        data, so that one malformed record is unusable rather than fatal."""
        if self.queries >= MAX_QUERIES:
            raise _Outcome(BOGUS, f"validation needed more than {MAX_QUERIES} questions")
        self.queries += 1  # asking again is a question too
        query = dns.message.make_query(name, rdtype, want_dnssec=True, payload=1232)
        try:
            return _lenient_from_wire(self.net.query_wire(query.to_wire()))
        except (OSError, dns.exception.DNSException, struct.error) as e:
            raise _Outcome(ERROR, f"{first_error}; asked again: {e or 'timed out'}") from None

    @staticmethod
    def find(section, name, rdtype, covers=dns.rdatatype.NONE):
        for rrset in section:
            if rrset.name == name and rrset.rdtype == rdtype and rrset.covers == covers:
                return rrset
        return None

    # -- checking one signature ------------------------------------------------------------

    def verify(self, rrset, section, zone: dns.name.Name, keys) -> None:
        """``rrset``'s RRSIG by ``zone`` (the zone that holds it, RFC 4035 §5.3.1)
        verifies with the zone's proven keys, within its validity (§5.3.3)."""
        sigs = self.find(section, rrset.name, _RRSIG, rrset.rdtype)
        if sigs is None:
            raise _Outcome(BOGUS, f"{_what(rrset)} has no RRSIG, but zone {zone} is signed")
        own = [s for s in sigs if s.signer == zone]
        if not own:
            raise _Outcome(BOGUS, f"{_what(rrset)} is signed by {sigs[0].signer}, not by "
                           f"{zone}, the zone that holds it (RFC 4035 §5.3.1)")
        try:
            dns.dnssec.validate(rrset, sigs, {zone: keys})
        except dns.exception.DNSException as e:
            raise _Outcome(BOGUS, f"the RRSIG over {_what(rrset)} does not verify ({e})") from None
        self.note(f"{_what(rrset)}: RRSIG by {zone} key {own[0].key_tag} verifies")

    # -- the chain of trust, from the anchor down (RFC 4035 §5.1, §5.2) -----------------------

    def root_keys(self) -> dns.rrset.RRset:
        if dns.name.root not in self.zone_keys:
            self.zone_keys[dns.name.root] = self.dnskeys(dns.name.root, _anchors(self.net),
                                                         "the trust anchor")
        return self.zone_keys[dns.name.root]

    def dnskeys(self, zone: dns.name.Name, ds_set, source: str) -> dns.rrset.RRset:
        """The zone's DNSKEY RRset, signed by a key that ``ds_set`` vouches for.
        Only the DS records :func:`_usable_ds` keeps count; none left means no
        supported authentication path: ``insecure`` (RFC 4035 §5.2)."""
        usable = _usable_ds(ds_set)
        if not usable:
            self.note(f"{zone}: {source} names only algorithms or digest types this "
                      "validator does not support")
            raise _Outcome(INSECURE, f"{source} for {zone} names only algorithms or digest "
                           f"types this validator does not support ({_ds_kinds(ds_set)}): "
                           "no supported authentication path, so insecure (RFC 4035 §5.2, "
                           "RFC 6840 §5.2, RFC 8624 §3.1, §3.3)")
        response = self.ask(zone, dns.rdatatype.DNSKEY)
        dnskeys = self.find(response.answer, zone, dns.rdatatype.DNSKEY)
        if dnskeys is None:
            raise _Outcome(BOGUS, f"{zone} has a DS record but publishes no DNSKEY")
        matched = [key for key in dnskeys if any(_ds_matches(zone, key, ds) for ds in usable)]
        if not matched:
            revoked = any(key.flags & _REVOKE for key in dnskeys)
            raise _Outcome(BOGUS, f"no DNSKEY of {zone} matches {source}"
                           + (" (a REVOKED key never does, RFC 5011 §2.1)" if revoked else ""))
        sigs = self.find(response.answer, zone, _RRSIG, dns.rdatatype.DNSKEY)
        if sigs is None:
            raise _Outcome(BOGUS, f"the DNSKEY RRset of {zone} is not signed")
        # Only a key the DS (or anchor) vouches for may vouch for the others
        # (RFC 4035 §5.2): a key slipped into the set cannot sign it.
        vouched = dns.rrset.from_rdata_list(zone, dnskeys.ttl, matched)
        try:
            dns.dnssec.validate(dnskeys, sigs, {zone: vouched})
        except dns.exception.DNSException as e:
            raise _Outcome(BOGUS, f"the DNSKEY RRset of {zone} is not signed by the key "
                           f"that {source} names ({e})") from None
        self.note(f"{zone} DNSKEY {dns.dnssec.key_id(matched[0])} matches {source}"
                  " and signs the zone's keys")
        # A REVOKED key signs only its own DNSKEY RRset, nothing else (RFC 5011 §2.1).
        return dns.rrset.from_rdata_list(zone, dnskeys.ttl,
                                         [k for k in dnskeys if not k.flags & _REVOKE])

    def walk(self, name: dns.name.Name) -> tuple[dns.name.Name, dns.rrset.RRset]:
        """The deepest signed zone holding ``name`` and its proven keys, found by
        walking down from the trust anchor: at each label, the parent answers
        whether there is a DS (a signed child: descend), a signed NSEC proving a
        delegation without DS (an unsigned child: ``insecure``, RFC 4035 §5.2), or
        a signed NSEC proving there is no zone cut there (go on)."""
        cached = self.walks.get(name)
        if isinstance(cached, _Outcome):
            raise cached
        if cached is not None:
            return cached
        try:
            zone, keys = dns.name.root, self.root_keys()
            for child in _ancestors(name):
                if child in self.walks and not isinstance(self.walks[child], _Outcome):
                    zone, keys = self.walks[child]
                    continue
                response = self.ask(child, _DS)
                ds_set = self.find(response.answer, child, _DS)
                if ds_set is not None:
                    self.verify(ds_set, response.answer, zone, keys)
                    keys = self.dnskeys(child, ds_set, f"the DS in {zone}")
                    zone = child
                    self.zone_keys[zone] = keys
                elif (alias := _chains.alias_on_walk(self, child, response, zone,
                                                     keys)) is not None:
                    if not alias:
                        break  # below a DNAME: no name of this zone exists (RFC 6672 §2.3)
                elif not self.prove_no_ds(child, response, zone, keys):
                    break  # ``child`` does not exist: nothing below it does either
                self.walks[child] = (zone, keys)
            result = (zone, keys)
        except _Outcome as o:
            self.walks[name] = o
            raise
        self.walks[name] = result
        return result

    def keys_of(self, zone: dns.name.Name) -> dns.rrset.RRset:
        """The keys of ``zone``, which the walk from the anchor must find as a zone."""
        found, keys = self.walk(zone)
        if found != zone:
            raise _Outcome(BOGUS, f"{zone} signs the answer, but walking down from the "
                           f"trust anchor finds no signed zone there (it is inside {found})")
        return keys

    # -- the answer -----------------------------------------------------------------------------

    def prove_positive(self, rrset, response) -> None:
        """A signed answer (RFC 4035 §5.3): its RRSIG is by the zone holding it, a
        zone proven from the anchor down, and verifies; an answer without RRSIG
        is acceptable only below a proven unsigned delegation (``insecure``)."""
        section = response.answer
        sigs = self.find(section, rrset.name, _RRSIG, rrset.rdtype)
        if sigs is None:
            zone, _ = self.walk(rrset.name if rrset.rdtype != _DS else rrset.name.parent())
            raise _Outcome(BOGUS, f"{_what(rrset)} has no RRSIG, but zone {zone} is signed")
        # RFC 4035 §5.3.1: the signer is the zone holding the data, so an ancestor
        # (for a DS record, strictly: the parent side).
        is_ds = rrset.rdtype == _DS
        eligible = [s.signer for s in sigs if rrset.name.is_subdomain(s.signer)
                    and not (is_ds and s.signer == rrset.name)]
        if not eligible:
            raise _Outcome(BOGUS, f"{_what(rrset)} is signed by {sigs[0].signer}, a zone that "
                           "does not contain it (RFC 4035 §5.3.1)")
        signer = max(eligible, key=len)
        keys = self.keys_of(signer)
        self.verify(rrset, section, signer, keys)
        labels = min(s.labels for s in sigs if s.signer == signer)
        owner_labels = len(rrset.name) - 1 - (1 if rrset.name.is_wild() else 0)
        if labels < owner_labels:
            # Only the signer's own NSEC/NSEC3 may prove it: a chain across zones
            # carries other zones' proofs too (RFC 4035 §5.3.4, §5.4).
            self.prove_wildcard_answer(rrset.name, labels, _chains.zone_view(response, signer),
                                       signer, keys)

def resolve(name: str, rdtype: str, net: Network) -> Lookup:
    """Look ``name``/``rdtype`` up on ``net`` and validate it from the trust anchor."""
    qname = dns.name.from_text(name)
    rdtype_i = dns.rdatatype.from_text(rdtype)
    v = _Validator(net)
    rrset, rcode = None, "NOERROR"
    try:
        response = v.ask(qname, rdtype_i)
        rcode = dns.rcode.to_text(response.rcode())
        target, rrset, links = _chains.follow_chain(v, response, qname, rdtype_i)
        _chains.prove_links(v, links, response)
        if rrset is not None:
            v.prove_positive(rrset, response)
            return Lookup(name, rdtype, SECURE, rrset, rcode,
                          "signatures verified up to the trust anchor", tuple(v.chain),
                          v.queries)
        # The denial is owed by the zone holding the chain's last name, and only
        # that zone's NSEC/NSEC3 records may give it (RFC 4035 §5.4).
        reason = v.prove_negative(_chains.denial_view(v, response, target, rdtype_i),
                                  target, rdtype_i)
        return Lookup(name, rdtype, SECURE, None, rcode, reason, tuple(v.chain), v.queries)
    except _Outcome as o:
        # Insecure data is still data (RFC 4035 §4.3); bogus data is withheld.
        kept = rrset if o.status == INSECURE else None
        return Lookup(name, rdtype, o.status, kept, rcode, o.reason, tuple(v.chain), v.queries)
