"""helpers.domain: inspecting the lab's domains with its real DNS, HTTPS and
SMTP servers; each domain's inspection flags its teaching point, and only it."""

from __future__ import annotations

import socket
from dataclasses import replace

import pytest

from helpers import domain
from helpers.domain import FAIL, INFO, OK, SKIP, WARN, Inspection, NotADomain, normalize
from helpers.lab import SCENARIOS
from helpers.net import Endpoint, Network

# What each lab domain's inspection must flag (warn or fail), and nothing else.
# Several points show up twice: the check that finds it, and the sender's path it causes.
FLAGGED = {
    "example.com": {},
    "no-tls.example": {"starttls:mx.no-tls.example": FAIL, "sender": FAIL},
    # Refusing mail before STARTTLS shows only to MAIL FROM, which the inspector never
    # sends: it sees STARTTLS offered and nothing published, so it flags the strippable path.
    "tls-required.example": {"sender": WARN},
    "opportunistic.example": {"sender": WARN},
    # Testing mode delivers whatever happens (RFC 8461 §5): not safe against an attacker.
    "sts-testing.example": {"mta-sts-mode": WARN, "sender": WARN},
    "sts-enforce.example": {},
    "dane-only.example": {},
    "dane-insecure.example": {"tlsa:mx.dane-insecure.example": WARN, "sender": WARN},
    "sts-expired.example": {"certificate:mx.sts-expired.example": FAIL, "sender": FAIL},
    "sts-wrong-name.example": {"certificate:mx.sts-wrong-name.example": FAIL, "sender": FAIL},
    "sts-mx-mismatch.example": {"mta-sts-mx": FAIL, "sender": FAIL},
    "sts-bad-policy-cert.example": {"mta-sts-policy": FAIL, "sender": WARN},
    # The record left for the retired key is what the rollover check flags (RFC 7671 §8.1).
    "dane-rollover.example": {"dane:mx.dane-rollover.example": FAIL,
                              "rollover:mx.dane-rollover.example": WARN, "sender": FAIL},
    "dnssec-bogus.example": {"tlsa:mx.dnssec-bogus.example": FAIL, "sender": FAIL},
    # The attacker's own domain looks like any opportunistic one: its point shows
    # when its MX is spliced into another domain's answers (notebook 02).
    "attacker.example": {"sender": WARN},
    # Its point needs two inspections: see test_policy_changed_without_new_id.
    "sts-stale-id.example": {},
}


def test_every_lab_domain_has_an_expectation():
    assert set(FLAGGED) == {s.domain for s in SCENARIOS}


@pytest.mark.parametrize("name", list(FLAGGED))
def test_inspection_flags_exactly_the_teaching_point(lab, name):
    result = domain.inspect(name, lab.net)
    assert result.error is None
    assert {c.id: c.status for c in result.flagged} == FLAGGED[name], str(result)
    assert result.ok == (FAIL not in FLAGGED[name].values())
    for check in result.checks:
        assert check.rfc.startswith("RFC"), check
        assert check.status in (OK, INFO, SKIP) or check.fix or check.id == "sender", check
    ids = [c.id for c in result.checks]
    assert len(ids) == len(set(ids))
    assert "sender" in ids and "tlsrpt" in ids and "mx" in ids


def test_example_com_reads_every_layer(lab):
    result = domain.inspect("example.com", lab.net)
    for host in ("mx1.example.com", "mx2.example.com"):
        assert result.check(f"tlsa:{host}").status == OK
        assert result.check(f"dane:{host}").status == OK
        assert "TLSv1.3" in result.check(f"starttls:{host}").title
        assert result.check(f"rollover:{host}").status == INFO  # only the current key
    assert result.check("dnssec").status == OK
    assert "DANE" in result.check("sender").title
    assert "-p " in result.check("mx").command and result.check("mx").command.startswith("dig")
    assert result.check("tlsa:mx1.example.com").command.startswith("delv")
    assert result.check("mta-sts-policy").command.startswith("curl")
    assert result.check("starttls:mx1.example.com").command.startswith("openssl s_client")
    assert set(result.summary().values()) == {OK, INFO}


def test_dane_only_covers_a_rollover(lab):
    result = domain.inspect("dane-only.example", lab.net)
    assert result.check("rollover:mx.dane-only.example").status == OK
    assert result.check("mta-sts-record").status == INFO


