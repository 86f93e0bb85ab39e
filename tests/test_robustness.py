"""Clients facing hostile servers (issue 10, items 1-5 and 9): deadlines per call,
bounded replies and transcripts, no crash on long lines, one copy per message,
nothing lost on Ctrl-C. The servers are real sockets on 127.0.0.1
(tests/hostile_servers.py); the clients are the course's own."""

from __future__ import annotations

import time

import pytest

from helpers import mtasts, smtp
from helpers.sender import CLEAR, DEFERRED, Sender
from hostile_servers import (DOMAIN, MESSAGE, MX1, MX2, POLICY_HOST, Script,  # noqa: F401
                             enforcing_sender, hostile_net, script_all, servers)

SLACK = 2.0  # generous: the point is "ends", not "how fast"

def timed(call):
    start = time.monotonic()
    result = call()
    return result, time.monotonic() - start


# -- item 1: one deadline per call, not per read --------------------------------------

def test_probe_ends_by_its_deadline_when_the_greeting_trickles(lab, servers):
    # 0.02 s a byte keeps every single read well inside a 5 s I/O timeout.
    script_all(servers, stage="greeting", mischief="trickle", trickle_delay=0.02)
    net = hostile_net(lab, servers, io_timeout=5.0)
    result, took = timed(lambda: smtp.probe(MX1, net, timeout=0.5))
    assert not result.accepted and "deadline" in result.error
    assert took < 0.5 + SLACK


def test_deliver_default_deadline_comes_from_the_network(lab, servers):
    script_all(servers, stage="EHLO", mischief="trickle", trickle_delay=0.02)
    net = hostile_net(lab, servers, io_timeout=0.1)
    result, took = timed(lambda: smtp.deliver(MX1, net, MESSAGE, sender="a@b.example",
                                              recipients=["c@" + DOMAIN]))
    assert not result.accepted and "deadline" in result.error
    assert took < smtp.session_timeout(net) + SLACK


def test_fetch_policy_ends_by_its_deadline_when_the_headers_trickle(lab, servers):
    servers[POLICY_HOST].reset(Script(stage="headers", mischief="trickle",
                                      trickle_delay=0.02))
    net = hostile_net(lab, servers, io_timeout=5.0)
    start = time.monotonic()
    with pytest.raises(mtasts.FetchError) as e:
        mtasts.fetch_policy(DOMAIN, net, timeout=0.5)
    assert e.value.kind == "timeout"
    assert time.monotonic() - start < 0.5 + SLACK


# -- item 2: an endless multi-line reply is cut off ---------------------------------------

@pytest.mark.parametrize("stage", ["greeting", "EHLO"])
def test_endless_continuation_lines_are_cut_off(lab, servers, stage):
    script_all(servers, stage=stage, mischief="endless")
    net = hostile_net(lab, servers, io_timeout=5.0)
    result = smtp.probe(MX1, net, timeout=10)
    assert not result.accepted and "went past" in result.error
    kept = sum(len(line.data) for line in result.transcript.lines)
    assert kept <= smtp.MAX_REPLY_BYTES + 2000
    assert len(result.transcript.lines) <= smtp.MAX_REPLY_LINES + 10


def test_sender_stops_reading_an_endless_reply_and_keeps_the_message(lab, servers):
    script_all(servers, stage="greeting", mischief="endless")
    sender = Sender(hostile_net(lab, servers, io_timeout=5.0), "opportunistic")
    outcome = sender.send(MESSAGE, "c@" + DOMAIN)
    assert outcome.status == DEFERRED and len(sender.queue) == 1
    assert all("went past" in a.reason for a in outcome.attempts)


# -- item 3: a line over 8,192 bytes ------------------------------------------------------

