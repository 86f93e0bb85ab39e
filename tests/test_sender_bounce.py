"""The sender's permanent failures and limits (issue 20, the sender model):
bounces (5xx replies, null MX, no mail server), the queue lifetime, the
implicit MX, and an MX walk that one odd MX, silent hosts or a long MX list
cannot stop or hold. Real lab servers and attackers on loopback; time passes
on a ManualClock, so five days take no time."""

from __future__ import annotations

import socket
import ssl
import time
from dataclasses import replace
from types import MappingProxyType

import pytest

from helpers import dane, mtasts, policy
from helpers.attacks import MESSAGE, SECRET, set_up
from helpers.lab import Lab
from helpers.lab.scenarios import MX_SCENARIOS
from helpers.net import Endpoint
from helpers.sender import (BOUNCED, CLEAR, DEFERRED, MAX_MX, POLICIES, QUEUE_LIFETIME,
                            UNVERIFIED, VERIFIED, Sender)
from hostile_servers import MX1, MX2, Script, hostile_net, servers  # noqa: F401

DAY = 86400.0
TLS_REQUIRED = "bob@tls-required.example"


# -- 1. bounced: a 5xx reply is a permanent failure (RFC 5321 §4.2.1, §6.1) ----------------

@pytest.mark.parametrize("attack", ["strip", "refuse"])
@pytest.mark.parametrize("mode", POLICIES)
def test_a_receiver_requiring_starttls_bounces_a_stripped_message(lab, attack, mode):
    """What Postfix does (postfix-crosscheck D1): under strip or a 454 the
    sender goes on in the clear, mx.tls-required.example answers MAIL with 530,
    and the message is returned to its sender, not queued for ever."""
    lab.attack("mx.tls-required.example", attack)
    sender = Sender(lab.net, mode)
    outcome = sender.send(MESSAGE, TLS_REQUIRED)
    assert outcome.status == BOUNCED and outcome.returned and not outcome.delivered, outcome
    assert "530" in outcome.reason and "returned to the sender" in outcome.reason
    (attempt,) = outcome.attempts
    assert attempt.permanent and not attempt.delivered
    assert sender.queue == [] and [o for _, o in sender.returned] == [outcome]
    assert outcome.failures == ()  # a refusal of plain mail is no TLS failure to report
    assert "BOUNCED" in str(outcome) and "refused for good" in str(outcome)
    assert "bounced" in outcome._repr_html_() and "refused for good" in outcome._repr_html_()
    lab.stop_attack()
    assert sender.retry() == [] and not lab.mailbox.messages  # never retried


@pytest.mark.parametrize("stage,code", [("MAIL", "554"), ("RCPT", "554"), ("DATA", "554"),
                                        ("EOD", "554"), ("RCPT", "451"), ("EOD", "451")])
def test_5xx_to_mail_rcpt_or_data_bounces_4xx_tries_the_next_mx(session_lab, servers, stage,
                                                                 code):
    permanent = code.startswith("5")
    servers[MX1].reset(Script(stage=stage, mischief="perm-fail" if permanent else "temp-fail"))
    servers[MX2].reset(Script())
    sender = Sender(hostile_net(session_lab, servers, io_timeout=1.0), "opportunistic")
    outcome = sender.send(MESSAGE, "b@sts-enforce.example")
    assert code in outcome.attempts[0].reason
    if permanent:  # the message failed for good: no other MX is tried
        assert outcome.status == BOUNCED, outcome
        assert [a.mx for a in outcome.attempts] == [MX1] and sender.queue == []
        assert len(sender.returned) == 1
    else:  # a temporary failure: the next MX takes it
        assert outcome.status == UNVERIFIED, outcome
        assert [a.mx for a in outcome.attempts] == [MX1, MX2] and sender.returned == []


# -- 2. the queue lifetime -------------------------------------------------------------------

def test_a_deferred_message_bounces_after_the_queue_lifetime(lab):
    clock = mtasts.ManualClock()
    set_up(lab, "strip")
    sender = Sender(lab.net, "mta-sts", clock=clock)
    assert sender.queue_lifetime == QUEUE_LIFETIME == 5 * DAY  # Postfix's default
    assert sender.send(MESSAGE, "bob@example.com").status == DEFERRED
    clock.advance(5 * DAY - 60)
    (outcome,) = sender.retry()
    assert outcome.status == DEFERRED and len(sender.queue) == 1
    clock.advance(60)
    (outcome,) = sender.retry()
    assert outcome.status == BOUNCED and "deferred too long" in outcome.reason
    assert "5 d 0 h" in outcome.reason and "returned to the sender" in outcome.reason
    assert outcome.attempts  # it was tried once more before giving up
    assert sender.queue == [] and len(sender.returned) == 1
    lab.reset()
    assert sender.retry() == [] and not lab.mailbox.messages


