"""helpers.policy: the sender's decision tree, as pure logic and against the lab;
and the agreement between trace() and what a real Sender does."""

from __future__ import annotations

import pytest

from helpers import dane, mtasts, policy
from helpers.attacks import ATTACKS, MESSAGE, SECRET, set_up
from helpers.sender import BOUNCED, DEFERRED, UNVERIFIED, VERIFIED, Sender

ENFORCE = mtasts.parse_policy("version: STSv1\nmode: enforce\nmx: *.d.example\nmax_age: 86400\n")
TESTING = mtasts.parse_policy("version: STSv1\nmode: testing\nmx: *.d.example\nmax_age: 86400\n")
KEY = "3 1 1 " + "ab" * 32
PKIX = "1 1 1 " + "ab" * 32


def _tlsa(status, *records):
    return dane.TlsaLookup("mx.d.example", "mx.d.example", status,
                           tuple(dane.TLSA.parse(r) for r in records), f"{status} (made up)")


def _facts(mode="auto", mx="secure", tlsa=None, sts=None, hosts=((10, "mx.d.example"),)):
    mxf = policy.MxFacts(mx, hosts if mx not in ("bogus", "error", "none", "null") else (),
                         "made up")
    lookups = (("mx.d.example", tlsa),) if tlsa is not None else ()
    stsf = None if sts is None else policy.StsFacts(sts if sts != "absent" else None, "made up")
    return policy.Facts("d.example", mode, mxf, lookups, stsf)


@pytest.mark.parametrize("facts,path,rule", [
    (_facts(tlsa=_tlsa("secure", KEY)), ("mx", "tlsa", "dane"), "DANE"),
    (_facts(tlsa=_tlsa("secure", KEY), sts=ENFORCE), ("mx", "tlsa", "dane"), "DANE"),
    (_facts(tlsa=_tlsa("bogus"), sts=ENFORCE), ("mx", "tlsa", "skip-dnssec"), "DANE"),
    (_facts(tlsa=_tlsa("error"), sts=ENFORCE), ("mx", "tlsa", "skip-dnssec"), "DANE"),
    (_facts(tlsa=_tlsa("secure"), sts=ENFORCE), ("mx", "tlsa", "sts", "match", "sts-enforce"),
     "MTA-STS enforce"),
    (_facts(tlsa=_tlsa("insecure"), sts=TESTING), ("mx", "tlsa", "sts", "sts-testing"),
     "MTA-STS testing"),
    (_facts(mx="insecure", sts="absent"), ("mx", "sts", "opportunistic"), "opportunistic"),
    (_facts(mx="bogus"), ("mx", "defer"), None),
    # No mail server at all, or a null MX: a permanent failure (RFC 5321 §5.1, RFC 7505).
    (_facts(mx="none"), ("mx", "implicit", "bounce"), None),
    (_facts(mx="null"), ("mx", "bounce"), None),
    # DANE that authenticates nothing: an enforce policy applies (RFC 8461 §2) ...
    (_facts(tlsa=_tlsa("secure", PKIX), sts=ENFORCE),
     ("mx", "tlsa", "unusable", "match", "sts-enforce"), "MTA-STS enforce"),
    # ... a testing policy or none leaves DANE's "encrypt, do not authenticate".
    (_facts(tlsa=_tlsa("secure", PKIX), sts=TESTING), ("mx", "tlsa", "unusable", "dane-encrypt"),
     "DANE (no usable TLSA)"),
    (_facts(tlsa=_tlsa("secure", PKIX), sts="absent"),
     ("mx", "tlsa", "unusable", "dane-encrypt"), "DANE (no usable TLSA)"),
    (_facts("dane", tlsa=_tlsa("secure", PKIX)), ("mx", "tlsa", "unusable", "dane-encrypt"),
     "DANE (no usable TLSA)"),
    # Senders that do not implement a mechanism answer its question "not asked".
    (_facts("mta-sts", mx="unvalidated", sts=ENFORCE), ("mx", "sts", "match", "sts-enforce"),
     "MTA-STS enforce"),
    (_facts("dane", tlsa=_tlsa("secure")), ("mx", "tlsa", "sts", "opportunistic"),
     "opportunistic"),
    (_facts("opportunistic", mx="unvalidated"), ("mx", "sts", "opportunistic"), "opportunistic"),
])
def test_decide_walks_the_tree(facts, path, rule):
    trace = policy.decide(facts)
    assert trace.path() == path
    if rule is None:
        assert trace.hosts == () and trace.outcome == path[-1]
    else:
        assert trace.rule("mx.d.example").name == rule
    for a, b in zip(path, path[1:]):  # every step is an edge of the tree
        assert b in dict(policy.TREE[a].branches).values(), (a, b)