@pytest.mark.parametrize("stage", ["greeting", "EHLO", "MAIL"])
def test_a_huge_reply_line_is_an_error_result_not_a_crash(lab, servers, stage):
    script_all(servers, stage=stage, mischief="huge-line", starttls=False)
    net = hostile_net(lab, servers, io_timeout=5.0)
    result = smtp.deliver(MX1, net, MESSAGE, sender="a@b.example",
                          recipients=["c@" + DOMAIN], timeout=10)
    assert not result.accepted and "Line too long" in result.error


# -- item 5: accepted means delivered, whatever happens to QUIT ------------------------

@pytest.mark.parametrize("mischief", ["reset", "close", "silence", "garbage"])
def test_accepted_then_quit_fails_is_one_delivery(lab, servers, mischief):
    script_all(servers, stage="QUIT", mischief=mischief)
    sender = Sender(hostile_net(lab, servers, io_timeout=0.5), "opportunistic")
    outcome = sender.send(MESSAGE, "c@" + DOMAIN)
    assert outcome.delivered and [a.mx for a in outcome.attempts] == [MX1]
    assert sender.queue == [] and sender.retry() == []
    time.sleep(0.3)  # let the servers count
    assert servers[MX1].record.confirmed == 1 and servers[MX2].record.confirmed == 0


def test_deliver_reports_accepted_when_quit_is_reset(lab, servers):
    script_all(servers, stage="QUIT", mischief="reset")
    result = smtp.deliver(MX1, hostile_net(lab, servers), MESSAGE, sender="a@b.example",
                          recipients=["c@" + DOMAIN], timeout=5)
    assert result.accepted and result.error is None


# -- item 9: Ctrl-C during a send leaves the message queued --------------------------

def test_keyboard_interrupt_during_send_leaves_the_message_queued(lab, servers, monkeypatch):
    script_all(servers, stage="QUIT", mischief="ok")
    sender = Sender(hostile_net(lab, servers, io_timeout=1.0), "opportunistic")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(smtp.RecordingSMTP, "sendmail", interrupted)
    with pytest.raises(KeyboardInterrupt):
        sender.send(MESSAGE, "c@" + DOMAIN)
    assert [q.message for q in sender.queue] == [MESSAGE]
    monkeypatch.undo()
    outcome, = sender.retry()
    assert outcome.delivered and sender.queue == []


# -- item 4: ASCII digits only in Content-Length -------------------------------------------

@pytest.mark.parametrize("length", ["68\xb2".encode("latin-1"), b"\xb9\xb2", b"-1", b"0x40"])
def test_non_ascii_content_length_is_a_fetch_error(lab, servers, length):
    servers[POLICY_HOST].reset(Script(stage="headers", mischief="garbage", garbage=length))
    with pytest.raises(mtasts.FetchError) as e:
        mtasts.fetch_policy(DOMAIN, hostile_net(lab, servers, io_timeout=2.0))
    assert e.value.kind == "http"
    assert e.value.tlsrpt_result_type == "sts-policy-fetch-error"


def test_discover_reports_a_bad_content_length(lab, servers):
    servers[POLICY_HOST].reset(Script(stage="headers", mischief="garbage",
                                      garbage="68\xb2".encode("latin-1")))
    found = mtasts.discover(DOMAIN, hostile_net(lab, servers, io_timeout=2.0))
    assert found.policy is None and "ASCII digits" in found.policy_error


def test_enforcing_sender_never_uses_the_clear_with_hostile_mx(lab, servers):
    script_all(servers, stage="EHLO", mischief="ok", starttls=False)
    sender = enforcing_sender(lab, hostile_net(lab, servers, io_timeout=1.0))
    outcome = sender.send(MESSAGE, "c@" + DOMAIN)
    assert outcome.status == DEFERRED and outcome.status != CLEAR
    assert servers[MX1].record.clear_content == 0 and len(sender.queue) == 1


# -- item 6: one bad value does not poison a zone --------------------------------------

