"""An on-path DNS attacker against the validator and the senders (issue 9).

The lab's DNS attacker (``lab.dns_attack``) rewrites answers between every
client and the lab's server, with forged records or genuine signed records
from elsewhere. Each forgery must end as ``bogus`` (or ``error``), never as
"insecure" or "proven absent", in a handful of questions; ``delv``, given the
same forged answers, must agree; and a DANE sender must never deliver in the
clear nor to an MX that DNSSEC did not vouch for: it defers, keeps the message
queued, and delivers once the attack stops.
"""

from __future__ import annotations

import re

import pytest
from conftest import delv, delv_verdict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import attacks, mtasts
from helpers.dane import lookup_tlsa
from helpers.dnssec import BOGUS, ERROR, MAX_QUERIES, SECURE, resolve
from helpers.lab.dnsattack import Genuine
from helpers.net import NetworkError
from helpers.sender import CLEAR, DEFERRED, VERIFIED, Sender

DOMAIN = "dane-only.example"
MX = "mx.dane-only.example"
TLSA = f"_25._tcp.{MX}"
WILDCARD = f"*._tcp.{MX}"
ROGUE = "mx.attacker.example"
MESSAGE = "Subject: issue 9\r\n\r\nThe launch code is 0000.\r\n"
#: Questions a lookup may need against these forgeries ("a handful").
HANDFUL = 12


def genuine_tlsa(lab) -> list[str]:
    return [r.to_text() for r in lab.zones.zones[_n(DOMAIN)].find_rdataset(
        _n(TLSA), "TLSA")]


def _n(text):
    import dns.name
    return dns.name.from_text(text)


def foreign_soa(lab):
    """Every SOA question under dane-only.example gets the unsigned zone's SOA."""
    lab.dns_attack("replay", DOMAIN, "SOA", subtree=True, of="dane-insecure.example",
                   of_type="SOA")


def publish_wildcard(lab):
    """``*._tcp.mx.dane-only.example`` TLSA instead of the ``_25`` records."""
    records = genuine_tlsa(lab)
    lab.set_records(DOMAIN, WILDCARD, "TLSA", records)
    lab.set_records(DOMAIN, TLSA, "TLSA", [])


