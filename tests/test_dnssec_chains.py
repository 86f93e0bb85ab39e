"""CNAME and DNAME chains across signed zones (issue 18 items 6 and 7).

An answer that follows an alias into another zone carries each zone's records
and proofs. Every link, and every NSEC/NSEC3, must be checked against the keys
of the zone it belongs to (RFC 4035 §5.3.1); the validator used to check every
denial against one zone's keys, so a chain ``x.w.example.com`` (a wildcard
CNAME) to a name that does not exist in another zone came out bogus. A CNAME
met by a DS question on the walk down proves "no zone cut here" (RFC 4035
§2.5) instead of counting as a missing proof. A DNAME's synthesised CNAME is
unsigned and is checked against the signed DNAME (RFC 6672 §5.3), not
required to carry a signature. ``delv`` agrees on every case it can see.

The lab serves all of it: a CNAME (or a wildcard CNAME) into another signed
zone, NSEC or NSEC3, and DNAME with synthesis (RFC 6672 §3.1).
"""

from __future__ import annotations

import dns.name
import dns.rdatatype
import dns.rrset
import pytest
from conftest import delv, delv_verdict
from resolvers import unbound

from helpers.dane import lookup_tlsa
from helpers.dnssec import BOGUS, SECURE, resolve
from helpers.lab import Lab
from helpers.lab.dnsattack import Genuine
from helpers.lab.scenarios import NSEC3_SCENARIOS, SCENARIOS

NSEC3_ZONE = "nsec3.example"


@pytest.fixture(scope="module")
def chain_lab():
    """The course's lab plus one zone signed with NSEC3, so chains can cross
    from NSEC to NSEC3 and back."""
    extra = tuple(s for s in NSEC3_SCENARIOS if s.domain == NSEC3_ZONE)
    with Lab(seed=1, scenarios=SCENARIOS + extra) as lab:
        yield lab


@pytest.fixture
def lab(chain_lab):
    chain_lab.reset()
    yield chain_lab
    chain_lab.reset()


def publish_chains(lab):
    """Aliases from example.com (NSEC) into dane-only.example (NSEC) and
    nsec3.example (NSEC3), and from nsec3.example back into example.com."""
    lab.set_records("example.com", "*.w.example.com", "CNAME", ["nothere.dane-only.example."])
    lab.set_records("example.com", "*.v.example.com", "CNAME", ["mx.dane-only.example."])
    lab.set_records("example.com", "*.h.example.com", "CNAME", ["nothere.nsec3.example."])
    lab.set_records("example.com", "alias.example.com", "CNAME", ["mx.dane-only.example."])
    lab.set_records(NSEC3_ZONE, f"*.back.{NSEC3_ZONE}", "CNAME", ["nothere.example.com."])
    lab.set_records("dane-only.example", "plain.dane-only.example", "A", ["127.0.0.1"])
    lab.set_records("example.com", "plain.example.com", "CNAME", ["plain.dane-only.example."])


def publish_dname(lab):
    """``d.example.com DNAME dane-only.example.``: every name below d.example.com
    is the same name below dane-only.example (RFC 6672 §2.2)."""
    lab.set_records("example.com", "d.example.com", "DNAME", ["dane-only.example."])


# -- item 6: CNAME chains across zones ----------------------------------------------------

CROSS_ZONE = {
    # name, type: (rcode, has data), what it shows
    ("x.w.example.com", "A"): ("NXDOMAIN", False),    # NSEC wildcard proof + NSEC denial
    ("x.v.example.com", "TXT"): ("NOERROR", False),   # NSEC wildcard proof + NSEC NODATA
    ("x.v.example.com", "A"): ("NOERROR", True),      # wildcard CNAME to data
    ("x.h.example.com", "A"): ("NXDOMAIN", False),    # NSEC wildcard proof + NSEC3 denial
    (f"x.back.{NSEC3_ZONE}", "A"): ("NXDOMAIN", False),  # NSEC3 wildcard proof + NSEC denial
    ("plain.example.com", "TXT"): ("NOERROR", False),    # plain CNAME, NODATA over there
}


