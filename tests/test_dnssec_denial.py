"""Issue 18: DS records and algorithms, and denial-of-existence proofs that an
on-path attacker must not be able to bend.

The validator (``helpers.dnssec``) against the lab: a parent publishing only a
SHA-1 DS (item 0), DS sets naming what the validator does not support or a
revoked key (item 4), wildcard-expanded NSEC records used as denials (item 1,
the CVE-2017-15105 class), NSEC3 iteration limits (item 3), Opt-Out with
wildcards (item 5) and the smaller NSEC rules (item 8). ``delv`` (BIND's
validator) is given the same answers wherever it applies; where it does not,
the test says why.
"""

from __future__ import annotations

import base64
import dataclasses

import dns.dnssec
import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import pytest
from conftest import delv, delv_verdict

from helpers.dnssec import BOGUS, INSECURE, SECURE, resolve
from helpers.lab.dnsattack import Genuine
from helpers.lab.zones import EXPIRATION, INCEPTION, TTL, dnssec_key

DOMAIN = "dane-only.example"
MX = f"mx.{DOMAIN}"
TLSA = f"_25._tcp.{MX}"


def _n(text: str) -> dns.name.Name:
    return dns.name.from_text(text)


def signed(lab, owner: str, rdtype: str, values: list[str], *, key_label: str = DOMAIN,
           signer: str = DOMAIN, dnskey=None) -> list[dns.rrset.RRset]:
    """An RRset and its RRSIG made with the lab DNSSEC key of ``key_label``: what
    the zone's own signer would publish (for records a careless or compromised
    signer could sign; an on-path attacker has no such key)."""
    key, own = dnssec_key(lab.seed, key_label)
    rrset = dns.rrset.from_text_list(owner + ".", TTL, "IN", rdtype, values)
    sig = dns.dnssec.sign(rrset, key, _n(signer), dnskey or own, inception=INCEPTION,
                          expiration=EXPIRATION, deterministic=True)
    return [rrset, dns.rrset.from_rdata(rrset.name, TTL, sig)]


# -- item 0 and item 4: DS records, algorithms, digest types --------------------------------

def _ds(lab, digest="SHA256", domain=DOMAIN) -> str:
    return lab.zones.ds(domain, digest).to_text()


def _with(text: str, *, algorithm=None, digest_type=None, digest=None) -> str:
    tag, alg, dtype, hexdigest = text.split(None, 3)
    return " ".join([tag, str(algorithm or alg), str(digest_type or dtype),
                     digest or hexdigest])


def revoked(lab):
    """The zone's key with the REVOKE bit (RFC 5011 §2.1), a DS for it, and the
    DNSKEY RRset of that key alone, self-signed: what a zone that revoked its
    only key and a parent that kept its DS publish."""
    key, dnskey = dnssec_key(lab.seed, DOMAIN)
    gone = dnskey.replace(flags=dnskey.flags | 0x0080)
    lab.set_ds(DOMAIN, [dns.dnssec.make_ds(_n(DOMAIN), gone, "SHA256").to_text()])
    lab.dns_attack("serve", DOMAIN, "DNSKEY", answer=signed(
        lab, DOMAIN, "DNSKEY", [gone.to_text()], dnskey=gone))