# Each forgery: (set-up, name, type, expected status, words in the reason).
FORGERIES = {
    # 1. A foreign SOA must not make a signed zone "insecure".
    "foreign SOA, empty TLSA answer": (
        lambda lab: (lab.dns_attack("empty", TLSA, "TLSA"), foreign_soa(lab)),
        TLSA, "TLSA", BOGUS, "without an NSEC proof"),
    "foreign SOA, unsigned forged MX": (
        lambda lab: (lab.dns_attack("forge", DOMAIN, "MX", values=[f"10 {ROGUE}."]),
                     foreign_soa(lab)),
        DOMAIN, "MX", BOGUS, "has no RRSIG"),
    # 2. The parent's delegation NSEC proves nothing below the cut (RFC 6840 §4.1).
    "ancestor delegation NSEC as NXDOMAIN proof": (
        lambda lab: lab.dns_attack("serve", TLSA, "TLSA", rcode="NXDOMAIN", authority=[
            Genuine(DOMAIN, DOMAIN, "SOA"), Genuine("", DOMAIN, "NSEC")]),
        TLSA, "TLSA", BOGUS, "signed by ., not by dane-only.example"),
    "ancestor delegation NSEC as NODATA proof": (
        lambda lab: lab.dns_attack("serve", DOMAIN, "MX", authority=[
            Genuine(DOMAIN, DOMAIN, "SOA"), Genuine("", DOMAIN, "NSEC")]),
        DOMAIN, "MX", BOGUS, "signed by ., not by dane-only.example"),
    "child's apex NSEC denying its DS": (
        lambda lab: lab.dns_attack("serve", DOMAIN, "DS", authority=[
            Genuine("", "", "SOA"), Genuine(DOMAIN, DOMAIN, "NSEC")]),
        TLSA, "TLSA", BOGUS, "not by ., the zone that holds it"),
    # 3. NXDOMAIN needs the no-wildcard proof (RFC 4035 §5.4).
    "NXDOMAIN where a wildcard answers": (
        lambda lab: (publish_wildcard(lab), lab.dns_attack(
            "serve", TLSA, "TLSA", rcode="NXDOMAIN", authority=[
                Genuine(DOMAIN, DOMAIN, "SOA"), Genuine(DOMAIN, WILDCARD, "NSEC")])),
        TLSA, "TLSA", BOGUS, "the wildcard exists"),
    "wildcard answer without its NSEC proof": (
        lambda lab: (publish_wildcard(lab), lab.dns_attack("remove", TLSA, "TLSA",
                                                           types=["NSEC"])),
        TLSA, "TLSA", BOGUS, "no NSEC proves that no closer name exists"),
    # 6. Stripped signatures: bogus at once, no loop.
    "every RRSIG stripped": (
        lambda lab: lab.dns_attack("strip"), TLSA, "TLSA", BOGUS, "not signed"),
    "RRSIGs stripped below the root": (
        lambda lab: lab.dns_attack("strip", DOMAIN, subtree=True),
        TLSA, "TLSA", BOGUS, "has no RRSIG"),
    # Already covered before issue 9, now through the on-path attacker.
    "genuine TLSA of another name": (
        lambda lab: lab.dns_attack("replay", TLSA, "TLSA", of="_25._tcp.mx1.example.com",
                                   of_type="TLSA"),
        TLSA, "TLSA", BOGUS, "NSEC"),
    "re-signed with the attacker's key": (
        lambda lab: lab.dns_attack("forge", TLSA, "TLSA", values=["3 1 1 " + "ee" * 32],
                                   sign_with="attacker", signer=DOMAIN),
        TLSA, "TLSA", BOGUS, "does not verify"),
    "signed by a zone the attacker owns": (
        lambda lab: lab.dns_attack("forge", TLSA, "TLSA", values=["3 1 1 " + "ee" * 32],
                                   sign_with="example.com"),
        TLSA, "TLSA", BOGUS, "does not contain it"),
    "expired signature": (
        lambda lab: lab.dns_attack("forge", TLSA, "TLSA", values=["3 1 1 " + "ee" * 32],
                                   sign_with=DOMAIN, expired=True),
        TLSA, "TLSA", BOGUS, "does not verify"),
    "NXDOMAIN without any proof": (
        lambda lab: lab.dns_attack("empty", TLSA, "TLSA", rcode="NXDOMAIN"),
        TLSA, "TLSA", BOGUS, "without an NSEC proof"),
    "SERVFAIL": (
        lambda lab: lab.dns_attack("rcode", TLSA, "TLSA", rcode="SERVFAIL"),
        TLSA, "TLSA", BOGUS, "SERVFAIL"),
}


@pytest.mark.parametrize("forgery", FORGERIES)
def test_forgery_is_rejected_in_a_handful_of_questions(lab, forgery):
    set_up, name, rdtype, expected, words = FORGERIES[forgery]
    set_up(lab)
    before = lab.dns.queries
    lookup = resolve(name, rdtype, lab.net)
    asked = lab.dns.queries - before
    assert lookup.status == expected, lookup
    assert words in lookup.reason
    assert lookup.rrset is None  # nothing forged is handed on
    assert asked == lookup.queries <= HANDFUL


def test_stripped_rrsigs_end_bogus_not_in_a_loop(lab):
    """Item 6: before, stripping every RRSIG made ~1,460 questions and a
    RecursionError; now the root's unsigned DNSKEY set ends it."""
    attacker = lab.dns_attack("strip")
    lookup = resolve("example.com", "MX", lab.net)
    assert lookup.status == BOGUS and "DNSKEY RRset of . is not signed" in lookup.reason
    assert attacker.queries <= 3
    found = lookup_tlsa("mx1.example.com", lab.net)
    assert found.status == BOGUS and not found.records


def test_failures_are_remembered_within_a_lookup(lab):
    """Every question is asked at most once per lookup, even when the forger
    answers every question with the same unproven data."""
    attacker = lab.dns_attack("strip", DOMAIN, subtree=True)
    lookup = resolve(TLSA, "TLSA", lab.net)
    questions = [line.rsplit(":", 1)[0] for line in attacker.log]
    assert lookup.status == BOGUS
    assert len(questions) == len(set(questions))


# -- delv, given the same forged answers, agrees -----------------------------------------

@pytest.mark.tools
@pytest.mark.parametrize("forgery", FORGERIES)
def test_delv_agrees_on_every_forgery(lab, forgery):
    set_up, name, rdtype, expected, _ = FORGERIES[forgery]
    set_up(lab)
    text = delv(lab, rdtype, name)
    assert delv_verdict(text) == BOGUS == expected or expected == ERROR, text
    assert not re.search(r"^[^;].*\sTLSA\s", text, re.MULTILINE)  # no record as an answer


# -- 3. wildcard TLSA works as on the internet -----------------------------------------------