def test_policy_changed_without_new_id(lab):
    before = domain.inspect("sts-stale-id.example", lab.net)
    assert before.sts_id == "20260101T000000"
    lab.apply_change("sts-stale-id.example")
    after = domain.inspect("sts-stale-id.example", lab.net, previous=before)
    assert {c.id: c.status for c in after.flagged} == {"mta-sts-id": FAIL}
    again = domain.inspect("sts-stale-id.example", lab.net, previous=after)
    assert again.check("mta-sts-id").status == OK


def test_concurrent_and_serial_inspections_agree(lab):
    fast = domain.inspect("example.com", lab.net)
    slow = domain.inspect("example.com", lab.net, concurrent=False)
    assert fast == slow


def test_progress_reports_every_check(lab):
    seen = []
    result = domain.inspect("sts-enforce.example", lab.net, on_check=seen.append)
    assert sorted(c.id for c in seen) == sorted(c.id for c in result.checks)


def test_no_smtp_skips_only_the_probes(lab):
    result = domain.inspect("example.com", lab.net, smtp=False)
    assert result.check("starttls:mx1.example.com").status == SKIP
    assert result.check("tlsa:mx1.example.com").status == OK
    assert result.check("sender").status == INFO
    assert not [c for c in result.checks if c.id.startswith(("certificate:", "dane:"))]


def test_json_round_trip(lab):
    for name in ("example.com", "dane-rollover.example", "no-tls.example"):
        result = domain.inspect(name, lab.net)
        assert Inspection.from_json(result.to_json()) == result
    with pytest.raises(ValueError, match="not a saved inspection|not an inspection"):
        Inspection.from_json('{"domain": "x"}')
    with pytest.raises(ValueError):
        Inspection.from_json("not json")


def test_the_inspector_never_sends_mail(lab):
    tap = lab.attack("mx.no-tls.example", "tap")
    for name in FLAGGED:
        domain.inspect(name, lab.net)
    assert len(lab.mailbox) == 0
    commands = {line.split()[0].upper() for line in
                tap.cleartext().decode("ascii", "replace").splitlines()
                if line and not line[:3].isdigit()}
    assert commands and commands <= {"EHLO", "STARTTLS", "QUIT"}, commands


# -- hostile content -------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"


def test_hostile_records_and_policy_are_escaped(lab):
    lab.set_records("example.com", "_mta-sts.example.com", "TXT",
                    ['"v=STSv1; id=1<img src=x onerror=alert(1)>;"'])
    lab.set_records("example.com", "_smtp._tls.example.com", "TXT",
                    [f'"v=TLSRPTv1; rua=mailto:{SCRIPT}\\027[31m@example.com"'])
    lab.set_records("sts-enforce.example", "_smtp._tls.sts-enforce.example", "TXT",
                    ['"v=TLSRPTv1; rua=https://x/\\"><b>bold</b>"'])
    lab.set_policy_answer("sts-testing.example", status=302, location=f"https://{SCRIPT}/")
    lab.set_policy_answer("sts-enforce.example", body=(
        "version: STSv1\nmode: enforce\nmx: *.sts-enforce.example\nmax_age: 604800\n"
        f"x-note: {SCRIPT}\n").encode())
    pages = []
    for name in ("example.com", "sts-testing.example", "sts-enforce.example"):
        result = domain.inspect(name, lab.net)
        page = result._repr_html_()
        assert "<script" not in page and "<img" not in page and "<b>bold" not in page
        assert "\x1b" not in page and "\x1b" not in str(result)
        pages.append(page)
        table = domain.table([result])._repr_html_()
        assert "<script" not in table and "<img" not in table
    assert "&lt;img src=x" in pages[0] and "\\x1b[31m" in pages[0]
    assert "&lt;script&gt;" in pages[1]  # the redirect's target, in the fetch error
    assert "&lt;script&gt;" in pages[2]  # the policy's extension line
    example = domain.inspect("example.com", lab.net)
    assert example.check("mta-sts-record").status == FAIL
    assert example.check("tlsrpt").status == FAIL  # '<' is not allowed in a URI
    assert "\\x1b" in str(example.check("tlsrpt"))


# -- what cannot be inspected, or not fully ---------------------------------------------------

@pytest.mark.parametrize("text", ["", "not a domain!", "a..b.example", "localhost",
                                  "-bad.example", "x" * 64 + ".example", 42])
def test_not_a_domain_is_a_clear_message(lab, text):
    result = domain.inspect(text, lab.net)
    assert result.error and not result.checks and not result.ok
    assert "RFC" in result.error or "empty" in result.error or "text" in result.error
    with pytest.raises(NotADomain):
        normalize(text)


def test_normalize():
    assert normalize("Alice@Example.COM.") == "example.com"
    assert normalize(" bücher.example ") == "xn--bcher-kva.example"