def test_a_shorter_queue_lifetime_gives_up_sooner(lab):
    """Exchange Online retries DANE failures for 24 hours, then returns the message."""
    clock = mtasts.ManualClock()
    lab.forge_records("dane-only.example", "_25._tcp.mx.dane-only.example", "TLSA",
                      ["3 1 1 " + "00" * 32])
    sender = Sender(lab.net, "dane", clock=clock, queue_lifetime=DAY)
    assert sender.send(MESSAGE, "bob@dane-only.example").status == DEFERRED
    clock.advance(DAY)
    assert sender.retry()[0].status == BOUNCED and sender.queue == []


@pytest.mark.parametrize("new_id", [True, False])
def test_mta_sts_looks_for_a_new_policy_before_failing_for_good(lab, new_id):
    """RFC 8461 §5: no permanent failure before checking DNS for an updated
    policy. The MX moved and the cached policy does not list it: deferred.
    When the queue lifetime (one hour here: before the cache's daily refresh)
    is over, the last try looks the TXT record up again: with a new id it
    fetches the new policy and delivers; with the same id it bounces."""
    clock = mtasts.ManualClock()
    sender = Sender(lab.net, "mta-sts", clock=clock, queue_lifetime=3600)
    assert sender.send(MESSAGE, "bob@sts-stale-id.example").status == VERIFIED
    lab.apply_change("sts-stale-id.example")  # new MX and policy, same id
    assert sender.send(MESSAGE, "bob@sts-stale-id.example").status == DEFERRED
    clock.advance(3600)
    if new_id:
        lab.set_records("sts-stale-id.example", "_mta-sts.sts-stale-id.example", "TXT",
                        ['"v=STSv1; id=20260701T000000;"'])
    (outcome,) = sender.retry()
    last = sender.cache.history[-1]
    if new_id:
        assert outcome.status == VERIFIED and last.id == "20260701T000000", outcome
        assert sender.queue == [] and sender.returned == []
    else:
        assert outcome.status == BOUNCED and "deferred too long" in outcome.reason
        assert last.action == "cached"  # DNS was asked again: the id is unchanged
        assert "validation-failure" in {f.result_type for f in outcome.failures}


# -- 3. no MX (the implicit MX) and a null MX ------------------------------------------------

@pytest.fixture(scope="module")
def mx_lab():
    with Lab(seed=1, scenarios=MX_SCENARIOS) as lab:
        yield lab


@pytest.mark.parametrize("mode", POLICIES)
def test_a_null_mx_bounces_at_once_without_a_connection(mx_lab, mode):
    mx_lab.reset()
    trace = policy.trace("null-mx.example", mx_lab.net, mode)
    assert trace.path() == ("mx", "bounce") and trace.hosts == ()
    sender = Sender(mx_lab.net, mode)
    outcome = sender.send(MESSAGE, "bob@null-mx.example")
    assert outcome.status == BOUNCED and outcome.attempts == () and "RFC 7505" in outcome.reason
    assert sender.queue == [] and len(sender.returned) == 1
    assert not mx_lab.mailbox.messages


def test_a_null_mx_in_a_catalogue_domain(lab):
    """The same, set at run time in the default lab, with an MX server that
    would accept the mail: it is never contacted."""
    lab.set_records("opportunistic.example", "opportunistic.example", "MX", ["0 ."])
    outcome = Sender(lab.net, "opportunistic").send(MESSAGE, "bob@opportunistic.example")
    assert outcome.status == BOUNCED and outcome.attempts == ()
    assert not any("opportunistic" in line for line in lab.log()[-5:] if "connect" in line)


@pytest.mark.parametrize("mode,status", [("auto", VERIFIED), ("dane", VERIFIED),
                                         ("mta-sts", UNVERIFIED), ("opportunistic", UNVERIFIED)])