def test_wildcard_tlsa_is_synthesised_and_secure(lab):
    records = genuine_tlsa(lab)
    publish_wildcard(lab)
    lookup = resolve(TLSA, "TLSA", lab.net)
    assert lookup.status == SECURE, lookup
    assert sorted(lookup.records) == sorted(records)
    assert any("expanded from the wildcard" in step for step in lookup.chain)
    # A name below the wildcard's owner that does not exist is a proven NXDOMAIN,
    # and another type at the synthesised name a proven (wildcard) NODATA.
    assert resolve(f"x.mx.{DOMAIN}", "A", lab.net).status == SECURE
    nodata = resolve(TLSA, "TXT", lab.net)
    assert (nodata.status, nodata.rrset) == (SECURE, None)
    outcome = Sender(lab.net, "dane").send(MESSAGE, f"bob@{DOMAIN}")
    assert outcome.status == VERIFIED, outcome


@pytest.mark.tools
def test_delv_validates_the_wildcard_answer(lab):
    records = genuine_tlsa(lab)
    publish_wildcard(lab)
    text = delv(lab, "TLSA", TLSA)
    assert delv_verdict(text) == SECURE, text
    assert len(re.findall(r"^_25\._tcp\.mx\.dane-only\.example\.\s.*IN\tTLSA\t", text, re.M)) == len(records)


# -- 4. one malformed TLSA record is unusable, not fatal -------------------------------------

def publish_malformed(lab):
    """The zone itself signs its good records plus one 3 1 1 with a 31-byte digest."""
    lab.forge_records(DOMAIN, TLSA, "TLSA", genuine_tlsa(lab) + [r"\# 34 030101" + "ab" * 31],
                      signed_with=DOMAIN)


def test_one_malformed_tlsa_record_is_ignored(lab):
    publish_malformed(lab)
    found = lookup_tlsa(MX, lab.net)
    assert found.status == SECURE and sum(r.usable for r in found.records) == 2, found
    assert "1 malformed record(s) ignored" in found.reason
    outcome = Sender(lab.net, "dane").send(MESSAGE, f"bob@{DOMAIN}")
    assert outcome.status == VERIFIED, outcome


@pytest.mark.tools
def test_delv_validates_the_set_with_a_malformed_record(lab):
    publish_malformed(lab)
    assert delv_verdict(delv(lab, "TLSA", TLSA)) == SECURE


# -- the senders under every forgery -------------------------------------------------------------

SENDER_FORGERIES = [f for f in FORGERIES if FORGERIES[f][1] in (TLSA, DOMAIN)]


@pytest.mark.parametrize("policy", ["dane", "auto"])
@pytest.mark.parametrize("forgery", SENDER_FORGERIES)
def test_dane_senders_defer_under_forgery_and_deliver_after(lab, forgery, policy):
    """With STARTTLS stripped on the path as well, a forged DNS answer must not
    turn DANE off: the sender defers (never in the clear, never to the
    attacker's MX), keeps the message, and delivers once the attacks stop."""
    FORGERIES[forgery][0](lab)
    smtp_attacker = lab.attack(MX, "strip")
    sender = Sender(lab.net, policy)
    outcome = sender.send(MESSAGE, f"bob@{DOMAIN}")
    assert outcome.status == DEFERRED, outcome
    assert all(a.mx == MX for a in outcome.attempts)
    assert not smtp_attacker.saw("launch code")
    assert not lab.mailbox.for_host(ROGUE)
    assert len(sender.queue) == 1
    if "SERVFAIL" not in forgery:
        assert any(f.result_type == "dnssec-invalid" for f in outcome.failures) or \
            "MX lookup" in outcome.reason, outcome
    lab.stop_dns_attack()
    lab.stop_attack()
    if "wildcard" in forgery:
        lab.reset()
    [again] = sender.retry()
    assert again.status == VERIFIED, again
    assert not sender.queue
    assert len(lab.mailbox.for_host(MX)) == 1


def test_unsigned_forged_mx_never_reaches_the_attacker(lab):
    """Item 1's second half: the forged MX points at the attacker's server."""
    FORGERIES["foreign SOA, unsigned forged MX"][0](lab)
    for policy in ("dane", "auto"):
        outcome = Sender(lab.net, policy).send(MESSAGE, f"bob@{DOMAIN}")
        assert outcome.status == DEFERRED and outcome.status != CLEAR
        assert not lab.mailbox.for_host(ROGUE)


# -- hypothesis: random mutations of signed answers ------------------------------------------------