# (set-up, name, type, status, words in the reason, what delv says)
DS_CASES = {
    # RFC 8624 §3.3: SHA-1 DS is MUST validate (dnspython's *creation* policy refuses it).
    "SHA-1 DS only": (lambda lab: lab.set_ds(DOMAIN, [_ds(lab, "SHA1")]),
                      TLSA, "TLSA", SECURE, "verified", SECURE),
    "SHA-384 DS only": (lambda lab: lab.set_ds(DOMAIN, [_ds(lab, "SHA384")]),
                        TLSA, "TLSA", SECURE, "verified", SECURE),
    # RFC 4035 §5.2, RFC 6840 §5.2: nothing supported is no authentication path.
    "unknown digest type only": (
        lambda lab: lab.set_ds(DOMAIN, [_with(_ds(lab), digest_type=99)]),
        TLSA, "TLSA", INSECURE, "does not support", INSECURE),
    "GOST digest only (MAY, not implemented)": (
        lambda lab: lab.set_ds(DOMAIN, [_with(_ds(lab), digest_type=3)]),
        TLSA, "TLSA", INSECURE, "does not support", INSECURE),
    "RSAMD5 algorithm only (MUST NOT validate)": (
        lambda lab: lab.set_ds(DOMAIN, [_with(_ds(lab), algorithm=1)]),
        TLSA, "TLSA", INSECURE, "does not support", INSECURE),
    # A supported DS beside an unsupported one is used.
    "SHA-256 beside an unknown digest type": (
        lambda lab: lab.set_ds(DOMAIN, [_ds(lab), _with(_ds(lab), digest_type=99)]),
        TLSA, "TLSA", SECURE, "verified", SECURE),
    # RFC 4509 §3: with a SHA-256 DS there, a SHA-1 one is ignored, so a wrong
    # SHA-256 digest is not rescued by a SHA-1 one.
    "SHA-1 beside a wrong SHA-256": (
        lambda lab: lab.set_ds(DOMAIN, [_ds(lab, "SHA1"), _with(_ds(lab), digest="ab" * 32)]),
        TLSA, "TLSA", BOGUS, "no DNSKEY", BOGUS),
    # RFC 5011 §2.1: a revoked key vouches for nothing, not even through a DS.
    "DS naming only a revoked key": (revoked, DOMAIN, "DNSKEY", BOGUS, "REVOKED", BOGUS),
}


@pytest.mark.parametrize("case", DS_CASES)
def test_ds_records_and_algorithms(lab, case):
    set_up, name, rdtype, status, words, _ = DS_CASES[case]
    set_up(lab)
    lookup = resolve(name, rdtype, lab.net)
    assert lookup.status == status, lookup
    assert words in lookup.reason, lookup
    assert (lookup.rrset is not None) == (status != BOGUS)


@pytest.mark.tools
@pytest.mark.parametrize("case", DS_CASES)
def test_delv_agrees_on_ds_records(lab, case):
    set_up, name, rdtype, _, _, expected = DS_CASES[case]
    set_up(lab)
    text = delv(lab, rdtype, name)
    assert delv_verdict(text) == expected, text


def test_trust_anchor_with_only_unsupported_digests_is_insecure(lab):
    """RFC 4035 §5 and §5.2: a trust anchor is a DS the validator holds; one it
    cannot use (digest type 99) leaves no authentication path: insecure, and the
    unsigned answer is still handed on. delv does not agree here: BIND (9.18)
    reports a "broken trust chain" for such an anchor, while Unbound (1.17,
    installed here) logs "trust anchor ... has no supported algorithms, the
    anchor is ignored", which is the course's reading."""
    anchor = lab.net.trust_anchor.split()
    anchor[-2] = "99"
    net = dataclasses.replace(lab.net, trust_anchor=" ".join(anchor) + "\n")
    lookup = resolve(TLSA, "TLSA", net)
    assert lookup.status == INSECURE and "does not support" in lookup.reason, lookup
    assert sorted(lookup.records) == sorted(resolve(TLSA, "TLSA", lab.net).records) != []


# -- item 1: a wildcard's NSEC, renamed, proves nothing (CVE-2017-15105 class) ---------------

WILDCARD = f"*._tcp.{MX}"


@pytest.fixture
def root_wildcard(lab):
    """The root zone publishes ``*.example TXT``: its NSEC, renamed to any name
    below ``example``, still verifies. (The root is not a catalogue zone, so
    ``reset()`` would not restore it: this fixture does.)"""
    lab.zones.set("", "*.example", "TXT", ['"anything"'])
    yield "*.example"
    # Every type a case may add there (renamed_insecure adds NS): a leftover
    # wildcard would answer for every name under .example in later tests.
    lab.zones.set("", "*.example", "NS", [])
    lab.zones.set("", "*.example", "TXT", [])


def tlsa_wildcard(lab):
    """The TLSA records published at ``*._tcp.mx`` (as some operators do), so
    the genuine answer for ``_25._tcp.mx`` is synthesised from the wildcard."""
    records = [r.to_text() for r in lab.zones.zones[_n(DOMAIN)].find_rdataset(_n(TLSA), "TLSA")]
    lab.set_records(DOMAIN, WILDCARD, "TLSA", records)
    lab.set_records(DOMAIN, TLSA, "TLSA", [])


