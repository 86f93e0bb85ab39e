"""NSEC3 (RFC 5155) in the validator, against lab zones signed with NSEC3.

Most TLDs (.com, .net, .org) deny with NSEC3 and Opt-Out, so an unsigned
domain's insecurity is proven by an Opt-Out span of its TLD, not by an NSEC.
The lab's ``NSEC3_SCENARIOS`` model that: ``optout.example`` (a TLD-like zone,
NSEC3 with Opt-Out) delegating to a signed and an unsigned child;
``nsec3.example`` (NSEC3 without Opt-Out) with an unsigned child; and
``costly.example`` (151 hash iterations, above RFC 9276's limit). Each verdict
is cross-checked with ``delv``; each forgery by the on-path DNS attacker must
end ``bogus``, never ``insecure`` nor "proven absent".
"""

from __future__ import annotations

import re

import dns.name
import dns.rdataclass
import dns.rdatatype
import pytest
from conftest import delv, delv_verdict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.dnssec import BOGUS, INSECURE, SECURE, _Validator, resolve
from helpers.lab.dnsattack import Genuine
from helpers.lab.nsec3 import hashed_owner
from helpers.sender import DEFERRED, VERIFIED, Sender

OPTOUT, SIGNED, UNSIGNED = "optout.example", "signed.optout.example", "unsigned.optout.example"
NSEC3, UNSIGNED3 = "nsec3.example", "unsigned.nsec3.example"
SIGNED_TLSA = "_25._tcp.mx.signed.optout.example"
MESSAGE = "Subject: NSEC3\r\n\r\nHashed denial of existence.\r\n"


@pytest.fixture
def lab(nsec3_lab):
    nsec3_lab.reset()
    yield nsec3_lab
    nsec3_lab.reset()


def _n(text: str) -> dns.name.Name:
    return dns.name.from_text(text)


def nsec3_owners(lab, zone: str) -> list[str]:
    """The owner names of the NSEC3 chain of ``zone``, as the lab publishes it."""
    z = lab.zones.zones[_n(zone)]
    return [n.to_text() for n, node in z.nodes.items()
            if node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.NSEC3)]


def owner_of(lab, zone: str, name: str) -> str:
    """The NSEC3 owner name that matches ``name`` in ``zone``."""
    spec = lab.zones.specs[zone]
    return hashed_owner(_n(name), _n(zone), spec.nsec3).to_text()


# -- the genuine answers ----------------------------------------------------------------------

# (name, type) -> (status, rcode, words in the reason)
GENUINE = {
    "unsigned child of an Opt-Out parent": (
        f"mx.{UNSIGNED}", "A", INSECURE, "NOERROR", "Opt-Out NSEC3"),
    "signed child of an Opt-Out parent": (SIGNED_TLSA, "TLSA", SECURE, "NOERROR", "verified"),
    "unsigned child, NSEC3 at the cut": (UNSIGNED3, "MX", INSECURE, "NOERROR", "RFC 5155 §8.9"),
    "NXDOMAIN in an NSEC3 zone": (f"nope.{NSEC3}", "A", SECURE, "NXDOMAIN", "signed NSEC3"),
    "NXDOMAIN two labels below": (f"a.b.{NSEC3}", "A", SECURE, "NXDOMAIN", "signed NSEC3"),
    "NODATA at the apex": (NSEC3, "TXT", SECURE, "NOERROR", "signed NSEC3"),
    "NODATA at an empty non-terminal": (f"_tcp.mx.{NSEC3}", "TLSA", SECURE, "NOERROR",
                                        "proven by signed NSEC3"),
    "iterations above the limit": ("nope.costly.example", "A", INSECURE, "NXDOMAIN",
                                   "RFC 9276 §3.2"),
}


@pytest.mark.parametrize("case", GENUINE)
def test_genuine_nsec3_answers(lab, case):
    name, rdtype, status, rcode, words = GENUINE[case]
    lookup = resolve(name, rdtype, lab.net)
    assert (lookup.status, lookup.rcode) == (status, rcode), lookup
    assert words in lookup.reason


def test_secure_nsec3_answers_carry_their_records(lab):
    signed = resolve(SIGNED_TLSA, "TLSA", lab.net)
    assert signed.status == SECURE and len(signed.records) == 1
    unsigned = resolve(f"mx.{UNSIGNED}", "A", lab.net)
    assert unsigned.records == ("127.0.0.1",)  # insecure data is still data
    assert resolve("costly.example", "MX", lab.net).status == SECURE
    nxdomain = resolve(f"nope.{NSEC3}", "A", lab.net)
    assert nxdomain.rrset is None and any("closest encloser" in s for s in nxdomain.chain)


