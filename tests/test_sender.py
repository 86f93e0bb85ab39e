"""helpers.sender against the lab: every cell of the attack × policy matrix,
nothing lost, MTA-STS testing and caching, TLS-RPT failure details."""

from __future__ import annotations

import pytest

from helpers import mtasts
from helpers.attacks import ATTACKS, MESSAGE, ROGUE_MX, SECRET, run_matrix, set_up
from helpers.sender import CLEAR, DEFERRED, POLICIES, UNVERIFIED, VERIFIED, Sender

D, V, U, C = DEFERRED, VERIFIED, UNVERIFIED, CLEAR
EXPECTED = {  # attack: outcome per policy (opportunistic, mta-sts, dane, auto), attacker read?
    "none":          ((U, V, V, V), (False, False, False, False)),
    "strip":         ((C, D, D, D), (True, False, False, False)),
    "refuse":        ((C, D, D, D), (True, False, False, False)),
    "substitute":    ((U, D, D, D), (True, False, False, False)),
    "spoof MX":      ((U, D, D, D), (True, False, False, False)),
    "first contact": ((C, C, D, D), (True, True, False, False)),
}


@pytest.fixture(scope="module")
def matrix(session_lab):
    m = run_matrix(session_lab)
    session_lab.reset()
    return m


@pytest.mark.parametrize("attack", ATTACKS)
@pytest.mark.parametrize("policy", POLICIES)
def test_matrix_cell(matrix, attack, policy):
    statuses, reads = EXPECTED[attack]
    cell = matrix.cell(attack, policy)
    i = POLICIES.index(policy)
    assert (cell.status, cell.attacker_read) == (statuses[i], reads[i]), cell.reason
    assert cell.queued == (1 if cell.status == DEFERRED else 0)  # deferred = still queued


@pytest.mark.parametrize("attack", ["strip", "refuse", "substitute", "spoof MX"])
@pytest.mark.parametrize("policy", ["mta-sts", "dane", "auto"])
def test_nothing_lost_deferred_mail_is_delivered_after_the_attack(lab, attack, policy):
    set_up(lab, attack)
    sender = Sender(lab.net, policy)
    assert not sender.send(MESSAGE, "bob@example.com").delivered
    assert len(sender.queue) == 1 and not lab.mailbox.messages
    assert sender.retry()[0].status == DEFERRED and sender.queue[0].tries == 2  # still under attack
    lab.reset()  # the attack stops
    (outcome,) = sender.retry()
    assert outcome.status == VERIFIED and sender.queue == []
    (msg,) = lab.mailbox.messages
    assert msg.host == "mx1.example.com" and msg.tls and SECRET.encode() in msg.data


def test_the_receiver_sees_nothing_wrong_in_a_downgrade(lab):
    read = set_up(lab, "strip")
    outcome = Sender(lab.net, "opportunistic").send(MESSAGE, "bob@example.com")
    assert outcome.status == CLEAR and read(SECRET)
    assert outcome.failures == ()  # no error on the sending side...
    assert not lab.mailbox.messages[0].tls  # ...and the receiver just got plain mail


def test_spoofed_mx_gets_the_mail_of_an_opportunistic_sender(lab):
    set_up(lab, "spoof MX")
    outcome = Sender(lab.net, "opportunistic").send(MESSAGE, "bob@example.com")
    assert outcome.attempts[0].mx == ROGUE_MX and outcome.delivered
    mts = Sender(lab.net, "mta-sts").send(MESSAGE, "bob@example.com")
    assert [f.result_type for f in mts.failures] == ["validation-failure"]
    dane_out = Sender(lab.net, "dane").send(MESSAGE, "bob@example.com")
    assert "bogus" in dane_out.reason


def test_a_cached_policy_protects_after_first_contact(lab):
    sender = Sender(lab.net, "mta-sts", clock=mtasts.ManualClock())
    assert sender.send(MESSAGE, "bob@example.com").status == VERIFIED  # policy now cached
    set_up(lab, "first contact")  # policy host blocked, STARTTLS stripped
    outcome = sender.send(MESSAGE, "bob@example.com")
    assert outcome.status == DEFERRED
    assert sender.cache.history[-1].action == "cached"
    lab.set_records("example.com", "_mta-sts.example.com", "TXT", [])  # TXT removed too
    assert sender.send(MESSAGE, "bob@example.com").status == DEFERRED
    assert sender.cache.history[-1].action == "kept-without-record"


def test_a_new_id_with_a_blocked_policy_host_keeps_the_cached_policy(lab):
    sender = Sender(lab.net, "mta-sts", clock=mtasts.ManualClock())
    sender.send(MESSAGE, "bob@example.com")
    set_up(lab, "first contact")
    lab.set_records("example.com", "_mta-sts.example.com", "TXT", ['"v=STSv1; id=new1;"'])
    outcome = sender.send(MESSAGE, "bob@example.com")
    assert outcome.status == DEFERRED and sender.cache.history[-1].action == "kept-after-failure"
    assert "sts-policy-fetch-error" in [f.result_type for f in outcome.failures]


def test_mta_sts_testing_delivers_and_reports(lab):
    lab.attack("mx.sts-testing.example", "substitute")
    sender = Sender(lab.net, "mta-sts")
    outcome = sender.send(MESSAGE, "bob@sts-testing.example")
    assert outcome.status == UNVERIFIED
    (failure,) = outcome.failures
    assert (failure.result_type, failure.policy_type) == ("certificate-not-trusted", "sts")
    enforce = Sender(lab.net, "mta-sts").send(MESSAGE, "bob@sts-expired.example")
    assert enforce.status == DEFERRED
    assert [f.result_type for f in enforce.failures] == ["certificate-expired"]