def renamed_nxdomain(lab):
    """NXDOMAIN for the TLSA name, "proven" by the wildcard's own NSEC renamed to
    ``!._tcp.mx``: its span (``!._tcp.mx`` to ``ns1``) covers both the TLSA
    name and the wildcard ``*._tcp.mx`` itself."""
    tlsa_wildcard(lab)
    lab.dns_attack("serve", TLSA, "TLSA", rcode="NXDOMAIN", authority=[
        Genuine(DOMAIN, DOMAIN, "SOA"),
        Genuine(DOMAIN, WILDCARD, "NSEC", expanded_to=f"!._tcp.{MX}")])


def renamed_no_ds(lab):
    """The root's ``*.example`` NSEC renamed to every name on the way down to the
    TLSA name: "no DS, no zone cut here" at each, then "no TLSA" at the name."""
    for name, rdtype in ((DOMAIN, "DS"), (MX, "DS"), (f"_tcp.{MX}", "DS"), (TLSA, "DS"),
                         (TLSA, "TLSA")):
        lab.dns_attack("serve", name, rdtype, authority=[
            Genuine("", "", "SOA"), Genuine("", "*.example", "NSEC", expanded_to=name)])


def renamed_insecure(lab):
    """The root's ``*.example`` NSEC renamed to ``dane-only.example`` with an NS
    bit: a wildcard delegation (RFC 4592 §4.2), so "an unsigned delegation"."""
    lab.zones.set("", "*.example", "NS", ["ns1.dane-only.example."])
    lab.dns_attack("serve", DOMAIN, "DS", authority=[
        Genuine("", "", "SOA"), Genuine("", "*.example", "NSEC", expanded_to=DOMAIN)])


WILDCARD_FORGERIES = {
    "renamed wildcard NSEC as NXDOMAIN proof": (renamed_nxdomain, TLSA),
    "renamed root wildcard NSEC as no-DS and no-TLSA proof": (renamed_no_ds, TLSA),
    "renamed wildcard delegation NSEC: insecure downgrade": (renamed_insecure, TLSA),
}


@pytest.mark.parametrize("case", WILDCARD_FORGERIES)
def test_wildcard_expanded_nsec_proves_nothing(lab, root_wildcard, case):
    set_up, name = WILDCARD_FORGERIES[case]
    set_up(lab)
    lookup = resolve(name, "TLSA", lab.net)
    assert lookup.status == BOGUS and lookup.rrset is None, lookup
    assert "expanded from a wildcard" in lookup.reason, lookup


@pytest.mark.tools
@pytest.mark.parametrize("case", WILDCARD_FORGERIES)
def test_delv_rejects_wildcard_expanded_nsec(lab, root_wildcard, case):
    set_up, name = WILDCARD_FORGERIES[case]
    set_up(lab)
    text = delv(lab, "TLSA", name)
    assert delv_verdict(text) == BOGUS, text


def test_dane_sender_defers_under_the_renamed_nsec(lab, root_wildcard):
    """With STARTTLS stripped as well, the renamed NSEC must not switch DANE off."""
    from helpers.sender import DEFERRED, Sender

    renamed_no_ds(lab)
    smtp_attacker = lab.attack(MX, "strip")
    outcome = Sender(lab.net, "dane").send("Subject: x\r\n\r\nsecret\r\n", f"bob@{DOMAIN}")
    assert outcome.status == DEFERRED, outcome
    assert not smtp_attacker.saw("secret")


# -- item 8: smaller NSEC rules ------------------------------------------------------------

def nxdomain_at_empty_non_terminal(lab):
    """The genuine NODATA answer for ``_tcp.mx`` (an empty non-terminal: the NSEC
    at ``mx`` points to ``_25._tcp.mx``) with its rcode turned into NXDOMAIN. A
    resolver following RFC 8020 would then deny everything below it, the TLSA
    name included."""
    lab.dns_attack("rcode", f"_tcp.{MX}", "A", rcode="NXDOMAIN")


def nsec_outside_its_zone(lab):
    """An NSEC owned by ``example.`` but signed by dane-only.example (what only a
    careless or compromised signer makes), whose span covers the TLSA name and
    the wildcard ``*.dane-only.example``."""
    lab.dns_attack("serve", TLSA, "TLSA", rcode="NXDOMAIN", authority=[
        Genuine(DOMAIN, DOMAIN, "SOA"),
        *signed(lab, "example", "NSEC", [f"zz.{DOMAIN}. A RRSIG NSEC"])])