#: Denials resting on an Opt-Out span: RFC 5155 §9.2 forbids the AD bit on them.
OPT_OUT_DENIALS = {"name error": (f"nope.{OPTOUT}", "A", "§9.2"),
                   "no DS": (UNSIGNED, "DS", "RFC 5155 §8.6")}


@pytest.mark.parametrize("case", OPT_OUT_DENIALS)
def test_opt_out_denials_are_not_authenticated(lab, case):
    """A name error or a missing DS whose next closer name is covered by an
    Opt-Out NSEC3 may hide an unsigned delegation: not ``secure`` but
    ``insecure`` (RFC 5155 §9.2)."""
    name, rdtype, words = OPT_OUT_DENIALS[case]
    lookup = resolve(name, rdtype, lab.net)
    assert lookup.status == INSECURE and lookup.rrset is None, lookup
    assert words in lookup.reason


def test_wildcard_in_an_nsec3_zone(lab):
    lab.set_records(NSEC3, f"*.w.{NSEC3}", "TXT", ['"from the wildcard"'])
    answer = resolve(f"a.w.{NSEC3}", "TXT", lab.net)
    assert answer.status == SECURE and answer.records == ('"from the wildcard"',), answer
    assert any("expanded from the wildcard" in s for s in answer.chain)
    nodata = resolve(f"a.w.{NSEC3}", "MX", lab.net)
    assert (nodata.status, nodata.rrset) == (SECURE, None), nodata
    assert "wildcard" in nodata.reason
    lab.dns_attack("remove", f"a.w.{NSEC3}", "TXT", types=["NSEC3"])
    stripped = resolve(f"a.w.{NSEC3}", "TXT", lab.net)
    assert stripped.status == BOGUS and stripped.rrset is None


def test_dane_senders_under_nsec3_parents(lab):
    """The sender sees what the validator says: DANE for the signed child of an
    Opt-Out parent and for an NSEC3 zone; plain delivery to the unsigned child."""
    for domain in (SIGNED, NSEC3):
        outcome = Sender(lab.net, "dane").send(MESSAGE, f"bob@{domain}")
        assert outcome.status == VERIFIED, outcome
    outcome = Sender(lab.net, "auto").send(MESSAGE, f"bob@{UNSIGNED}")
    assert outcome.status != DEFERRED and outcome.delivered, outcome


def test_nsec3_with_an_unknown_hash_algorithm_is_ignored(lab):
    """RFC 5155 §8.1: an NSEC3 whose hash algorithm is unknown is ignored, even
    validly signed by the zone: here it is the one the NXDOMAIN proof needs, so
    the proof is incomplete (bogus), not taken on trust."""
    apex = owner_of(lab, NSEC3, NSEC3)
    rd = lab.zones.zones[_n(NSEC3)].find_rdataset(_n(apex), dns.rdatatype.NSEC3)[0]
    lab.forge_records(NSEC3, apex, "NSEC3", ["2" + rd.to_text()[1:]], signed_with=NSEC3)
    lookup = resolve(f"nope.{NSEC3}", "A", lab.net)
    assert lookup.status == BOGUS and "RFC 5155 §8" in lookup.reason, lookup


# -- an on-path attacker with genuine NSEC3 records from elsewhere -----------------------------

def other_zone_nsec3(lab):
    """The DS answer for the signed child replaced by the NSEC3s of another zone."""
    lab.dns_attack("serve", SIGNED, "DS", authority=[Genuine(OPTOUT, OPTOUT, "SOA")] + [
        Genuine(NSEC3, o, "NSEC3") for o in nsec3_owners(lab, NSEC3)])


def opt_out_for_signed_child(lab):
    """Every Opt-Out NSEC3 of the parent except the one matching the signed child."""
    match = owner_of(lab, OPTOUT, SIGNED)
    lab.dns_attack("serve", SIGNED, "DS", authority=[Genuine(OPTOUT, OPTOUT, "SOA")] + [
        Genuine(OPTOUT, o, "NSEC3") for o in nsec3_owners(lab, OPTOUT) if o != match])


def not_covering(lab):
    """NXDOMAIN for an existing name, with the zone's NSEC3s except its own: none covers it."""
    match = owner_of(lab, NSEC3, f"mx.{NSEC3}")
    lab.dns_attack("serve", f"mx.{NSEC3}", "A", rcode="NXDOMAIN",
                   authority=[Genuine(NSEC3, NSEC3, "SOA")] + [
                       Genuine(NSEC3, o, "NSEC3") for o in nsec3_owners(lab, NSEC3) if o != match])


