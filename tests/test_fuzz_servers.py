"""Protocol-level fuzzing: hypothesis chooses how a server misbehaves (at which
stage: trickling bytes, endless continuation lines or headers, huge lines,
random bytes, resets, silence, error codes) and the course's real clients talk
to it over loopback. Invariants, whatever the server does:

- only documented exceptions (``probe``/``deliver``/``Sender.send`` raise
  none, ``fetch_policy`` only ``FetchError``);
- every call ends by its deadline (checked with generous slack);
- bounded memory: the transcript stays within its bounds;
- an enforcing sender never delivers in the clear (the server's own record of
  what reached it outside TLS), never loses a message (not delivered means
  queued) and never delivers it twice (across send and retry).

The default run is a few hundred examples in all, derandomized; ``pytest -m
slow tests/test_fuzz_servers.py`` runs many more.
"""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import mtasts, smtp
from helpers.sender import BOUNCED, CLEAR, DEFERRED, UNVERIFIED, VERIFIED
from hostile_servers import (DOMAIN, HTTP_STAGES, MESSAGE, MISCHIEF, MX1, MX2,  # noqa: F401
                             POLICY_HOST, SMTP_STAGES, Script, enforcing_sender,
                             hostile_net, servers)

SLACK = 3.0  # seconds on top of each deadline: generous, shared machines are slow
IO = 0.05  # the network's I/O timeout: sessions get 3x that (0.15 s), fetches 2x

_CRAFTED = [
    b"220 ok\r\n250 ok\r\n250 ok\r\n220 ready\r\n",  # replies sent ahead (injection)
    b"250-" + b"x" * 9000 + b"\r\n",  # a line over smtplib's 8192
    b"250-a\r\n" * 300,  # more continuation lines than the bound, then silence
    b"2\r\n", b"\r\n", b"-1 x\r\n", b"250\n", b"999 \x1b[2J\r\n", b"",
    b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
    b"\x16\x03\x01\x00\x05hello",  # a TLS record where text is expected
]
garbage = st.one_of(st.binary(max_size=300), st.sampled_from(_CRAFTED))


def scripts(stages):
    return st.builds(Script, stage=st.sampled_from(stages), mischief=st.sampled_from(MISCHIEF),
                     starttls=st.booleans(), garbage=garbage, trickle_delay=st.just(0.02))


def fuzz_settings(n):
    return settings(max_examples=n, deadline=None, database=None, derandomize=n < 500,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])


def bounded(transcript) -> bool:
    return (len(transcript.lines) <= smtp.MAX_TRANSCRIPT_LINES
            and sum(len(line.data) for line in transcript.lines) <= smtp.MAX_TRANSCRIPT_BYTES)


# -- the invariants, one function per client ------------------------------------------

def check_probe(lab, servers, script):
    servers[MX1].reset(script)
    net = hostile_net(lab, servers, io_timeout=IO)
    start = time.monotonic()
    result = smtp.probe(MX1, net)
    assert time.monotonic() - start < smtp.session_timeout(net) + SLACK
    assert isinstance(result, smtp.Delivery) and bounded(result.transcript)
    assert result.accepted or result.error
    str(result), result._repr_html_()  # the text forms never fail either


def check_deliver(lab, servers, script):
    servers[MX1].reset(script)
    net = hostile_net(lab, servers, io_timeout=IO)
    start = time.monotonic()
    result = smtp.deliver(MX1, net, MESSAGE, sender="a@sender.example",
                          recipients=["b@" + DOMAIN], timeout=0.2)
    assert time.monotonic() - start < 0.2 + SLACK
    assert bounded(result.transcript)
    if result.accepted:  # then the server's 2xx to the end of the data was read
        assert any(line.sender == "client" and line.data == b".\r\n"
                   for line in result.transcript.lines)
    str(result), result._repr_html_()


