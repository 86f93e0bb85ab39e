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

Every NSEC or NSEC3 used must be signed by the zone the walk found, owned
inside it and not expanded from a wildcard (``verify_denial``, RFC 4035
§5.3.1, §5.3.4), and a parent's delegation NSEC or NSEC3 never proves anything
below the cut (RFC 6840 §4.1). A lookup
asks each question at most once, remembers failures, and gives up as ``bogus``
after :data:`MAX_QUERIES` questions, so a forger cannot make it loop. Every step
is recorded in ``Lookup.chain`` so notebooks can show the chain.
"""

from __future__ import annotations

import base64
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

from .net import Network, NetworkError

SECURE, INSECURE, BOGUS, ERROR = "secure", "insecure", "bogus", "error"

#: Questions one lookup may ask: a few per label of the name, per CNAME link.
MAX_QUERIES = 60

_NSEC, _RRSIG, _DS, _NS = (dns.rdatatype.NSEC, dns.rdatatype.RRSIG, dns.rdatatype.DS,
                           dns.rdatatype.NS)
_SOA, _CNAME, _DNAME = dns.rdatatype.SOA, dns.rdatatype.CNAME, dns.rdatatype.DNAME
_NSEC3 = dns.rdatatype.NSEC3


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


class _Outcome(Exception):
    opt_out = None  # (zone, keys) when insecure because of that zone's Opt-Out span

    def __init__(self, status: str, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


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


def _ancestors(name: dns.name.Name):
    """The names from just below the root down to ``name`` itself."""
    for depth in range(2, len(name) + 1):
        yield name.split(depth)[1]


def _what(rrset) -> str:
    return f"{rrset.name} {dns.rdatatype.to_text(rrset.rdtype)}"


class _Validator:
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
            self.prove_wildcard_answer(rrset.name, labels, response, signer, keys)

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
            found = v.find(response.answer, target, rdtype_i)
            cname = v.find(response.answer, target, _CNAME)
            if found is not None or cname is None:
                rrset = found
                break
            links.append(cname)
            target = cname[0].target
        for link in links:
            v.prove_positive(link, response)
        if rrset is not None:
            v.prove_positive(rrset, response)
            return Lookup(name, rdtype, SECURE, rrset, rcode,
                          "signatures verified up to the trust anchor", tuple(v.chain),
                          v.queries)
        reason = v.prove_negative(response, target, rdtype_i)
        return Lookup(name, rdtype, SECURE, None, rcode, reason, tuple(v.chain), v.queries)
    except _Outcome as o:
        # Insecure data is still data (RFC 4035 §4.3); bogus data is withheld.
        kept = rrset if o.status == INSECURE else None
        return Lookup(name, rdtype, o.status, kept, rcode, o.reason, tuple(v.chain), v.queries)