def ancestor_delegation(lab):
    """NXDOMAIN below the signed child, proven with the parent's NSEC3 at the cut."""
    lab.dns_attack("serve", f"mx.{SIGNED}", "A", rcode="NXDOMAIN", authority=[
        Genuine(SIGNED, SIGNED, "SOA"),
        Genuine(OPTOUT, owner_of(lab, OPTOUT, SIGNED), "NSEC3"),
        Genuine(OPTOUT, owner_of(lab, OPTOUT, OPTOUT), "NSEC3")])


# Each forgery: (set-up, name, type, words in the reason).
FORGERIES = {
    "NSEC3 from another zone": (other_zone_nsec3, SIGNED_TLSA, "TLSA",
                                "not by optout.example"),
    "NSEC3 RRSIGs stripped from an NXDOMAIN": (
        lambda lab: lab.dns_attack("strip", f"nope.{NSEC3}"), f"nope.{NSEC3}", "A",
        "has no RRSIG"),
    "RRSIG stripped from the signed child's DS": (
        lambda lab: lab.dns_attack("strip", SIGNED, "DS"), SIGNED_TLSA, "TLSA",
        "has no RRSIG"),
    "DS removed, the child's own NSEC3 in its place": (
        lambda lab: lab.dns_attack("serve", SIGNED, "DS", authority=[
            Genuine(OPTOUT, OPTOUT, "SOA"),
            Genuine(OPTOUT, owner_of(lab, OPTOUT, SIGNED), "NSEC3")]),
        SIGNED_TLSA, "TLSA", "does not deny a DS"),
    "NSEC3 that does not cover the name": (not_covering, f"mx.{NSEC3}", "A", "covers"),
    "Opt-Out NSEC3 offered for a signed child": (opt_out_for_signed_child, SIGNED_TLSA,
                                                 "TLSA", "no NSEC3 of optout.example. covers"),
    "ancestor delegation NSEC3 as NXDOMAIN proof": (ancestor_delegation, f"mx.{SIGNED}", "A",
                                                    "not by signed.optout.example"),
    "NSEC3 RRSIGs stripped from the Opt-Out proof of an unsigned child": (
        lambda lab: lab.dns_attack("strip", UNSIGNED, "DS"), f"mx.{UNSIGNED}", "A",
        "has no RRSIG"),
}


@pytest.mark.parametrize("forgery", FORGERIES)
def test_nsec3_forgery_is_bogus(lab, forgery):
    set_up, name, rdtype, words = FORGERIES[forgery]
    set_up(lab)
    lookup = resolve(name, rdtype, lab.net)
    assert lookup.status == BOGUS, lookup
    assert words in lookup.reason, lookup.reason
    assert lookup.rrset is None
    assert lookup.queries <= 12


def test_opt_out_attack_on_the_signed_child_keeps_dane(lab):
    """The forged Opt-Out proof must not switch DANE off: the sender defers."""
    opt_out_for_signed_child(lab)
    sender = Sender(lab.net, "dane")
    outcome = sender.send(MESSAGE, f"bob@{SIGNED}")
    assert outcome.status == DEFERRED and len(sender.queue) == 1, outcome
    lab.stop_dns_attack()
    [again] = sender.retry()
    assert again.status == VERIFIED, again


def test_parent_side_nsec3_proves_nothing_below_the_cut(lab):
    """RFC 6840 §4.1 for NSEC3: the parent's NSEC3 at an (unsigned) cut, genuine
    and signed by the parent, cannot deny names or types below the cut. The walk
    from the anchor stops at such a cut first, so this is checked on the proofs
    themselves, with the genuine records."""
    v = _Validator(lab.net)
    zone = _n(NSEC3)
    keys = v.keys_of(zone)
    response = lab.net.query(UNSIGNED3, "DS", dnssec=True)
    nsec3s = v.nsec3s(response, zone, keys)
    with pytest.raises(Exception, match="RFC 6840 §4.1") as below:
        v.prove_nxdomain_nsec3(nsec3s, _n(f"x.{UNSIGNED3}"), zone)
    assert below.value.status == BOGUS
    with pytest.raises(Exception, match="RFC 6840 §4.1") as other_type:
        v.prove_nodata_nsec3(nsec3s, _n(UNSIGNED3), 16, zone)  # TXT
    assert other_type.value.status == BOGUS
    assert v.prove_nodata_nsec3(nsec3s, _n(UNSIGNED3), 43, zone).startswith("no such")  # DS