def test_nonexistent_domain(lab):
    result = domain.inspect("nowhere.example.com", lab.net)
    assert result.check("mx").status == FAIL and "does not exist" in result.check("mx").title
    assert not result.ok


def test_domain_outside_the_lab(lab):
    result = domain.inspect("gmail.com", lab.net)
    assert result.check("mx").status == FAIL
    assert "does not exist" in result.check("mx").title
    assert "lab.domains" in result.check("mx").fix


def test_null_mx_and_implicit_mx(lab):
    lab.set_records("opportunistic.example", "opportunistic.example", "MX", ["0 ."])
    result = domain.inspect("opportunistic.example", lab.net)
    assert result.check("mx").status == INFO and "null MX" in result.check("mx").title
    assert result.check("sender").status == INFO
    lab.set_records("opportunistic.example", "opportunistic.example", "MX", [])
    lab.set_records("opportunistic.example", "opportunistic.example", "A", ["127.0.0.1"])
    result = domain.inspect("opportunistic.example", lab.net)
    assert result.check("mx").status == WARN and "itself" in result.check("mx").title


def test_dns_timeout_is_a_clear_message():
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))
    try:
        net = Network(name="lab", nameserver="127.0.0.1", dns_port=silent.getsockname()[1],
                      dns_timeout=0.3, connect_timeout=0.3, io_timeout=0.3)
        result = domain.inspect("example.com", net, timeout=10)
    finally:
        silent.close()
    # A resolver that does not answer is this network's problem, not the domain's.
    assert result.error and "this network's resolver" in result.error
    assert "does not answer" in result.error and "timed out" in result.check("resolver").detail
    assert result.check("mx").status == SKIP


def test_port_25_blocked_gives_skip_and_the_rest(lab):
    blackhole = socket.socket()
    blackhole.bind(("127.0.0.1", 0))
    blackhole.listen(0)  # accepted by the kernel, never answered: like a dropped SYN
    port = blackhole.getsockname()[1]
    try:
        hosts = dict(lab.net.hosts)
        for host in ("mx1.example.com", "mx2.example.com"):
            hosts[host] = Endpoint("127.0.0.1", smtp=port)
        net = replace(lab.net, hosts=hosts, connect_timeout=0.5, io_timeout=0.5)
        result = domain.inspect("example.com", net)
    finally:
        blackhole.close()
    probe = result.check("starttls:mx1.example.com")
    assert probe.status == SKIP and "port 25" in probe.detail and "blocked" in probe.detail
    assert result.check("tlsa:mx1.example.com").status == OK
    assert result.check("mta-sts-mx").status == OK
    assert result.check("sender").status == INFO
    assert result.error is None and result.ok


@pytest.mark.parametrize("name", list(FLAGGED))
def test_sender_check_agrees_with_a_real_delivery(lab, name):
    """The inspector predicts, without sending, what a real auto sender then does."""
    from helpers import sender

    predicted = domain.inspect(name, lab.net).check("sender")
    outcome = sender.Sender(lab.net, "auto").send("Subject: t\r\n\r\nhello\r\n",
                                                  f"postmaster@{name}")
    expected = {sender.VERIFIED: "delivers with verified TLS",
                sender.UNVERIFIED: "delivers with unverified TLS",
                sender.CLEAR: "delivers in the clear", sender.DEFERRED: "defers"}[outcome.status]
    assert expected in predicted.title, (str(predicted), str(outcome))


def test_bidi_override_in_a_record_or_policy_is_shown_escaped(lab):
    # U+202E (RIGHT-TO-LEFT OVERRIDE) would make the text read in another order.
    # A TXT record is read byte for byte (helpers.txtrecord), so its UTF-8 bytes
    # show as escapes too; the policy file is UTF-8 text.
    lab.set_records("example.com", "_mta-sts.example.com", "TXT",
                    ['"v=STSv1; id=mx\\226\\128\\174evil;"'])
    lab.set_policy_answer("sts-enforce.example", body=(
        "version: STSv1\nmode: enforce\nmx: *.sts-enforce.example\nmax_age: 604800\n"
        "x-note: mx\u202eevil\n").encode())
    for name, shown in (("example.com", "id=mx\u00e2\\x80\u00aeevil"),
                        ("sts-enforce.example", "mx\\u202eevil")):
        result = domain.inspect(name, lab.net)
        text, page = str(result), result._repr_html_()
        assert "\u202e" not in text and "\u202e" not in page
        assert "\x80" not in text and "\x80" not in page
        assert shown in text and shown in page
