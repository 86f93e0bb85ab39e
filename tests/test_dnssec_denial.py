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


# (set-up, name, type, status, words in the reason, what delv says or why it is not asked)
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
    "DS naming only a revoked key": (revoked, DOMAIN, "DNSKEY", BOGUS, "REVOKED", None),
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
@pytest.mark.parametrize("case", [c for c in DS_CASES if DS_CASES[c][5] is not None])
def test_delv_agrees_on_ds_records(lab, case):
    set_up, name, rdtype, _, _, expected = DS_CASES[case]
    set_up(lab)
    text = delv(lab, rdtype, name)
    assert delv_verdict(text) == expected, text


def test_trust_anchor_with_only_unsupported_digests_is_insecure(lab):
    """RFC 4035 §5 and §5.2: a trust anchor is a DS the validator holds; one it
    cannot use (digest type 99) leaves no authentication path: insecure, and the
    unsigned answer is still handed on. (Not asked of delv: its trust anchor
    file is a fixed lab file, and BIND refuses to load an unknown digest type.)"""
    anchor = lab.net.trust_anchor.split()
    anchor[-2] = "99"
    net = dataclasses.replace(lab.net, trust_anchor=" ".join(anchor) + "\n")
    lookup = resolve(TLSA, "TLSA", net)
    assert lookup.status == INSECURE and "does not support" in lookup.reason, lookup
    assert lookup.records == resolve(TLSA, "TLSA", lab.net).records != ()


# -- item 1: a wildcard's NSEC, renamed, proves nothing (CVE-2017-15105 class) ---------------

WILDCARD = f"*._tcp.{MX}"


@pytest.fixture
def root_wildcard(lab):
    """The root zone publishes ``*.example TXT``: its NSEC, renamed to any name
    below ``example``, still verifies. (The root is not a catalogue zone, so
    ``reset()`` would not restore it: this fixture does.)"""
    lab.zones.set("", "*.example", "TXT", ['"anything"'])
    yield "*.example"
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
    from helpers.dnssec import _covers

    zone = _n(DOMAIN)
    nsec = dns.rrset.from_text(f"ns1.{DOMAIN}.", TTL, "IN", "NSEC", "zzz.example. A RRSIG NSEC")
    assert _covers(nsec, _n(f"x.{DOMAIN}"), zone)
    assert not _covers(nsec, _n(f"a.{DOMAIN}"), zone)
    for outside in ("example.com", "e.example", f"x.{DOMAIN}x", "zz.example"):
        assert not _covers(nsec, _n(outside), zone), outside