SMALL_RULES = {
    "NXDOMAIN at an empty non-terminal": (
        nxdomain_at_empty_non_terminal, f"_tcp.{MX}", "A", "empty non-terminal"),
    "NSEC owned outside its signer's zone": (
        nsec_outside_its_zone, TLSA, "TLSA", "lies outside dane-only.example"),
}


@pytest.mark.parametrize("case", SMALL_RULES)
def test_small_nsec_rules(lab, case):
    set_up, name, rdtype, words = SMALL_RULES[case]
    set_up(lab)
    lookup = resolve(name, rdtype, lab.net)
    assert lookup.status == BOGUS and lookup.rrset is None, lookup
    assert words in lookup.reason, lookup


@pytest.mark.tools
@pytest.mark.parametrize("case", SMALL_RULES)
def test_delv_agrees_on_small_nsec_rules(lab, case):
    set_up, name, rdtype, _ = SMALL_RULES[case]
    set_up(lab)
    text = delv(lab, rdtype, name)
    assert delv_verdict(text) == BOGUS, text


def test_nsec_next_name_leaving_the_zone_proves_nothing_beyond_it():
    """A (malformed) NSEC of dane-only.example whose next name is in another zone
    covers the names after its owner in its own zone, and none outside it, not
    even between its owner and next name in canonical order (RFC 4034 §4.1.1)."""
    from helpers.dnssec.denial import _covers

    zone = _n(DOMAIN)
    nsec = dns.rrset.from_text(f"ns1.{DOMAIN}.", TTL, "IN", "NSEC", "zzz.example. A RRSIG NSEC")
    assert _covers(nsec, _n(f"x.{DOMAIN}"), zone)
    assert not _covers(nsec, _n(f"a.{DOMAIN}"), zone)
    for outside in ("example.com", "e.example", f"x.{DOMAIN}x", "zz.example"):
        assert not _covers(nsec, _n(outside), zone), outside


# -- NSEC3 zones: iteration limit (item 3), Opt-Out and wildcards (item 5) ------------------

OPTOUT, SIGNED, COSTLY = "optout.example", "signed.optout.example", "costly.example"
SIGNED_TLSA = f"_25._tcp.mx.{SIGNED}"
COSTLY_TLSA = f"_25._tcp.mx.{COSTLY}"


@pytest.fixture
def lab3(nsec3_lab):
    nsec3_lab.reset()
    yield nsec3_lab
    nsec3_lab.reset()


def nsec3_denial(lab, qname: str, rdtype: str, *, without: str | None = None):
    """The lab server's genuine signed denial for ``qname``/``rdtype`` (SOA,
    NSEC3 records and RRSIGs), less the NSEC3 that matches or covers ``without``."""
    from helpers.dnssec.denial import _nsec3_covers, _nsec3_matches

    response = lab.net.query(qname, rdtype, dnssec=True)
    drop = {r.name for r in response.authority if r.rdtype == dns.rdatatype.NSEC3
            and without is not None and (_nsec3_matches(r, _n(without))
                                         or _nsec3_covers(r, _n(without)))}
    return response.rcode(), [r for r in response.authority if r.name not in drop]


def replayed_costly_nsec3(lab):
    """An older NSEC3 of optout.example with 151 iterations, genuinely signed by
    the zone (its signature still valid), replayed as the answer to the DS
    question for its signed child: a tiny span that covers nothing asked."""
    from helpers.lab.nsec3 import Nsec3, hashed_owner

    owner = hashed_owner(_n(f"old.{OPTOUT}"), _n(OPTOUT), Nsec3(iterations=151))
    digest = bytearray(base64.b32hexdecode(owner[0].upper()))
    digest[-1] ^= 1
    following = base64.b32hexencode(bytes(digest)).decode()
    lab.dns_attack("serve", SIGNED, "DS", authority=[
        Genuine(OPTOUT, OPTOUT, "SOA"),
        *signed(lab, owner.to_text().rstrip("."), "NSEC3", [f"1 1 151 - {following} NS"],
                key_label=OPTOUT, signer=OPTOUT)])


def costly_zone_replay(lab):
    """costly.example (151 iterations) publishes TLSA records; the attacker answers
    the TLSA question with the zone's genuine NXDOMAIN proof for another name."""
    lab.set_records(COSTLY, COSTLY_TLSA, "TLSA", ["3 1 1 " + "ab" * 32])
    lab.dns_attack("replay", COSTLY_TLSA, "TLSA", of=f"nope.{COSTLY}", of_type="A")