# -- delv agrees ----------------------------------------------------------------------------------

@pytest.mark.tools
@pytest.mark.parametrize("case", GENUINE)
def test_delv_agrees_on_genuine_answers(lab, case):
    name, rdtype, status, _, _ = GENUINE[case]
    text = delv(lab, rdtype, name)
    assert delv_verdict(text) == status, text


@pytest.mark.tools
@pytest.mark.parametrize("case", OPT_OUT_DENIALS)
def test_delv_validates_opt_out_denials(lab, case):
    """Where delv and this validator differ, knowingly: delv (BIND) calls an
    Opt-Out denial "fully validated"; this validator follows RFC 5155 §9.2 (no
    AD bit: insecure). Both agree it is no forgery and no data."""
    name, rdtype, _ = OPT_OUT_DENIALS[case]
    text = delv(lab, rdtype, name)
    assert delv_verdict(text) == SECURE and "negative response" in text, text


@pytest.mark.tools
@pytest.mark.parametrize("forgery", FORGERIES)
def test_delv_agrees_on_nsec3_forgeries(lab, forgery):
    set_up, name, rdtype, _ = FORGERIES[forgery]
    set_up(lab)
    text = delv(lab, rdtype, name)
    assert delv_verdict(text) == BOGUS, text
    assert not re.search(rf"^{re.escape(name)}\.\s.*\sIN\s+{rdtype}\s", text, re.M)


# -- hypothesis: random splices of genuine NSEC3 records -----------------------------------------

TARGETS = [(SIGNED_TLSA, "TLSA"), (f"mx.{NSEC3}", "A"), (NSEC3, "MX"), (f"mx.{SIGNED}", "A")]
REPLAYS = [(f"nope.{NSEC3}", "A"), (UNSIGNED, "DS"), (f"nope.{OPTOUT}", "A"), (UNSIGNED3, "DS"),
           (f"_tcp.mx.{NSEC3}", "TLSA"), ("nope.costly.example", "A")]


def splice_pool(lab) -> list[Genuine]:
    """Genuine signed records an attacker can collect: every NSEC3 and SOA of the
    NSEC3 zones (Opt-Out spans included), and the DS of the signed child."""
    pool = [Genuine(z, z, "SOA") for z in (OPTOUT, NSEC3, SIGNED, "costly.example")]
    pool += [Genuine(z, o, "NSEC3") for z in (OPTOUT, NSEC3, "costly.example")
             for o in nsec3_owners(lab, z)]
    return pool + [Genuine(OPTOUT, SIGNED, "DS")]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_nsec3_splice_makes_a_signed_name_insecure_or_absent(lab, data):
    """Whatever genuine NSEC3 records an on-path attacker splices in (Opt-Out
    spans, another zone's chain, 151-iteration records, the parent's NSEC3 at a
    cut), with whatever rcode, a signed name that exists is never ``insecure``
    nor proven absent, and a ``secure`` answer carries the true records."""
    lab.stop_dns_attack()
    name, rdtype = data.draw(st.sampled_from(TARGETS), label="target")
    truth = resolve(name, rdtype, lab.net)
    assert truth.status == SECURE and truth.rrset is not None
    pool = splice_pool(lab)
    for _ in range(data.draw(st.integers(1, 3), label="rules")):
        action = data.draw(st.sampled_from(["serve", "replay", "strip", "remove"]))
        qtype = data.draw(st.sampled_from([rdtype, "DS", None]), label="qtype")
        on = data.draw(st.sampled_from([name, None]), label="on")
        if action == "serve":
            options = {"authority": data.draw(st.lists(st.sampled_from(pool), min_size=1,
                                                       max_size=4)),
                       "rcode": data.draw(st.sampled_from(["NOERROR", "NXDOMAIN"]))}
        elif action == "replay":
            of, of_type = data.draw(st.sampled_from(REPLAYS))
            options = {"of": of, "of_type": of_type}
        elif action == "remove":
            options = {"types": data.draw(st.lists(st.sampled_from(
                ["DS", "NSEC3", "RRSIG", rdtype]), min_size=1, max_size=2))}
        else:
            options = {}
        lab.dns_attack(action, on, qtype, subtree=on is not None, **options)
    lookup = resolve(name, rdtype, lab.net)
    assert lookup.status in (SECURE, BOGUS), lookup
    if lookup.status == SECURE:
        assert sorted(lookup.records) == sorted(truth.records)
    lab.stop_dns_attack()