def test_an_mx_not_in_an_enforce_policy_is_skipped_with_validation_failure():
    facts = _facts("mta-sts", mx="unvalidated", sts=ENFORCE, hosts=((10, "mx.other.example"),))
    rule = policy.decide(facts).rule("mx.other.example")
    assert rule.node == "skip-sts" and rule.skip_failure == "validation-failure"
    assert rule.accepts == () and rule.policy_type == "sts"


def test_tree_is_well_formed():
    for node in policy.TREE.values():
        for _, target in node.branches:
            assert target in policy.TREE, (node.id, target)
        if node.leaf:
            assert node.kind in ("dane", "sts", "opportunistic", "skip", "defer", "bounce")
            assert node.on_failure
    reached = {t for n in policy.TREE.values() for _, t in n.branches} | {"mx"}
    assert reached == set(policy.TREE)


def test_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="opportunistic, mta-sts, dane, auto"):
        policy.decide(_facts("paranoid"))


def test_trace_text_and_html_escape_untrusted_content():
    found = "<script>alert(1)</script>"
    facts = policy.Facts("d.example", "auto", policy.MxFacts("insecure", ((10, "mx.d.example"),),
                                                             found),
                         (), policy.StsFacts(None, found))
    trace = policy.decide(facts)
    assert found in str(trace)
    assert found not in trace._repr_html_() and "&lt;script&gt;" in trace._repr_html_()


# -- against the lab -------------------------------------------------------------------------

AUTO = {  # domain: rule per MX for an auto sender (None: the MX lookup ends the walk)
    "example.com": ["DANE", "DANE"],
    "no-tls.example": ["opportunistic"],
    "tls-required.example": ["opportunistic"],
    "opportunistic.example": ["opportunistic"],
    "sts-testing.example": ["MTA-STS testing"],
    "sts-enforce.example": ["MTA-STS enforce", "MTA-STS enforce"],
    "dane-only.example": ["DANE"],
    "dane-insecure.example": ["opportunistic"],
    "sts-expired.example": ["MTA-STS enforce"],
    "sts-wrong-name.example": ["MTA-STS enforce"],
    "sts-mx-mismatch.example": ["MTA-STS enforce"],
    "sts-bad-policy-cert.example": ["opportunistic"],
    "dane-rollover.example": ["DANE"],
    "dnssec-bogus.example": ["DANE"],
    "attacker.example": ["opportunistic"],
    "sts-stale-id.example": ["MTA-STS enforce"],
}


def test_every_lab_domain_has_an_expected_trace(lab):
    assert set(AUTO) == set(lab.domains)
    for domain, rules in AUTO.items():
        trace = policy.trace(domain, lab.net)
        assert [r.name for r in trace.rules.values()] == rules, trace


def test_trace_paths_of_three_lab_domains(lab):
    assert policy.trace("dnssec-bogus.example", lab.net).path() == ("mx", "tlsa", "skip-dnssec")
    assert policy.trace("sts-mx-mismatch.example", lab.net).path() == (
        "mx", "sts", "match", "skip-sts")
    bad = policy.trace("sts-bad-policy-cert.example", lab.net)
    assert bad.path() == ("mx", "sts", "opportunistic")
    assert [r[0] for r in bad.reports] == ["sts-webpki-invalid"]


def test_trace_asks_only_what_the_tree_needs(lab):
    """DANE on every MX: the MTA-STS policy is not fetched (no HTTPS request)."""
    lab.https.requests.clear()
    trace = policy.trace("example.com", lab.net)
    assert not any("sts" == s.node for m in trace.mx for s in m.steps)
    assert not lab.https.requests
    policy.trace("example.com", lab.net, "mta-sts")
    assert lab.https.requests