@pytest.mark.parametrize("case", CROSS_ZONE, ids=" ".join)
def test_each_proof_is_checked_with_its_own_zones_keys(lab, case):
    """RFC 4035 §5.3.1 (each RRset by the zone holding it), §5.3.4 (the wildcard
    proof is the first zone's), §5.4 and RFC 5155 §8 (the denial is the last
    zone's): the chain is secure, its data or its proven absence kept."""
    publish_chains(lab)
    name, rdtype = case
    rcode, has_data = CROSS_ZONE[case]
    found = resolve(name, rdtype, lab.net)
    assert found.status == SECURE, found
    assert found.rcode == rcode and bool(found.records) == has_data, found


def test_a_forged_denial_at_the_end_of_the_chain_is_bogus(lab):
    """The other zone's proof cannot stand in for the last zone's (RFC 4035 §5.3.1):
    the genuine NSEC of example.com served for a name in dane-only.example."""
    publish_chains(lab)
    lab.dns_attack("serve", "x.w.example.com", "A", rcode="NXDOMAIN",
                   answer=[Genuine("example.com", "*.w.example.com", "CNAME")],
                   authority=[Genuine("example.com", "example.com", "NSEC")])
    assert resolve("x.w.example.com", "A", lab.net).status == BOGUS


def test_a_cname_answering_a_ds_question_on_the_walk_is_followed(lab):
    """RFC 4035 §2.5, RFC 2181 §10.1: a CNAME owner holds no NS or DS, so the DS
    question at alias.example.com, answered by its signed CNAME, proves there
    is no zone cut there: the TLSA name below it is proven absent, not bogus."""
    publish_chains(lab)
    found = resolve("_25._tcp.alias.example.com", "TLSA", lab.net)
    assert found.status == SECURE and found.rcode == "NXDOMAIN", found
    assert any("no zone cut there" in step for step in found.chain)


def test_dane_for_an_mx_name_that_is_a_cname_into_another_zone(lab):
    """RFC 7672 §2.2.3: TLSA at the CNAME target (dane-only.example) first; the
    MX name's own TLSA lookup walks through the CNAME (above) without failing."""
    publish_chains(lab)
    found = lookup_tlsa("alias.example.com", lab.net)
    assert found.status == SECURE and found.base_name == "mx.dane-only.example", found
    lab.set_records("dane-only.example", "_25._tcp.mx.dane-only.example", "TLSA", [])
    none = lookup_tlsa("alias.example.com", lab.net)
    assert none.status == SECURE and not none.exists, none


@pytest.mark.tools
@pytest.mark.parametrize("case", CROSS_ZONE, ids=" ".join)
def test_delv_agrees_on_the_chains(lab, case):
    publish_chains(lab)
    assert delv_verdict(delv(lab, case[1], case[0])) == SECURE


@pytest.mark.tools
def test_delv_agrees_on_the_walk_through_a_cname(lab):
    publish_chains(lab)
    assert delv_verdict(delv(lab, "TLSA", "_25._tcp.alias.example.com")) == SECURE


# -- item 7: DNAME (RFC 6672) ----------------------------------------------------------------

def test_the_lab_synthesises_an_unsigned_cname_from_a_dname(lab):
    """RFC 6672 §3.1: the DNAME with its RRSIG, then the synthesised CNAME,
    unsigned, then the target's records."""
    publish_dname(lab)
    response = lab.net.query("mx.d.example.com", "A")
    types = [(str(r.name), dns.rdatatype.to_text(r.rdtype), dns.rdatatype.to_text(r.covers))
             for r in response.answer]
    assert ("d.example.com.", "DNAME", "TYPE0") in types
    assert ("d.example.com.", "RRSIG", "DNAME") in types
    assert ("mx.d.example.com.", "CNAME", "TYPE0") in types
    assert ("mx.d.example.com.", "RRSIG", "CNAME") not in types
    assert ("mx.dane-only.example.", "A", "TYPE0") in types


