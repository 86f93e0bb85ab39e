"""The record generator (helpers.publish) and deploying its output in the lab
(Lab.add_domain): verified delivery by every enforcing sender, then the two
classic breakages, each deferring with the TLS-RPT result type it should."""

from __future__ import annotations

import subprocess

import pytest
from conftest import need_tool

from helpers import dane, mtasts, policy, publish
from helpers.attacks import MESSAGE, SECRET
from helpers.lab import LabError
from helpers.sender import DEFERRED, UNVERIFIED, VERIFIED, Sender

D = "shop.example"
MX1, MX2 = f"mx1.{D}", f"mx2.{D}"


def _set(lab, *, next_key=True, issuer=True, mode="enforce"):
    hosts = []
    for pref, host in ((10, MX1), (20, MX2)):
        hosts.append(publish.MxHost(
            host, pref, lab.issue_certificate(host).cert,
            lab.issue_certificate(host, f"{host}#2").cert if next_key else None,
            lab.pki.issuing.cert if issuer else None))
    return publish.generate(D, hosts, mode=mode)


# -- the generator, pure ---------------------------------------------------------------------

def test_generated_set_is_complete_and_parses(session_lab):
    rs = _set(session_lab)
    assert rs.mx == ((10, MX1), (20, MX2))
    tlsa = [dane.TLSA.parse(r) for r in rs.of(f"_25._tcp.{MX1}", "TLSA")]
    assert [(t.usage, t.selector, t.matching_type) for t in tlsa] == [(3, 1, 1), (3, 1, 1),
                                                                       (2, 1, 1)]
    assert tlsa[0].matches(session_lab.issue_certificate(MX1).cert)  # current key
    assert tlsa[1].matches(session_lab.issue_certificate(MX1, f"{MX1}#2").cert)  # next key
    record = mtasts.parse_txt([rs.of(f"_mta-sts.{D}", "TXT")[0].strip('"')])
    assert record.id == rs.sts_id
    parsed = mtasts.parse_policy(rs.policy)
    assert parsed.mode == "enforce" and parsed.mx == (MX1, MX2) and parsed.max_age == 604800
    assert rs.of(f"_smtp._tls.{D}", "TXT") == ('"v=TLSRPTv1; rua=mailto:tlsrpt@shop.example"',)
    text = str(rs)
    assert f"_25._tcp.{MX1}.".ljust(40) + " 300 IN TLSA  3 1 1 " in text
    assert "# https://mta-sts.shop.example/.well-known/mta-sts.txt\nversion: STSv1" in text


def test_the_id_changes_exactly_when_the_policy_does(session_lab):
    a, b = _set(session_lab), _set(session_lab, next_key=False)
    assert a.sts_id == b.sts_id  # same policy (TLSA records are not in it)
    c = _set(session_lab, mode="testing")
    assert c.sts_id != a.sts_id and "max_age: 86400" in c.policy
    assert c.sts_id.isalnum() and len(c.sts_id) <= 32  # RFC 8461 §3.1


def test_no_mta_sts_when_mode_is_none(session_lab):
    rs = publish.generate(D, [publish.MxHost(MX1, 10, session_lab.issue_certificate(MX1).cert)],
                          mode=None)
    assert rs.policy is None and not rs.of(f"_mta-sts.{D}", "TXT")


@pytest.mark.parametrize("args,match", [
    (dict(domain="bad_domain", mx=[publish.MxHost(MX1)]), "RFC 1035"),
    (dict(domain=D, mx=[]), "RFC 5321"),
    (dict(domain=D, mx=[publish.MxHost(MX1, cert=b"not a certificate")]), "cannot be used"),
    (dict(domain=D, mx=[publish.MxHost(MX1)], mode="enforcing"), "invalid"),
    (dict(domain=D, mx=[publish.MxHost(MX1)], rua="tlsrpt@shop.example"), "RFC 8460"),
    (dict(domain=D, mx=[publish.MxHost(MX1)], rua="mailto:nobody"), "RFC 8460"),
    (dict(domain=D, mx=[publish.MxHost(MX1)], rua="mailto:a@shop.example,ftp://x.example/r"),
     "RFC 8460"),
    (dict(domain=D, mx=[publish.MxHost(MX1)], rua='mailto:a@shop.example; x="y"'), "RFC 8460"),
    (dict(domain=D, mx=[publish.MxHost(MX1)], max_age=10**9), "invalid"),
])
def test_bad_input_is_refused_with_the_rule(args, match):
    with pytest.raises(publish.PublishError, match=match):
        publish.generate(**args)


# -- deployed in the lab ------------------------------------------------------------------

def _deliveries(lab):
    out = {}
    for mode in ("auto", "dane", "mta-sts"):
        sender = Sender(lab.net, mode)
        outcome = sender.send(MESSAGE, f"bob@{D}")
        out[mode] = (outcome.status, [f.result_type for f in outcome.failures], len(sender.queue))
    return out