def check_sender(lab, servers, first, second):
    servers[MX1].reset(first)
    servers[MX2].reset(second)
    net = hostile_net(lab, servers, io_timeout=IO)
    sender = enforcing_sender(lab, net)
    budget = 2 * smtp.session_timeout(net) + SLACK
    start = time.monotonic()
    outcome = sender.send(MESSAGE, "b@" + DOMAIN)
    assert time.monotonic() - start < budget
    # enforce: never CLEAR or UNVERIFIED; a 5xx reply bounces (RFC 5321 §4.2.1)
    assert outcome.status in (VERIFIED, DEFERRED, BOUNCED)
    assert outcome.status not in (CLEAR, UNVERIFIED)
    assert [q.message for q in sender.queue] == ([] if outcome.status != DEFERRED else [MESSAGE])
    retried = sender.retry()
    assert all(o.status in (VERIFIED, DEFERRED, BOUNCED) for o in retried)
    delivered = outcome.delivered + sum(o.delivered for o in retried)
    done = delivered + len(sender.returned)  # delivered or returned: out of the queue
    assert delivered <= 1 and done <= 1 and len(sender.queue) == 1 - done
    time.sleep(0.05)  # let the servers' threads record the last lines
    records = [servers[MX1].record, servers[MX2].record]
    assert sum(r.clear_content for r in records) == 0  # nothing reached them in the clear
    confirmed = sum(r.confirmed for r in records)
    assert confirmed <= 1  # never two copies the client knew were accepted
    assert confirmed <= delivered  # an acceptance the client read is a delivery
    for o in (outcome, *retried):
        assert all(a.transcript is None or bounded(a.transcript) for a in o.attempts)
        str(o), o._repr_html_()


def check_fetch(lab, servers, script):
    servers[POLICY_HOST].reset(script)
    net = hostile_net(lab, servers, io_timeout=IO)
    start = time.monotonic()
    try:
        policy = mtasts.fetch_policy(DOMAIN, net, timeout=0.2)
    except mtasts.FetchError as e:
        assert e.kind and e.tlsrpt_result_type.startswith("sts-")
    else:
        assert policy.mode == "enforce"
    assert time.monotonic() - start < 0.2 + SLACK


# -- the default run: a few hundred examples in all ------------------------------------

@fuzz_settings(80)
@given(script=scripts(SMTP_STAGES))
def test_probe_against_hostile_servers(session_lab, servers, script):
    check_probe(session_lab, servers, script)


@fuzz_settings(60)
@given(script=scripts(SMTP_STAGES))
def test_deliver_against_hostile_servers(session_lab, servers, script):
    check_deliver(session_lab, servers, script)


@fuzz_settings(50)
@given(first=scripts(SMTP_STAGES), second=scripts(SMTP_STAGES))
def test_enforcing_sender_against_hostile_servers(session_lab, servers, first, second):
    check_sender(session_lab, servers, first, second)


@fuzz_settings(60)
@given(script=scripts(HTTP_STAGES))
def test_fetch_policy_against_hostile_servers(session_lab, servers, script):
    check_fetch(session_lab, servers, script)


# -- the big run: pytest -m slow ----------------------------------------------------------

@pytest.mark.slow
@fuzz_settings(1000)
@given(script=scripts(SMTP_STAGES))
def test_probe_against_hostile_servers_slow(session_lab, servers, script):
    check_probe(session_lab, servers, script)


@pytest.mark.slow
@fuzz_settings(1000)
@given(script=scripts(SMTP_STAGES))
def test_deliver_against_hostile_servers_slow(session_lab, servers, script):
    check_deliver(session_lab, servers, script)


@pytest.mark.slow
@fuzz_settings(1000)
@given(first=scripts(SMTP_STAGES), second=scripts(SMTP_STAGES))
def test_enforcing_sender_against_hostile_servers_slow(session_lab, servers, first, second):
    check_sender(session_lab, servers, first, second)


@pytest.mark.slow
@fuzz_settings(1000)
@given(script=scripts(HTTP_STAGES))
def test_fetch_policy_against_hostile_servers_slow(session_lab, servers, script):
    check_fetch(session_lab, servers, script)