def test_no_mx_records_means_the_domain_itself(mx_lab, mode, status):
    """RFC 5321 §5.1: the implicit MX; RFC 7672 §2.2.2: DANE looks up
    _25._tcp.no-mx.example, which the lab publishes (3 1 1)."""
    mx_lab.reset()
    trace = policy.trace("no-mx.example", mx_lab.net, mode)
    assert trace.path()[:2] == ("mx", "implicit") and trace.hosts == ("no-mx.example",)
    outcome = Sender(mx_lab.net, mode).send(MESSAGE, "bob@no-mx.example")
    assert outcome.status == status, outcome
    (msg,) = mx_lab.mailbox.messages
    assert msg.host == "no-mx.example" and SECRET.encode() in msg.data
    if mode in ("auto", "dane"):
        assert trace.rule("no-mx.example").tlsa.base_name == "no-mx.example"


def test_dane_at_the_implicit_mx_is_enforced(mx_lab):
    mx_lab.reset()
    mx_lab.attack("no-mx.example", "substitute")
    outcome = Sender(mx_lab.net, "dane").send(MESSAGE, "bob@no-mx.example")
    assert outcome.status == DEFERRED
    assert [f.result_type for f in outcome.failures] == ["tlsa-invalid"]
    mx_lab.reset()


def test_a_domain_with_no_mx_and_no_address_bounces(lab):
    for mode in POLICIES:
        outcome = Sender(lab.net, mode).send(MESSAGE, "bob@nowhere.example")
        assert outcome.status == BOUNCED and outcome.attempts == (), (mode, outcome)


# -- 4. one odd MX does not stop the walk; a deadline and a cap -------------------------------

def _der(buf: bytes, i: int) -> tuple[int, int]:
    """(start of content, end) of the DER element at ``i``."""
    n = buf[i + 1]
    if n < 0x80:
        return i + 2, i + 2 + n
    k = n & 0x7F
    length = int.from_bytes(buf[i + 2:i + 2 + k], "big")
    return i + 2 + k, i + 2 + k + length


def _tlv(tag: int, body: bytes) -> bytes:
    n = len(body)
    head = bytes([n]) if n < 0x80 else bytes([0x80 | ((n.bit_length() + 7) // 8)]) + \
        n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag]) + head + body


def _version_4_certificate(issued) -> bytes:
    """The certificate with its version field set to 4 (value 3), re-signed
    with its own key: OpenSSL serves it, cryptography refuses to load it."""
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    der = issued.cert.public_bytes(serialization.Encoding.DER)
    body, _ = _der(der, 0)
    _, tbs_end = _der(der, body)
    tbs = bytearray(der[body:tbs_end])
    version = tbs.index(b"\xa0\x03\x02\x01\x02")  # [0] EXPLICIT INTEGER 2 (v3)
    tbs[version + 4] = 3
    _, alg_end = _der(der, tbs_end)
    key = serialization.load_pem_private_key(issued.key_pem, None)
    signature = key.sign(bytes(tbs), ec.ECDSA(hashes.SHA256()))
    return _tlv(0x30, bytes(tbs) + der[tbs_end:alg_end] + _tlv(0x03, b"\x00" + signature))


def test_a_certificate_cryptography_cannot_load_fails_that_mx_only(lab, tmp_path):
    from cryptography import x509

    issued = lab.issue_certificate("mx1.example.com")
    der = _version_4_certificate(issued)
    with pytest.raises(Exception):
        x509.load_der_x509_certificate(der)
    (tmp_path / "c.pem").write_bytes(ssl.DER_cert_to_PEM_cert(der).encode())
    (tmp_path / "k.pem").write_bytes(issued.key_pem)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "c.pem", tmp_path / "k.pem")
    lab.set_certificate("mx1.example.com", "valid")  # so that reset() restores it
    lab.receivers["mx1.example.com"].context = context
    outcome = Sender(lab.net, "opportunistic").send(MESSAGE, "bob@example.com")
    first, second = outcome.attempts
    assert not first.delivered and "unexpectedly" in first.reason
    assert second.mx == "mx2.example.com" and outcome.status == UNVERIFIED