TARGETS = [(TLSA, "TLSA", DOMAIN, MX), ("example.com", "MX", "example.com", "mx1.example.com"),
           ("mx1.example.com", "A", "example.com", "mx2.example.com")]
OTHER_QUESTIONS = [("dane-insecure.example", "SOA"), ("_25._tcp.mx1.example.com", "TLSA"),
                   ("no-such.example.com", "A"), ("mx1.example.com", "TXT"),
                   ("dane-insecure.example", "DS"), (MX, "A"), (DOMAIN, "DNSKEY")]


#: Wildcards published for the splice test (issue 18 item 9): their NSEC records,
#: renamed to any name they match, still verify (the CVE-2017-15105 forgery).
SPLICE_WILDCARDS = {DOMAIN: f"*.{DOMAIN}", "example.com": "*.example.com",
                    "": ("*.example", "*.com")}


@pytest.fixture
def wildcards(lab):
    """Publish SPLICE_WILDCARDS (TXT) for one test; the root, which ``reset()``
    does not restore, is cleaned up here."""
    for zone in (DOMAIN, "example.com"):
        lab.set_records(zone, SPLICE_WILDCARDS[zone], "TXT", ['"wildcard"'])
    for owner in SPLICE_WILDCARDS[""]:
        lab.zones.set("", owner, "TXT", ['"wildcard"'])
    yield
    for owner in SPLICE_WILDCARDS[""]:
        lab.zones.set("", owner, "TXT", [])


def pool(zone: str, neighbour: str, name: str) -> list[Genuine]:
    """Genuine signed records an attacker can fetch elsewhere and splice in: the
    parent's NSEC at the zone cut, the zone's own NSECs and SOA, records of an
    unsigned zone and of another signed zone, and wildcard NSECs renamed to
    the looked-up name, to names on its way down and around it (issue 18 item 9)."""
    other = "example.com" if zone == DOMAIN else DOMAIN
    parent_wildcard = "*.example" if zone == DOMAIN else "*.com"
    renamed = [Genuine(zone, f"*.{zone}", "NSEC", expanded_to=to)
               for to in (name, f"!.{zone}", f"_tcp.{name}", neighbour)]
    renamed += [Genuine("", parent_wildcard, "NSEC", expanded_to=to) for to in (zone, name)]
    return [Genuine("", zone, "NSEC"), Genuine("", zone, "DS"), Genuine("", "", "SOA"),
            Genuine(zone, zone, "SOA"), Genuine(zone, zone, "NSEC"),
            Genuine(zone, neighbour, "NSEC"), Genuine(zone, zone, "DNSKEY"),
            Genuine("", "dane-insecure.example", "NSEC"),
            Genuine("dane-insecure.example", "dane-insecure.example", "SOA"),
            Genuine("example.com", "_25._tcp.mx1.example.com", "TLSA"),
            Genuine(other, other, "NSEC"), Genuine(other, other, "SOA"), *renamed]


def actions(records: list[Genuine]):
    return st.one_of(
        st.just(("strip", {})),
        st.builds(lambda r: ("empty", {"rcode": r}), st.sampled_from(["NOERROR", "NXDOMAIN"])),
        st.builds(lambda r: ("rcode", {"rcode": r}),
                  st.sampled_from(["NXDOMAIN", "SERVFAIL", "REFUSED"])),
        st.builds(lambda t: ("remove", {"types": t}),
                  st.lists(st.sampled_from(["RRSIG", "NSEC", "DS", "DNSKEY", "SOA", "TLSA",
                                            "MX", "A"]), min_size=1, max_size=3)),
        st.builds(lambda a, b, r: ("serve", {"answer": a, "authority": b, "rcode": r}),
                  st.lists(st.sampled_from(records), max_size=2),
                  st.lists(st.sampled_from(records), min_size=1, max_size=3),
                  st.sampled_from(["NOERROR", "NXDOMAIN"])),
        st.builds(lambda q: ("replay", {"of": q[0], "of_type": q[1]}),
                  st.sampled_from(OTHER_QUESTIONS)),
        st.builds(lambda k: ("forge", {"sign_with": k}),
                  st.sampled_from([None, "attacker", "another zone"])),
    )