def _cases():
    from helpers.lab.scenarios import SCENARIOS
    for s in SCENARIOS:
        for attack in ATTACKS:
            if attack == "first contact" and s.policy is None:
                continue  # no policy host to block: not applicable
            yield s.domain, attack


@pytest.mark.parametrize("domain,attack", list(_cases()))
def test_trace_and_a_real_auto_delivery_agree(lab, domain, attack):
    """What trace() predicts, before any connection, is what Sender(net, "auto")
    then does: the same MX hosts in order, the same rule per MX, a delivery only
    at a TLS level the rule accepts, no connection to an MX the rule skips, and
    the attacker reads nothing where every rule tried requires verified TLS."""
    read = set_up(lab, attack, domain)
    predicted = policy.trace(domain, lab.net)
    sender = Sender(lab.net, "auto")
    outcome = sender.send(MESSAGE, f"bob@{domain}")
    if predicted.outcome is not None:  # defer or bounce, decided before any connection
        assert outcome.status == {"defer": DEFERRED, "bounce": BOUNCED}[predicted.outcome]
        assert outcome.attempts == ()
        return
    assert [a.mx for a in outcome.attempts] == list(predicted.hosts[:len(outcome.attempts)])
    for attempt in outcome.attempts:
        rule = predicted.rule(attempt.mx)
        assert attempt.rule == rule.name
        if attempt.delivered:
            assert attempt.tls in rule.accepts, (rule, attempt)
        if not rule.accepts:
            assert not attempt.delivered and attempt.transcript is None  # never connected
    if outcome.status == BOUNCED:  # a 5xx reply ends the walk: returned, not queued
        assert outcome.attempts[-1].permanent and sender.queue == []
    elif not outcome.delivered:
        assert len(outcome.attempts) == len(predicted.hosts) and len(sender.queue) == 1
    if all(predicted.rule(a.mx).accepts == ("verified",) for a in outcome.attempts):
        assert not read(SECRET)


def test_unusable_tlsa_with_an_enforce_policy_defers_under_substitution(lab):
    """Issue 9 item 5: only unusable TLSA (1 1 1) plus MTA-STS enforce. DANE
    authenticates nothing, so the enforce policy applies: the auto sender
    refuses the attacker's certificate, as the mta-sts sender does, and
    delivers verified once the attack stops."""
    for host in ("mx1.example.com", "mx2.example.com"):
        digest = dane.association_data(lab.certificate(host).cert, 1, 1).hex()
        lab.set_records("example.com", f"_25._tcp.{host}", "TLSA", [f"1 1 1 {digest}"])
    trace = policy.trace("example.com", lab.net)
    assert trace.path("mx1.example.com") == ("mx", "tlsa", "unusable", "match", "sts-enforce")
    for host in ("mx1.example.com", "mx2.example.com"):
        lab.attack(host, "substitute")
    senders = {mode: Sender(lab.net, mode) for mode in ("auto", "mta-sts")}
    for mode, sender in senders.items():
        outcome = sender.send(MESSAGE, "bob@example.com")
        assert outcome.status == DEFERRED, (mode, outcome)
        assert {f.result_type for f in outcome.failures} == {"certificate-not-trusted"}
        assert not any(a.saw(SECRET) for a in lab.attackers.values())
        assert len(sender.queue) == 1
    # A dane-only sender has no policy to apply: encrypted, unauthenticated.
    assert Sender(lab.net, "dane").send(MESSAGE, "bob@example.com").status == UNVERIFIED
    lab.stop_attack()
    (retried,) = senders["auto"].retry()
    assert retried.status == VERIFIED and retried.attempts[0].rule == "MTA-STS enforce"


def test_trace_of_an_unknown_domain_bounces(lab):
    """NXDOMAIN: no mail server, a permanent failure (RFC 5321 §5.1)."""
    trace = policy.trace("nowhere.example", lab.net)
    assert trace.outcome == "bounce" and trace.hosts == ()
    assert "nowhere.example" in str(trace)


# -- the operator's tree ----------------------------------------------------------------------