def test_odd_mx_names_fail_alone(lab):
    """An MX name too long to look TLSA up under (a valid DNS name, but
    _25._tcp. makes it over 255 octets) and one that is no host name (an
    underscore, RFC 5321 §2.3.5) each fail their MX; the next MX is tried."""
    long_name = ".".join(["a" * 59] * 4) + ".example.com"
    lab.set_records("example.com", "example.com", "MX",
                    [f"10 {long_name}.", "15 mx_1.example.com.", "20 mx2.example.com."])
    outcome = Sender(lab.net, "dane").send(MESSAGE, "bob@example.com")
    assert [a.mx for a in outcome.attempts] == [long_name, "mx_1.example.com", "mx2.example.com"]
    assert not outcome.attempts[0].delivered
    assert "not a valid server name" in outcome.attempts[1].reason
    assert outcome.status == VERIFIED


def _silent_servers(n):
    """Listening sockets that never accept: the kernel completes the handshake,
    no greeting ever comes (an overloaded or hostile MX)."""
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        socks.append(s)
    return socks


def _closed_ports(n):
    ports = []
    for _ in range(n):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            ports.append(s.getsockname()[1])
    return ports  # nobody listens: connections are refused at once


def _net_with(lab, names_ports):
    hosts = dict(lab.net.hosts)
    hosts.update({name: Endpoint("127.0.0.1", smtp=port) for name, port in names_ports})
    return replace(lab.net, hosts=MappingProxyType(hosts))


def test_silent_mx_hosts_cannot_hold_a_send_past_its_deadline(lab):
    socks = _silent_servers(4)
    try:
        names = [f"s{i}.opportunistic.example" for i in range(4)]
        lab.set_records("opportunistic.example", "opportunistic.example", "MX",
                        [f"{10 + i} {n}." for i, n in enumerate(names)])
        net = _net_with(lab, zip(names, (s.getsockname()[1] for s in socks)))
        sender = Sender(net, "opportunistic", deadline=2.0)
        start = time.monotonic()
        outcome = sender.send(MESSAGE, "bob@opportunistic.example")
        took = time.monotonic() - start
    finally:
        for s in socks:
            s.close()
    assert took < 2.0 + 1.5, took
    assert outcome.status == DEFERRED and "deadline" in outcome.reason
    assert len(sender.queue) == 1


def test_at_most_max_mx_hosts_are_tried(lab):
    names = [f"r{i}.opportunistic.example" for i in range(8)]
    lab.set_records("opportunistic.example", "opportunistic.example", "MX",
                    [f"{10 + i} {n}." for i, n in enumerate(names)])
    net = _net_with(lab, zip(names, _closed_ports(8)))
    outcome = Sender(net, "opportunistic").send(MESSAGE, "bob@opportunistic.example")
    assert [a.mx for a in outcome.attempts] == names[:MAX_MX] and MAX_MX == 5
    assert outcome.status == DEFERRED and "3 more MX host(s) not tried" in outcome.reason
    outcome = Sender(net, "opportunistic", max_mx=2).send(MESSAGE, "bob@opportunistic.example")
    assert len(outcome.attempts) == 2


def test_limits_must_be_positive(lab):
    with pytest.raises(ValueError, match="deadline"):
        Sender(lab.net, deadline=0)
    with pytest.raises(ValueError, match="queue_lifetime"):
        Sender(lab.net, queue_lifetime=-1)


def test_the_tree_figure_shows_the_null_and_the_implicit_mx(mx_lab):
    from helpers.figures import decision_tree
    from helpers.figures.tree import _box_text

    for domain, path in (("null-mx.example", ("mx", "bounce")),
                         ("no-mx.example", ("mx", "implicit", "tlsa", "dane"))):
        trace = policy.trace(domain, mx_lab.net)
        assert trace.path() == path
        fig = decision_tree(trace)
        bold = {t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_fontweight"))
                if t.get_fontweight() == "bold"}
        assert {_box_text(policy.TREE[n]) for n in path} <= bold
        assert "null MX (0 .)" in bold or domain != "null-mx.example"


def test_the_attack_matrix_shows_a_bounce(lab):
    """notebook 02's matrix, for tls-required.example: strip and a 454 bounce."""
    from helpers.attacks import run_matrix
    from helpers.figures import attack_matrix

    matrix = run_matrix(lab, "tls-required.example", attacks=("none", "strip", "refuse"))
    for attack in ("strip", "refuse"):
        for mode in POLICIES:
            cell = matrix.cell(attack, mode)
            assert cell.status == BOUNCED and cell.queued == 0 and not cell.attacker_read
    assert "bounced, returned to the sender" in str(matrix)
    assert "bounced, returned to the sender" in matrix._repr_html_()
    attack_matrix(matrix)  # every status has a colour