def test_a_bad_record_value_is_a_lab_error_and_changes_nothing(lab):
    from helpers.lab import LabError
    owner = "_25._tcp.mx1.example.com"
    before = lab.net.query(owner, "TLSA").answer
    with pytest.raises(LabError, match=r"_25\._tcp\.mx1\.example\.com TLSA '3 1 1 00'"):
        lab.set_records("example.com", owner, "TLSA", ["3 1 1 00"])
    assert lab.net.query(owner, "TLSA").answer == before
    with pytest.raises(LabError, match="not a valid record"):
        lab.set_records("example.com", owner, "NOSUCHTYPE", ["1"])
    # later edits of the same zone work, with and without a reset in between
    lab.set_records("example.com", "extra.example.com", "TXT", ['"hello"'])
    assert lab.net.query("extra.example.com", "TXT").answer
    lab.reset()
    lab.set_records("example.com", "extra.example.com", "TXT", ['"again"'])
    assert b"again" in lab.net.query("extra.example.com", "TXT").answer[0][0].strings[0]


# -- item 10: any three-digit status is served ------------------------------------------

@pytest.mark.parametrize("status", [299, 600, 999])
def test_policy_host_serves_unregistered_status_codes(lab, status):
    lab.set_policy_answer(DOMAIN, status=status)
    with pytest.raises(mtasts.FetchError) as e:
        mtasts.fetch_policy(DOMAIN, lab.net)
    assert e.value.kind == "http-status" and f"HTTP {status}" in str(e.value)


@pytest.mark.parametrize("bad", [{"status": 42}, {"status": 1000}, {"colour": "red"}])
def test_policy_answer_rejects_what_is_not_an_answer(lab, bad):
    from helpers.lab import LabError
    with pytest.raises(LabError, match="cannot set that answer"):
        lab.set_policy_answer(DOMAIN, **bad)
    assert mtasts.fetch_policy(DOMAIN, lab.net).mode == "enforce"


# -- items 7, 8, 9: the lab's life cycle ------------------------------------------------

def test_start_waits_for_its_loop_thread(monkeypatch):
    """A loop thread slow to enter run_forever (20 ms) used to make start fail."""
    import threading

    from helpers.lab import Lab

    real_thread = threading.Thread

    class SlowThread(real_thread):
        def run(self):
            if self.name.startswith("lab-"):
                time.sleep(0.02)
            super().run()

    monkeypatch.setattr(threading, "Thread", SlowThread)
    with Lab(seed=1, scenarios=()) as lab:
        assert lab.running
    assert not lab.running


def test_stopped_lab_network_says_the_lab_was_stopped():
    from helpers.lab import Lab

    first = Lab.start(seed=1)
    old_net = first.net
    second = Lab.start(seed=1)
    try:
        assert not first.running and second.running
        sender = Sender(old_net, "opportunistic")
        outcome, took = timed(lambda: sender.send(MESSAGE, "postmaster@example.com"))
        assert outcome.status == DEFERRED and "was stopped" in outcome.reason
        assert len(sender.queue) == 1 and took < 1.0  # says so at once, no DNS timeout
        probe = smtp.probe("mx1.example.com", old_net)
        assert not probe.accepted and "was stopped" in probe.error
        assert "was stopped" in old_net.stopped and not second.net.stopped
    finally:
        second.stop()


@pytest.fixture
def ctrl_c_raises():
    """Ctrl-C raises KeyboardInterrupt during the test, also when the test run
    inherited SIGINT ignored (`make test &`, nohup): _thread.interrupt_main()
    does nothing for an ignored signal."""
    import signal

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_ctrl_c_during_attack_leaves_no_listener(lab, monkeypatch, ctrl_c_raises):
    import _thread
    import socket
    import threading

    from helpers.lab.attackers import Attacker

    started = []
    real_start = Attacker.start

    async def slow_start(self, address):
        import asyncio
        await asyncio.sleep(0.6)  # Ctrl-C arrives while the server is starting
        await real_start(self, address)
        started.append(self)

    monkeypatch.setattr(Attacker, "start", slow_start)
    threading.Timer(0.15, _thread.interrupt_main).start()
    with pytest.raises(KeyboardInterrupt):
        lab.attack("mx1.example.com", "tap")
        time.sleep(1)  # not reached when the interrupt lands inside attack()
    deadline = time.monotonic() + 5
    while not started and time.monotonic() < deadline:
        time.sleep(0.05)
    attacker, = started
    assert "mx1.example.com" not in lab.attackers
    time.sleep(0.3)  # the loop thread closes it right after it came up
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", attacker.port), timeout=1).close()
    assert lab.net.smtp_endpoint("mx1.example.com")[1] == lab.receivers["mx1.example.com"].port


