"""The lab's SMTP receivers and on-path attackers, driven by smtplib."""

from __future__ import annotations

import smtplib
import ssl

import pytest
from conftest import send, smtp_to

from helpers.lab import SCENARIOS, LabError


def test_verified_starttls_delivery_arrives_over_tls(lab):
    send(lab, "mx1.example.com", "hello over TLS")
    (msg,) = lab.mailbox.messages
    assert msg.host == "mx1.example.com"
    assert msg.tls and msg.tls_version == "TLSv1.3"
    assert b"hello over TLS" in msg.data
    assert msg.rcpt_tos == ("postmaster@example.com",)


@pytest.mark.parametrize("mx", [mx for s in SCENARIOS for mx in s.mx], ids=lambda mx: mx.host)
def test_every_mx_greets_as_itself_and_offers_starttls_as_configured(lab, mx):
    with smtp_to(lab, mx.host) as client:
        code, greeting = client.docmd("NOOP")  # greeting already read by connect
        code, caps = client.ehlo()
        assert code == 250 and caps.splitlines()[0] == mx.host.encode()
        assert client.has_extn("starttls") == (mx.starttls != "none")
        assert not client.has_extn("auth")  # an MX offers no AUTH


def test_plaintext_delivery_is_marked_in_the_clear(lab):
    send(lab, "mx.no-tls.example", "plain", tls=False)
    (msg,) = lab.mailbox.messages
    assert not msg.tls and msg.tls_version is None
    assert "IN THE CLEAR" in str(msg)


def test_required_starttls_refuses_mail_before_tls(lab):
    with pytest.raises(smtplib.SMTPSenderRefused) as e:
        send(lab, "mx.tls-required.example", "no tls", tls=False)
    assert e.value.smtp_code == 530
    send(lab, "mx.tls-required.example", "with tls")
    assert [m.tls for m in lab.mailbox.messages] == [True]


@pytest.mark.parametrize("host,why", [
    ("mx.sts-expired.example", "certificate has expired"),
    ("mx.sts-wrong-name.example", "Hostname mismatch"),
])
def test_broken_certificates_fail_verification_but_not_opportunistic_tls(lab, host, why):
    with pytest.raises(ssl.SSLCertVerificationError, match=why):
        send(lab, host, "verified")
    assert not lab.mailbox.messages
    send(lab, host, "opportunistic", verify=False)  # what most senders do today
    assert [m.tls for m in lab.mailbox.messages] == [True]


def test_tap_reads_the_dialogue_until_starttls_then_only_ciphertext(lab):
    tap = lab.attack("mx1.example.com", "tap")
    send(lab, "mx1.example.com", "the secret plan")
    assert lab.mailbox.messages[0].tls
    assert tap.saw("STARTTLS") and tap.saw("ehlo sender.test")
    assert not tap.saw("the secret plan")
    assert any(s.channel == "encrypted" and s.sender == "server" for s in tap.log)
    readable = [s for s in tap.log if s.readable]
    assert readable[-1].data.startswith(b"220")  # the last line anyone could read


def test_strip_downgrades_an_opportunistic_sender_to_plaintext(lab):
    strip = lab.attack("mx1.example.com", "strip")
    with smtp_to(lab, "mx1.example.com") as client:
        client.ehlo()
        assert not client.has_extn("starttls")
        assert client.has_extn("xxxxxxxa")  # the tell-tale of a stripping middlebox
        client.sendmail("alice@sender.test", ["bob@example.com"],
                        b"Subject: x\r\n\r\nthe secret plan\r\n")
    (msg,) = lab.mailbox.messages
    assert not msg.tls
    assert strip.saw("the secret plan")


def test_strip_cannot_make_a_tls_requiring_receiver_accept_plaintext(lab):
    lab.attack("mx.tls-required.example", "strip")
    with pytest.raises(smtplib.SMTPSenderRefused):
        send(lab, "mx.tls-required.example", "secret", tls=False)
    assert not lab.mailbox.messages


def test_refuse_answers_starttls_with_454(lab):
    lab.attack("mx1.example.com", "refuse")
    with smtp_to(lab, "mx1.example.com") as client:
        client.ehlo()
        assert client.has_extn("starttls")
        code, text = client.docmd("STARTTLS")
        assert code == 454 and b"TLS not available" in text


def test_substitute_fools_opportunistic_senders_not_verifying_ones(lab):
    sub = lab.attack("mx1.example.com", "substitute")
    with pytest.raises(ssl.SSLCertVerificationError, match="self-signed"):
        send(lab, "mx1.example.com", "verified secret")
    assert not sub.saw("verified secret")
    send(lab, "mx1.example.com", "opportunistic secret", verify=False)
    assert sub.saw("opportunistic secret")
    # The receiver saw TLS too (from the attacker): neither end notices anything.
    assert [m.tls for m in lab.mailbox.messages] == [True]


def test_stopping_the_attack_restores_the_direct_path(lab):
    strip = lab.attack("mx1.example.com", "strip")
    lab.stop_attack("mx1.example.com")
    send(lab, "mx1.example.com", "after the attack")
    assert not strip.saw("after the attack")
    assert lab.net.smtp_endpoint("mx1.example.com")[1] == lab.receivers["mx1.example.com"].port


def test_bad_attack_requests_say_what_is_wrong(lab):
    with pytest.raises(LabError, match="tap, strip, refuse, substitute"):
        lab.attack("mx1.example.com", "teleport")
    with pytest.raises(LabError, match="not a lab MX host"):
        lab.attack("mx9.example.com", "tap")