@pytest.mark.parametrize("policy,domain,status,failures", [
    ("mta-sts", "sts-wrong-name.example", DEFERRED, ["certificate-host-mismatch"]),
    ("mta-sts", "sts-mx-mismatch.example", DEFERRED, ["validation-failure"]),
    ("mta-sts", "sts-bad-policy-cert.example", UNVERIFIED, ["sts-webpki-invalid"]),
    ("dane", "dane-rollover.example", DEFERRED, ["tlsa-invalid"]),
    ("dane", "dnssec-bogus.example", DEFERRED, ["dnssec-invalid"]),
    ("dane", "dane-insecure.example", UNVERIFIED, []),
    ("auto", "dane-only.example", VERIFIED, []),
    ("auto", "sts-enforce.example", VERIFIED, []),
    ("auto", "no-tls.example", CLEAR, []),
    ("mta-sts", "tls-required.example", UNVERIFIED, []),
])
def test_scenarios_give_the_expected_outcome_and_tlsrpt_result(lab, policy, domain, status,
                                                                failures):
    sender = Sender(lab.net, policy)
    outcome = sender.send(MESSAGE, f"bob@{domain}")
    assert outcome.status == status, outcome
    assert [f.result_type for f in outcome.failures] == failures
    assert sender.failures == list(outcome.failures)


def test_dane_failure_is_not_rescued_by_mta_sts(lab):
    """example.com has both; with its TLSA forged (bogus), an auto sender defers
    even though the MTA-STS policy would pass (RFC 8461 §2)."""
    lab.forge_records("example.com", "_25._tcp.mx1.example.com", "TLSA", ["3 1 1 " + "00" * 32])
    outcome = Sender(lab.net, "auto").send(MESSAGE, "bob@example.com")
    assert outcome.attempts[0].rule == "DANE" and not outcome.attempts[0].delivered
    assert outcome.attempts[1].mx == "mx2.example.com" and outcome.status == VERIFIED


def test_transcripts_are_kept_per_attempt(lab):
    set_up(lab, "strip")
    outcome = Sender(lab.net, "mta-sts").send(MESSAGE, "bob@example.com")
    assert [a.mx for a in outcome.attempts] == ["mx1.example.com", "mx2.example.com"]
    first = outcome.attempts[0].transcript
    assert any(b"XXXXXXXA" in line.data for line in first.lines)
    assert not any(SECRET.encode() in line.data for line in first.lines)  # never sent


def test_unknown_policy():
    with pytest.raises(ValueError, match="opportunistic, mta-sts, dane, auto"):
        Sender(None, "paranoid")


def test_spoofed_mx_in_an_unsigned_zone_only_mta_sts_stops_it(lab):
    """sts-enforce.example is not DNSSEC-signed: a forged MX is indistinguishable
    from a real one, so DANE cannot apply; only the MTA-STS policy's mx list
    (fetched over HTTPS) refuses the attacker's server."""
    lab.forge_records("sts-enforce.example", "sts-enforce.example", "MX", [f"10 {ROGUE_MX}."])
    for policy, delivered_to_attacker in (("opportunistic", True), ("dane", True),
                                          ("mta-sts", False), ("auto", False)):
        lab.mailbox.clear()
        outcome = Sender(lab.net, policy).send(MESSAGE, "bob@sts-enforce.example")
        got = any(SECRET.encode() in m.data for m in lab.mailbox.for_host(ROGUE_MX))
        assert got is delivered_to_attacker, (policy, outcome)
        assert outcome.delivered is delivered_to_attacker


def test_testing_mode_reports_a_refused_starttls_too(lab):
    lab.attack("mx.sts-testing.example", "refuse")
    outcome = Sender(lab.net, "mta-sts").send(MESSAGE, "bob@sts-testing.example")
    assert outcome.status == CLEAR
    assert [f.result_type for f in outcome.failures] == ["starttls-not-supported"]


def test_malformed_dns_answers_defer_and_keep_the_message(lab):
    for host in ("mx1.example.com", "mx2.example.com"):
        lab.forge_records("example.com", f"_25._tcp.{host}", "TLSA", [r"\# 5 030101abcd"])
    sender = Sender(lab.net, "dane")
    outcome = sender.send(MESSAGE, "bob@example.com")
    assert outcome.status == DEFERRED and len(sender.queue) == 1
    # The malformed record is kept as raw data (issue 9), and the genuine RRSIG
    # does not cover it: a bogus answer, reported as such (RFC 8460 §4.3.1).
    assert {f.result_type for f in outcome.failures} == {"dnssec-invalid"}
    lab.reset()
    assert sender.retry()[0].status == VERIFIED and sender.queue == []


@pytest.mark.parametrize("policy", ["opportunistic", "mta-sts"])
def test_a_failed_mx_lookup_defers_and_says_what_happened(lab, policy):
    """SERVFAIL is a temporary failure, not "no MX records" (RFC 5321 §5.1):
    the sender defers, says so, and delivers once DNS answers again."""
    lab.reset()
    lab.dns_attack("rcode", "example.com", "MX", rcode="SERVFAIL")
    try:
        sender = Sender(lab.net, policy)
        outcome = sender.send(b"Subject: t\r\n\r\nhello\r\n", "bob@example.com")
        assert not outcome.delivered and len(sender.queue) == 1
        assert "SERVFAIL" in outcome.reason and "unexpectedly" not in outcome.reason
        assert "has no MX records" not in outcome.reason
        lab.stop_dns_attack()
        assert [o.delivered for o in sender.retry()] == [True] and not sender.queue
    finally:
        lab.reset()