def test_a_deployed_set_gets_verified_delivery_from_every_enforcing_sender(lab):
    lab.add_domain(_set(lab))
    assert D in lab.domains
    assert {m: s for m, (s, _, _) in _deliveries(lab).items()} == {
        "auto": VERIFIED, "dane": VERIFIED, "mta-sts": VERIFIED}
    assert all(m.tls and SECRET.encode() in m.data for m in lab.mailbox.messages)
    assert policy.trace(D, lab.net).path(MX1) == ("mx", "tlsa", "dane")
    assert policy.trace(D, lab.net, "mta-sts").path(MX1) == ("mx", "sts", "match", "sts-enforce")


def test_the_next_key_record_makes_the_rollover_safe(lab):
    lab.add_domain(_set(lab, issuer=False))
    lab.renew_key(MX1, f"{MX1}#2")
    lab.renew_key(MX2, f"{MX2}#2")
    assert all(s == VERIFIED for s, _, _ in _deliveries(lab).values())


def test_renewing_the_key_without_a_next_key_record_breaks_dane_only(lab):
    lab.add_domain(_set(lab, next_key=False, issuer=False))
    lab.renew_key(MX1, f"{MX1}#2")
    lab.renew_key(MX2, f"{MX2}#2")
    got = _deliveries(lab)
    assert got["dane"] == (DEFERRED, ["tlsa-invalid", "tlsa-invalid"], 1)
    assert got["auto"] == (DEFERRED, ["tlsa-invalid", "tlsa-invalid"], 1)
    assert got["mta-sts"] == (VERIFIED, [], 0)  # the WebPKI certificate is still valid


def test_moving_the_mx_without_updating_the_policy_and_its_id_breaks_mta_sts(lab):
    lab.add_domain(_set(lab))
    lab.move_mx(D, MX1, f"mx3.{D}")
    lab.move_mx(D, MX2, f"mx4.{D}")
    got = _deliveries(lab)
    assert got["mta-sts"] == (DEFERRED, ["validation-failure", "validation-failure"], 1)
    assert got["auto"] == (DEFERRED, ["validation-failure", "validation-failure"], 1)
    # The new hosts have no TLSA records: a DANE-only sender sees no DANE and
    # delivers, unauthenticated (nothing to report: no policy applied).
    assert got["dane"] == (UNVERIFIED, [], 0)


def test_reset_removes_an_added_domain_and_it_can_be_added_again(lab):
    lab.add_domain(_set(lab))
    lab.renew_key(MX1, f"{MX1}#2")
    lab.reset()
    assert D not in lab.domains and MX1 not in lab.receivers
    assert policy.trace(D, lab.net).outcome == "bounce"  # no such domain any more
    lab.add_domain(_set(lab))
    assert _deliveries(lab)["dane"][0] == VERIFIED  # the key is the first one again


def test_an_unsigned_added_domain_gets_mta_sts_but_no_dane(lab):
    lab.add_domain(_set(lab), signed=False)
    trace = policy.trace(D, lab.net)
    assert trace.path(MX1) == ("mx", "sts", "match", "sts-enforce")
    assert {m: s for m, (s, _, _) in _deliveries(lab).items()} == {
        "auto": VERIFIED, "dane": UNVERIFIED, "mta-sts": VERIFIED}


def test_adding_a_domain_twice_says_that_lab_reset_starts_over(lab):
    # A learner who re-runs a deploy cell must learn the remedy from the error.
    lab.add_domain(_set(lab))
    with pytest.raises(LabError, match=r"already a lab domain: lab\.reset\(\) removes"):
        lab.add_domain(_set(lab))
    lab.reset()
    lab.add_domain(_set(lab))  # the remedy works
    lab.reset()


def test_add_domain_refuses_what_it_cannot_serve(lab):
    with pytest.raises(LabError, match="already a lab domain"):
        lab.add_domain(publish.generate("example.com", [publish.MxHost("mx9.example.com")]))
    with pytest.raises(LabError, match="outside"):
        lab.add_domain(publish.generate(D, [publish.MxHost("mx.elsewhere.example")]))
    with pytest.raises(LabError, match="add_domain"):
        lab.renew_key("mx1.example.com", "new")


@pytest.mark.tools
def test_delv_validates_the_added_domains_tlsa(lab):
    rs = _set(lab)
    lab.add_domain(rs)
    out = subprocess.run([need_tool("delv"), f"@{lab.net.nameserver}", "-p", str(lab.dns.port),
                          "-a", str(lab.trust_anchor_file), "+root=.", "TLSA", f"_25._tcp.{MX1}"],
                         capture_output=True, text=True, timeout=20)
    text = (out.stdout + out.stderr).lower().replace(" ", "")
    assert "; fully validated" in (out.stdout + out.stderr)
    for record in rs.of(f"_25._tcp.{MX1}", "TLSA"):
        assert record.split()[3] in text