ITERATION_FORGERIES = {
    "replayed costly NSEC3 of the parent": (replayed_costly_nsec3, f"mx.{SIGNED}"),
    "costly zone's NSEC3 replayed against its TLSA records": (costly_zone_replay,
                                                              f"mx.{COSTLY}"),
}


@pytest.mark.parametrize("case", ITERATION_FORGERIES)
def test_costly_nsec3_is_no_downgrade_to_no_dane(lab3, case):
    """The course's reading of RFC 9276 §3.2 (which allows "insecure" or SERVFAIL
    above the limit), chosen so that an attacker cannot turn a signed name with
    TLSA records into "no DANE": an NSEC3 counts only where it matches or
    covers a name the proof needs, and only a complete proof is judged by its
    iterations, so a replayed costly record that proves nothing about the
    child leaves the DS proof missing (bogus); and an over-limit proof on the
    path of a DANE lookup is "insecure" with ``nsec3_over_limit`` set, on
    which a DANE lookup defers instead of dropping DANE (next tests). Not
    compared with delv: BIND, like the validator before this fix, answers
    "insecure" as soon as it meets such a record."""
    from helpers.dane import lookup_tlsa
    from helpers.sender import DEFERRED, Sender

    set_up, mx = ITERATION_FORGERIES[case]
    set_up(lab3)
    lookup = resolve(f"_25._tcp.{mx}", "TLSA", lab3.net)
    assert lookup.status == BOGUS and lookup.rrset is None, lookup
    found = lookup_tlsa(mx, lab3.net)
    assert found.status not in (SECURE, INSECURE), found
    outcome = Sender(lab3.net, "auto").send("Subject: x\r\n\r\ny\r\n", f"bob@{mx[3:]}")
    assert outcome.status == DEFERRED, outcome


def test_stripped_signatures_in_a_costly_zone_are_bogus(lab3):
    """Stripping the signatures of costly.example's data must not make it
    "insecure" (forged data handed on): the costly proof that ``mx`` is no zone
    cut keeps it inside the signed zone, where a signature is owed. (delv, BIND
    9.18, hands the forged address on as an unsigned answer here: the course
    does not follow it.)"""
    lab3.dns_attack("forge", f"mx.{COSTLY}", "A", values=["192.0.2.66"])
    lookup = resolve(f"mx.{COSTLY}", "A", lab3.net)
    assert lookup.status == BOGUS and lookup.rrset is None, lookup


def test_costly_proof_on_a_dane_lookup_defers(lab3):
    """A genuine over-limit proof ("no TLSA" for mx.costly.example) is insecure
    to DNSSEC, and says so (``nsec3_over_limit``), but for DANE it proves
    nothing either way: the DANE lookup is an error and the sender defers,
    rather than drop DANE on a proof it did not check."""
    from helpers.dane import lookup_tlsa
    from helpers.sender import DEFERRED, Sender

    lookup = resolve(COSTLY_TLSA, "TLSA", lab3.net)
    assert lookup.status == INSECURE and lookup.nsec3_over_limit, lookup
    assert "RFC 9276 §3.2" in lookup.reason
    found = lookup_tlsa(f"mx.{COSTLY}", lab3.net)
    assert found.status not in (SECURE, INSECURE) and "iteration limit" in found.reason, found
    outcome = Sender(lab3.net, "dane").send("Subject: x\r\n\r\ny\r\n", f"bob@{COSTLY}")
    assert outcome.status == DEFERRED, outcome


def opt_out_wildcard(lab):
    lab.set_records(OPTOUT, f"*.w.{OPTOUT}", "TXT", ['"from the wildcard"'])


def test_wildcard_answer_over_an_opt_out_span_is_insecure(lab3):
    """RFC 5155 §9.2 (Appendix B.4's example): the NSEC3 covering the next closer
    name has Opt-Out, so an unsigned delegation could hold the real answer: the
    wildcard-expanded answer is insecure (data kept), never secure."""
    opt_out_wildcard(lab3)
    lookup = resolve(f"a.w.{OPTOUT}", "TXT", lab3.net)
    assert lookup.status == INSECURE, lookup
    assert lookup.records == ('"from the wildcard"',) and "Opt-Out" in lookup.reason