DNAME_CASES = {
    ("mx.d.example.com", "A"): ("NOERROR", True),
    ("_25._tcp.mx.d.example.com", "TLSA"): ("NOERROR", True),
    ("nothere.d.example.com", "A"): ("NXDOMAIN", False),
    ("mx.d.example.com", "TXT"): ("NOERROR", False),
    ("d.example.com", "DNAME"): ("NOERROR", True),
}


@pytest.mark.parametrize("case", DNAME_CASES, ids=" ".join)
def test_a_signed_dname_with_its_unsigned_cname_validates(lab, case):
    """RFC 6672 §5.3: the DNAME is signed and verified; the CNAME is recomputed
    from it, not required to carry an RRSIG."""
    publish_dname(lab)
    rcode, has_data = DNAME_CASES[case]
    found = resolve(case[0], case[1], lab.net)
    assert found.status == SECURE, found
    assert found.rcode == rcode and bool(found.records) == has_data, found


def test_dane_through_a_dname(lab):
    """An MX host below a DNAME: RFC 7672 §2.2.3's CNAME-expanded base name is
    the DNAME's synthesised target."""
    publish_dname(lab)
    found = lookup_tlsa("mx.d.example.com", lab.net)
    assert found.status == SECURE and found.base_name == "mx.dane-only.example", found
    assert any(r.usable for r in found.records)


def test_a_synthesised_cname_that_does_not_follow_the_dname_is_bogus(lab):
    """RFC 6672 §5.3: the unsigned CNAME must be what the signed DNAME gives; an
    on-path attacker pointing it at another (signed, genuine) name is caught."""
    publish_dname(lab)
    forged = dns.rrset.from_text("mx.d.example.com.", 300, "IN", "CNAME", "mx1.example.com.")
    lab.dns_attack("serve", "mx.d.example.com", "A",
                   answer=[Genuine("example.com", "d.example.com", "DNAME"), forged,
                           Genuine("example.com", "mx1.example.com", "A")])
    found = resolve("mx.d.example.com", "A", lab.net)
    assert found.status == BOGUS and "RFC 6672 §5.3" in found.reason, found


def test_an_unsigned_dname_is_bogus_in_a_signed_zone(lab):
    """The DNAME itself must be signed (RFC 4035 §5.3, RFC 6672 §5.3)."""
    publish_dname(lab)
    lab.dns_attack("strip", "mx.d.example.com", "A")
    assert resolve("mx.d.example.com", "A", lab.net).status == BOGUS


@pytest.mark.tools
@pytest.mark.parametrize("case", DNAME_CASES, ids=" ".join)
def test_delv_agrees_on_the_dname_answers(lab, case):
    publish_dname(lab)
    assert delv_verdict(delv(lab, case[1], case[0])) == SECURE


# -- through a real validating resolver ---------------------------------------------------------

@pytest.mark.tools
def test_unbound_gives_the_same_verdicts_on_every_chain(lab):
    """A recursive resolver assembles the chain itself, each zone's proofs in one
    answer (RFC 4035 §3.1.3): through Debian's unbound (tests/resolvers.py) every
    chain and DNAME case is as secure as straight from the lab's server."""
    publish_chains(lab)
    publish_dname(lab)
    with unbound(lab) as resolver:
        for name, rdtype in [*CROSS_ZONE, *DNAME_CASES]:
            ours, theirs = resolve(name, rdtype, lab.net), resolve(name, rdtype, resolver.net)
            assert theirs.status == SECURE, theirs
            assert (theirs.rcode, sorted(theirs.records)) == (ours.rcode, sorted(ours.records)), \
                (ours, theirs)