# -- item 12: control characters from servers are shown escaped ----------------------

HOSTILE_TEXT = "evil\x1b[2J\rOVERWRITTEN\x00 \u202etxt.exe\u2066"
RAW = ("\x1b", "\r", "\x00", "\u202e", "\u2066")


def _clean(text: str) -> bool:
    return not any(ch in text for ch in RAW)


def test_transcript_and_errors_show_control_characters_escaped(lab, servers):
    servers[MX1].reset(Script(stage="MAIL", mischief="garbage", starttls=False,
                              garbage=("550 " + HOSTILE_TEXT + "\r\n").encode()))
    net = hostile_net(lab, servers, io_timeout=2.0)
    result = smtp.deliver(MX1, net, MESSAGE, sender="a@b.example", recipients=["c@" + DOMAIN])
    assert not result.accepted
    assert any(HOSTILE_TEXT in line.text for line in result.transcript.lines)  # data kept as is
    for shown in (str(result.transcript), result.transcript._repr_html_(), str(result),
                  result._repr_html_(), result.error):
        assert _clean(shown), shown
        assert "\\x1b[2J\\rOVERWRITTEN\\x00 \\u202etxt.exe\\u2066" in shown
    sender = Sender(net, "opportunistic")
    outcome = sender.send(MESSAGE, "c@" + DOMAIN)
    assert _clean(str(outcome)) and _clean(outcome._repr_html_())


def test_visible_leaves_ordinary_text_alone():
    from helpers.safetext import visible
    for text in ("250 mx.example.com ESMTP", "C:\\path", "Grüße, 日本語", ""):
        assert visible(text) == text
    assert visible("a\tb\\") == "a\\tb\\\\"


def test_endless_reply_keeps_memory_bounded(lab, servers):
    import tracemalloc
    script_all(servers, stage="EHLO", mischief="endless")
    net = hostile_net(lab, servers, io_timeout=5.0)
    tracemalloc.start()
    try:
        result = smtp.probe(MX1, net, timeout=5)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert not result.accepted and peak < 8 * 1024 * 1024


def test_transcript_is_bounded_and_says_what_it_left_out(lab, servers):
    script_all(servers, stage="EHLO", mischief="ok", starttls=False)
    big = b"Subject: long\r\n\r\n" + b"line of text\r\n" * (smtp.MAX_TRANSCRIPT_LINES + 500)
    result = smtp.deliver(MX1, hostile_net(lab, servers, io_timeout=5.0), big,
                          sender="a@b.example", recipients=["c@" + DOMAIN])
    assert result.accepted
    t = result.transcript
    assert len(t.lines) == smtp.MAX_TRANSCRIPT_LINES and t.omitted > 500
    assert "more lines not kept" in str(t) and "more lines not kept" in t._repr_html_()


def test_sender_reports_a_bad_content_length_as_a_fetch_error(lab, servers):
    servers[POLICY_HOST].reset(Script(stage="headers", mischief="garbage",
                                      garbage="68\xb2".encode("latin-1")))
    script_all(servers, stage="EHLO", mischief="ok")
    sender = Sender(hostile_net(lab, servers, io_timeout=2.0), "mta-sts")
    sender.send(MESSAGE, "c@" + DOMAIN)
    assert [f.result_type for f in sender.failures] == ["sts-policy-fetch-error"]
    assert "ASCII digits" in sender.failures[0].reason