TRUTH: dict = {}  # the genuine answers, looked up once
FORGED_VALUES = {"TLSA": ["3 1 1 " + "ee" * 32], "MX": [f"10 {ROGUE}."], "A": ["192.0.2.1"]}


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_no_mutation_makes_a_signed_present_name_insecure_or_absent(lab, wildcards, data):
    """Whatever an on-path attacker does to the answers (drop, swap or replace
    records with genuine ones from other zones and names, wildcard NSECs
    renamed as a server expands them, strip signatures, change the rcode), a
    name whose true answer is signed and present is never ``insecure`` nor
    proven absent; if ``secure``, its records are the true ones; and every
    lookup ends within the question budget."""
    name, rdtype, zone, neighbour = data.draw(st.sampled_from(TARGETS), label="target")
    # Most rules aim at the looked-up name and its type, where forgeries matter most.
    mutations = data.draw(st.lists(st.tuples(
        actions(pool(zone, neighbour, name)),
        st.sampled_from([None, rdtype, rdtype, "DS", "DNSKEY", "SOA"]),
        st.sampled_from([True, True, False])), min_size=1, max_size=3), label="mutations")
    lab.stop_dns_attack()
    if (name, rdtype) not in TRUTH:
        TRUTH[name, rdtype] = resolve(name, rdtype, lab.net)
    truth = TRUTH[name, rdtype]
    assert truth.status == SECURE and truth.rrset is not None
    for (action, options), qtype, on_target in mutations:
        options = dict(options)
        if action == "forge":
            if qtype not in FORGED_VALUES:
                continue
            options["values"] = FORGED_VALUES[qtype]
            if options["sign_with"] is None:
                del options["sign_with"]
            elif options["sign_with"] == "attacker":  # its own key, claiming the zone
                options["signer"] = zone
            else:  # the key of a signed zone the attacker owns
                options["sign_with"] = "example.com" if zone == DOMAIN else DOMAIN
        lab.dns_attack(action, name if on_target else None, qtype, **options)
    lookup = resolve(name, rdtype, lab.net)
    assert lookup.queries <= MAX_QUERIES
    assert lookup.status in (SECURE, BOGUS, ERROR), lookup
    if lookup.status == SECURE:
        assert lookup.rrset is not None and sorted(lookup.records) == sorted(truth.records)
    lab.stop_dns_attack()


# -- 7. a failed MX lookup is not "no MX" -------------------------------------------------------

def test_servfail_for_mx_is_said_not_no_mx(lab):
    lab.dns_attack("rcode", "opportunistic.example", "MX", rcode="SERVFAIL")
    with pytest.raises(NetworkError, match="SERVFAIL"):
        mtasts.mx_hosts("opportunistic.example", lab.net)
    sender = Sender(lab.net, "opportunistic")
    outcome = sender.send(MESSAGE, "bob@opportunistic.example")
    assert outcome.status == DEFERRED and "SERVFAIL" in outcome.reason
    assert "has no MX records" not in outcome.reason and len(sender.queue) == 1
    lab.stop_dns_attack()
    [again] = sender.retry()
    assert again.delivered and not sender.queue


def test_mx_timeout_is_said_not_no_mx(lab):
    lab.dns_attack("drop", "opportunistic.example", "MX")
    with pytest.raises(NetworkError, match="timed out"):
        mtasts.mx_hosts("opportunistic.example", lab.net)
    assert mtasts.mx_hosts("no-such-domain.example", lab.net) == ()  # NXDOMAIN: none


# -- 8. the attack matrix on a domain without a policy host ---------------------------------------

def test_matrix_on_dane_only_says_not_applicable(lab):
    matrix = attacks.run_matrix(lab, DOMAIN, policies=("dane",), attacks=("none", "first contact"))
    assert matrix.cell("first contact", "dane").status == attacks.NOT_APPLICABLE
    assert "not applicable" in str(matrix)
    assert matrix.cell("none", "dane").status == VERIFIED


# -- the lab's DNS attacker itself ------------------------------------------------------------------

def test_reset_takes_the_dns_attacker_off_the_path(lab):
    from helpers.lab import LabError

    attacker = lab.dns_attack("strip")
    assert resolve(TLSA, "TLSA", lab.net).status == BOGUS
    assert "strip" in str(attacker) and attacker.queries >= 1
    lab.reset()
    assert lab.dns.attacker is None
    assert resolve(TLSA, "TLSA", lab.net).status == SECURE
    with pytest.raises(LabError, match="unknown DNS attack"):
        lab.dns_attack("teleport")
    attacker = lab.dns_attack("rcode", "x.example", subtree=True, rcode="REFUSED")
    lab.net.query("<b>.x.example", "A")
    assert "&lt;b&gt;" in attacker._repr_html_() and "<b>." not in attacker._repr_html_()