def incomplete_nxdomain(lab):
    """NXDOMAIN in the Opt-Out zone without the NSEC3 that covers the wildcard."""
    rcode, authority = nsec3_denial(lab, f"nope.{OPTOUT}", "A", without=f"*.{OPTOUT}")
    lab.dns_attack("serve", f"nope.{OPTOUT}", "A", rcode="NXDOMAIN", authority=authority)
    return f"nope.{OPTOUT}", "A"


def incomplete_wildcard_nodata(lab):
    """Wildcard NODATA (no MX at a.w, RFC 5155 §8.7) without the NSEC3 matching
    the wildcard."""
    opt_out_wildcard(lab)
    rcode, authority = nsec3_denial(lab, f"a.w.{OPTOUT}", "MX", without=f"*.w.{OPTOUT}")
    lab.dns_attack("serve", f"a.w.{OPTOUT}", "MX", authority=authority)
    return f"a.w.{OPTOUT}", "MX"


INCOMPLETE = {"NXDOMAIN": incomplete_nxdomain, "wildcard NODATA": incomplete_wildcard_nodata}


@pytest.mark.parametrize("case", INCOMPLETE)
def test_opt_out_on_the_walk_does_not_excuse_an_incomplete_proof(lab3, case):
    """The DS walk meets the Opt-Out span first (``insecure``), but the answer's
    own denial from that zone is still owed in full (RFC 5155 §8.4, §8.7)."""
    name, rdtype = INCOMPLETE[case](lab3)
    lookup = resolve(name, rdtype, lab3.net)
    assert lookup.status == BOGUS, lookup
    lab3.stop_dns_attack()
    assert resolve(name, rdtype, lab3.net).status == INSECURE  # complete: Opt-Out


@pytest.mark.tools
def test_delv_agrees_on_opt_out(lab3):
    """delv agrees on the wildcard answer (insecure) and the incomplete NXDOMAIN
    (bogus). Not on the incomplete wildcard NODATA: BIND takes any NODATA whose
    next closer name an Opt-Out NSEC3 covers as insecure (as RFC 5155 §8.6
    allows for DS only) without asking for the wildcard's NSEC3; the course
    follows §8.7, which requires it."""
    opt_out_wildcard(lab3)
    assert delv_verdict(delv(lab3, "TXT", f"a.w.{OPTOUT}")) == INSECURE
    name, rdtype = incomplete_nxdomain(lab3)
    text = delv(lab3, rdtype, name)
    assert delv_verdict(text) == BOGUS, text


NSEC3_ZONE = "nsec3.example"
NSEC3_TLSA = f"_25._tcp.mx.{NSEC3_ZONE}"


def renamed_wildcard_nsec3(lab):
    """A zone whose signer put an NSEC3 RRset at a wildcard owner (nothing forbids
    publishing one): renamed to the hashed owner of the TLSA name, with no TLSA
    bit, it would "match" that name and deny its TLSA records."""
    from helpers.lab.nsec3 import hashed_owner

    lab.forge_records(NSEC3_ZONE, f"*.{NSEC3_ZONE}", "NSEC3",
                      ["1 0 0 - 2DUACKA7UPV2H2NOACOTIFSAG7DUKTMU"], signed_with=NSEC3_ZONE)
    spec = lab.zones.specs[NSEC3_ZONE]
    owner = hashed_owner(_n(NSEC3_TLSA), _n(NSEC3_ZONE), spec.nsec3).to_text().rstrip(".")
    lab.dns_attack("serve", NSEC3_TLSA, "TLSA", authority=[
        Genuine(NSEC3_ZONE, NSEC3_ZONE, "SOA"),
        Genuine(NSEC3_ZONE, f"*.{NSEC3_ZONE}", "NSEC3", expanded_to=owner)])


def test_wildcard_expanded_nsec3_proves_nothing(lab3):
    renamed_wildcard_nsec3(lab3)
    lookup = resolve(NSEC3_TLSA, "TLSA", lab3.net)
    assert lookup.status == BOGUS and "expanded from a wildcard" in lookup.reason, lookup


@pytest.mark.tools
def test_delv_rejects_wildcard_expanded_nsec3(lab3):
    renamed_wildcard_nsec3(lab3)
    text = delv(lab3, "TLSA", NSEC3_TLSA)
    assert delv_verdict(text) == BOGUS, text