@pytest.mark.parametrize("answers,mechanisms,dane_has,sts_has", [
    # own MX, signed zone, HTTPS, automation: both, current + next key
    (dict(dnssec=True, own_mx=True, https=True, automate_tlsa=True),
     ("DANE", "MTA-STS", "TLS-RPT"), "next key", "testing first"),
    # own MX, signed zone, no automation: 3 1 1, key reused
    (dict(dnssec=True, own_mx=True, automate_tlsa=False),
     ("DANE", "TLS-RPT"), "key reused", None),
    # a provider with DANE and a signed zone: the provider's TLSA
    (dict(dnssec=True, own_mx=False, provider_dane=True, https=True),
     ("DANE", "MTA-STS", "TLS-RPT"), "provider", "testing first"),
    # a provider without DANE: MTA-STS only, even with a signed zone
    (dict(dnssec=True, own_mx=False, provider_dane=False, https=True),
     ("MTA-STS", "TLS-RPT"), None, "testing first"),
    # no DNSSEC, HTTPS, nobody reads reports: MTA-STS, straight to enforce after checking
    (dict(dnssec=False, https=True, reports=False), ("MTA-STS", "TLS-RPT"), None, "enforce"),
    # nothing possible: TLS-RPT only, with the risk said plainly
    (dict(), ("TLS-RPT",), None, None),
])
def test_recommend_per_profile(answers, mechanisms, dane_has, sts_has):
    r = policy.recommend(**answers)
    assert r.mechanisms == mechanisms, r
    assert (dane_has is None) == (r.dane is None) and (dane_has or "") in (r.dane or "")
    assert (sts_has is None) == (r.mta_sts is None) and (sts_has or "") in (r.mta_sts or "")
    risks = {k.name for k in r.risks}
    assert ("the rollover outage" in risks) == bool(r.dane and "provider" not in r.dane)
    assert ("first-contact gap" in risks) == bool(r.mta_sts)
    assert ("no downgrade protection" in risks) == (mechanisms == ("TLS-RPT",))
    assert any(i.what.startswith("TLS-RPT") for i in r.publish)  # always
    assert all(i.rfc.startswith("RFC") for i in r.publish) and all(k.rfc for k in r.risks)


@pytest.mark.parametrize("automate", [True, False])
def test_recommendation_never_publishes_a_2_1_1_on_the_issuer(automate):
    # RFC 7671 §8: every usage/selector/matching combination must match the current
    # chain; a 2 1 1 on a public CA's intermediate breaks when the CA rotates it.
    r = policy.recommend(dnssec=True, own_mx=True, automate_tlsa=automate)
    dane_item = next(i for i in r.publish if i.what.startswith("DANE"))
    assert "2 1 1" not in r.dane and "2 1 1" not in dane_item.example
    assert "fallback" not in dane_item.why


def test_adoption_figures_are_dated_and_carry_no_authoring_notes():
    # A learner reads these: each figure has a year, no "not verified here" notes.
    for f in policy.recommend(dnssec=True, https=True).adoption:
        assert f.year.isdigit() and not f.caveat, f
    sources = " ".join(f.source for f in policy.recommend().adoption)
    assert "Exchange Online" in sources and "Google" in sources and "IMC 2025" in sources


def test_recommendation_cites_adoption_figures_with_source_and_year():
    r = policy.recommend(policy.Profile(dnssec=True, https=True))
    for f in r.adoption:
        assert f.source and f.url.startswith("https://") and f.year
        assert f.year.isdigit() or f.caveat  # an unverified year is said to be unverified
    text, page = str(r), r._repr_html_()
    assert "2023" in text and "dane-users" in text
    assert "<b>Publish both DANE and MTA-STS, and TLS-RPT</b>" in page
    assert "<code>_25._tcp.mx.example.com. TLSA 3 1 1 &lt;current key&gt;" in page


def test_tlsa_records_are_taken_in_a_fixed_order_whatever_dns_returned():
    issuer = "2 1 1 " + "cd" * 32
    a = policy.decide(_facts(tlsa=_tlsa("secure", issuer, KEY))).rule("mx.d.example")
    b = policy.decide(_facts(tlsa=_tlsa("secure", KEY, issuer))).rule("mx.d.example")
    assert a.tlsa.records == b.tlsa.records and a.tlsa.records[0].usage == 3
    assert str(policy.decide(_facts(tlsa=_tlsa("secure", issuer, KEY)))) == str(
        policy.decide(_facts(tlsa=_tlsa("secure", KEY, issuer))))
