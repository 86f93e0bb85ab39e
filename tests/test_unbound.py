"""The validator behind a real validating resolver (issue 18, "the real internet's
resolvers").

In live mode the helpers ask a recursive resolver, which answers from its
cache, minimises, and (when it validates) turns bogus data into SERVFAIL. Here
Debian's ``unbound`` sits between the helpers and the lab (a stub zone to the
lab's DNS server, the lab's trust anchor; see ``tests/resolvers.py``), and every
verdict must be the one the lab's own server gives: every lookup a sender
makes, and every inspection. A resolver that strips the RRSIGs, or answers
SERVFAIL for everything, must never make a signed name *insecure* or absent:
the validator says bogus, at the trust anchor's own keys or at the first
question, which is how the inspector (issue 19) can blame the resolver.
"""

from __future__ import annotations

import pytest
from resolvers import stripping_proxy, unbound

from helpers import domain
from helpers.dnssec import BOGUS, resolve

pytestmark = pytest.mark.tools  # Debian's unbound


@pytest.fixture(scope="module")
def resolver(session_lab):
    """One unbound for the module: the tests here never change the lab's zones
    (unbound would answer from its cache)."""
    session_lab.reset()
    with unbound(session_lab) as r:
        yield r


def lookups(lab) -> list[tuple[str, str]]:
    """What senders and the inspector look up for every lab domain: MX, the
    MTA-STS and TLS-RPT records, each MX host's address and TLSA records."""
    out = []
    for name in lab.domains:
        out += [(name, "MX"), (f"_mta-sts.{name}", "TXT"), (f"_smtp._tls.{name}", "TXT")]
        for mx in lab.scenario(name).mx:
            out += [(mx.host, "A"), (f"_25._tcp.{mx.host}", "TLSA")]
    return out


def verdict(lookup) -> tuple:
    return lookup.status, lookup.rcode, tuple(sorted(lookup.records))


def test_every_lookup_agrees_through_unbound(lab, resolver):
    """RFC 4035 §4.3's four states, the rcode and the records: the same through
    a validating resolver as straight from the lab's authoritative server."""
    questions = lookups(lab)
    assert len(questions) >= 80  # every lab domain, so a new one is covered too
    differ = [(name, rdtype, verdict(resolve(name, rdtype, lab.net)), verdict(theirs))
              for name, rdtype in questions
              if verdict(theirs := resolve(name, rdtype, resolver.net))
              != verdict(resolve(name, rdtype, lab.net))]
    assert not differ, differ


def test_every_inspection_agrees_through_unbound(lab, resolver):
    """The inspector's checks (status and title), for every lab domain."""
    def checks(net, name):
        return [(c.id, c.status, c.title) for c in domain.inspect(name, net, smtp=False).checks]

    differ = [name for name in lab.domains
              if checks(lab.net, name) != checks(resolver.net, name)]
    assert not differ, differ


def test_a_resolver_that_strips_rrsigs_is_bogus_at_the_root(lab, resolver):
    """RFC 4035 §5.2: without signatures not even the trust anchor's keys are
    proven, so every answer, for signed and unsigned zones alike, is bogus there:
    never insecure (RFC 4035 §4.3), never "no records"."""
    with stripping_proxy(resolver) as middlebox:
        for name, rdtype in [("example.com", "MX"), ("dane-insecure.example", "MX"),
                             ("_25._tcp.mx.dane-only.example", "TLSA"),
                             ("nothere.example.com", "A")]:
            found = resolve(name, rdtype, middlebox.net)
            assert found.status == BOGUS and found.rrset is None, found
            assert "DNSKEY RRset of . is not signed" in found.reason, found


def test_a_resolver_that_answers_servfail_is_bogus_at_the_first_question(session_lab):
    """A validating resolver with a wrong trust anchor answers SERVFAIL for every
    question: the validator says bogus and names the SERVFAIL (RFC 4035 §5.5),
    never insecure and never "no records"."""
    wrong = ". 300 IN DS 1 13 2 " + "00" * 32 + "\n"
    with unbound(session_lab, trust_anchor=wrong) as broken:
        for name, rdtype in [("example.com", "MX"), ("dane-insecure.example", "MX"),
                             ("_25._tcp.mx.dane-only.example", "TLSA")]:
            found = resolve(name, rdtype, broken.net)
            assert found.status == BOGUS and found.rrset is None, found
            assert found.reason == f"{name}. {rdtype}: SERVFAIL", found
