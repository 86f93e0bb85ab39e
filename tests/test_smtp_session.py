"""helpers.smtp: the recording client, against the lab's real servers."""

from __future__ import annotations

from helpers import smtp
from helpers.smtp import CLIENT, SERVER

MESSAGE = "From: a@sender.example\r\nSubject: t\r\n\r\nsecret words\r\n"


def deliver(lab, host="mx1.example.com", **kw):
    return smtp.deliver(host, lab.net, MESSAGE, sender="a@sender.example",
                        recipients=["b@example.com"], **kw)


def test_transcript_records_exact_bytes_and_where_tls_starts(lab):
    d = deliver(lab)
    assert d.accepted and d.error is None
    t = d.transcript
    assert t.lines[0] == smtp.Line(SERVER, b"220 mx1.example.com ESMTP lab\r\n", False, "greeting")
    starttls = [i for i, line in enumerate(t.lines) if line.data == b"STARTTLS\r\n"]
    assert len(starttls) == 1
    ready = t.lines[starttls[0] + 1]
    assert ready.sender == SERVER and ready.data.startswith(b"220") and not ready.encrypted
    assert t.tls_starts_at == starttls[0] + 2
    assert all(line.encrypted for line in t.lines[t.tls_starts_at:])
    assert not any(line.encrypted for line in t.lines[:t.tls_starts_at])
    assert t.readable()[-1] is ready
    assert b"secret words\r\n" in [line.data for line in t.lines if line.sender == CLIENT]
    assert lab.mailbox.messages[0].tls


def test_tls_details_and_chain(lab):
    tls = deliver(lab).transcript.tls
    assert tls.version == "TLSv1.3" and tls.verified and tls.server_name == "mx1.example.com"
    assert [c.subject.rfc4514_string() for c in tls.chain] == [
        "CN=mx1.example.com,O=SMTP TLS course lab",
        "CN=SMTP TLS Lab Issuing CA,O=SMTP TLS course lab"]
    assert tls.chain[0] == lab.certificate("mx1.example.com").cert


def test_second_ehlo_is_inside_tls_and_forgets_starttls(lab):
    first, second = deliver(lab).transcript.replies("ehlo")
    assert "STARTTLS" in smtp.parse_ehlo(first) and "STARTTLS" not in smtp.parse_ehlo(second)


def test_annotations_name_the_steps(lab):
    notes = [line.note for line in deliver(lab).transcript.lines]
    for expected in ("greeting", "the STARTTLS capability: TLS is offered",
                     "ready: the TLS handshake follows", "end of message", "message accepted"):
        assert expected in notes
    assert any("RFC 3207 §4.2" in n for n in notes)


def test_refusals_are_results_not_exceptions(lab):
    d = deliver(lab, "mx.sts-wrong-name.example")
    assert not d.accepted and "Hostname mismatch" in d.error
    assert not lab.mailbox.messages
    opportunistic = deliver(lab, "mx.sts-wrong-name.example", verify=False)
    assert opportunistic.accepted and not opportunistic.transcript.tls.verified
    lab.attack("mx1.example.com", "refuse")
    refused = deliver(lab)
    assert not refused.accepted and refused.error.startswith("server answered 454")
    unknown = deliver(lab, "mx.nowhere.example")
    assert not unknown.accepted and "not a host of the lab network" in unknown.error


def test_plaintext_when_starttls_is_not_offered(lab):
    d = deliver(lab, "mx.no-tls.example")
    assert d.accepted and d.transcript.tls is None
    assert not any(line.encrypted for line in d.transcript.lines)
    assert "IN THE CLEAR" in str(lab.mailbox.messages[0])


def test_probe_never_sends_mail(lab):
    p = smtp.probe("mx1.example.com", lab.net)
    assert p.accepted and p.transcript.tls is not None
    verbs = {line.text.split()[0].upper() for line in p.transcript.lines if line.sender == CLIENT}
    assert verbs == {"EHLO", "STARTTLS", "QUIT"}
    assert not lab.mailbox.messages


def test_parse_ehlo():
    reply = b"250-mx.example\r\n250-size 100\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n"
    assert smtp.parse_ehlo(reply) == {"SIZE": ["100"], "STARTTLS": [], "AUTH": ["PLAIN", "LOGIN"]}
    assert smtp.parse_ehlo("250 only.example\r\n") == {}


def test_html_is_escaped(lab):
    line = smtp.Line(SERVER, b"250 <script>alert(1)</script>\r\n", False)
    html = smtp.Transcript("<b>x</b>", (line,))._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html and "<b>x" not in html
