"""Cross-checks of the lab with real command-line tools: delv, openssl, swaks.

The course tells students to point these tools at the lab; these tests make
sure that what the tools conclude is what the course says they will.
Note: ``delv`` exits 0 whatever it concludes, and ``openssl s_client`` exits 0
on a failed verification unless told otherwise, so the tests judge the tools'
output, not their exit status.
"""

from __future__ import annotations

import re
import subprocess
import uuid

import pytest
from conftest import need_tool

from helpers.dane import association_data as tlsa_data

pytestmark = pytest.mark.tools

TIMEOUT = 20  # seconds, for every command

MX1 = "mx1.example.com"


def run(args: list[str], stdin: str | bytes | None = None) -> subprocess.CompletedProcess:
    """Run ``args`` with a timeout; stdout and stderr captured (text unless
    ``stdin`` is bytes)."""
    return subprocess.run(args, input=stdin, capture_output=True, timeout=TIMEOUT,
                          text=not isinstance(stdin, bytes))


def output(result: subprocess.CompletedProcess) -> str:
    return result.stdout + result.stderr


# -- delv: DNSSEC validation against the lab's trust anchor ----------------------

def delv(lab, rdtype: str, name: str) -> str:
    result = run([need_tool("delv"), f"@{lab.net.nameserver}", "-p", str(lab.dns.port),
                  "-a", str(lab.trust_anchor_file), "+root=.", rdtype, name])
    return output(result)


TLSA_311 = re.compile(r"\sTLSA\s+3\s+1\s+1\s+([0-9A-Fa-f ]+?)\s*$", re.MULTILINE)


def delv_tlsa_digest(text: str) -> str:
    """The digest of the one ``3 1 1`` TLSA record in delv's answer, lower case.
    delv prints hex in upper case, split by spaces."""
    found = TLSA_311.findall(text)
    assert len(found) == 1, f"expected one TLSA 3 1 1 record in:\n{text}"
    return found[0].replace(" ", "").lower()


def test_delv_validates_mx1_tlsa_and_its_digest_is_the_served_key(lab):
    """delv fully validates mx1's TLSA record, and the SHA-256 it publishes is
    that of the public key mx1 actually serves."""
    text = delv(lab, "TLSA", f"_25._tcp.{MX1}")
    assert "; fully validated" in text, text
    expected = tlsa_data(lab.certificate(MX1).cert, 1, 1).hex()
    assert delv_tlsa_digest(text) == expected


def test_delv_rejects_bogus_tlsa(lab):
    """The dnssec-bogus TLSA record has a broken signature: delv refuses it."""
    text = delv(lab, "TLSA", "_25._tcp.mx.dnssec-bogus.example")
    assert "resolution failed: RRSIG failed to verify" in text, text
    assert "fully validated" not in text
    assert not TLSA_311.search(text)  # no record is shown as an answer


def test_delv_reports_unsigned_zone_as_insecure(lab):
    """dane-insecure.example is not signed: delv says 'unsigned answer'."""
    text = delv(lab, "MX", "dane-insecure.example")
    assert "; unsigned answer" in text, text
    assert "mx.dane-insecure.example." in text
    assert "fully validated" not in text


def test_delv_validates_nonexistence_in_signed_zone(lab):
    """A name that does not exist under example.com is a validated NXDOMAIN
    (proven by NSEC records), not an unsigned or bogus answer."""
    text = delv(lab, "A", "no-such-host.example.com")
    assert "; negative response, fully validated" in text, text
    assert "NXDOMAIN" in text
    assert " NSEC " in text


# -- openssl s_client: PKIX and DANE verification ------------------------------------

def s_client(address: str, port: int, servername: str, *options: str) -> str:
    result = run([need_tool("openssl"), "s_client", "-starttls", "smtp",
                  "-connect", f"{address}:{port}", "-servername", servername,
                  "-verify_return_error", *options], stdin="QUIT\n")
    return output(result)


def verified(text: str) -> bool:
    return "Verification: OK" in text and "Verify return code: 0 (ok)" in text


def published_tlsa(lab, host: str) -> tuple[str, ...]:
    """The TLSA records of ``_25._tcp.host`` the lab's DNS publishes, as rrdata text."""
    answer = lab.net.resolver().resolve(f"_25._tcp.{host}", "TLSA")
    return tuple(rr.to_text() for rr in answer)


def test_openssl_verifies_mx1_with_lab_ca(lab):
    """openssl verifies mx1's certificate chain and name against the lab CA."""
    address, port = lab.net.smtp_endpoint(MX1)
    text = s_client(address, port, MX1, "-CAfile", str(lab.ca_file), "-verify_hostname", MX1)
    assert verified(text), text
    assert f"Verified peername: {MX1}" in text


def test_openssl_rejects_wrong_hostname(lab):
    """The same certificate does not verify for another name (mx2)."""
    address, port = lab.net.smtp_endpoint(MX1)
    text = s_client(address, port, MX1, "-CAfile", str(lab.ca_file),
                    "-verify_hostname", "mx2.example.com")
    assert not verified(text)
    assert "Verify return code: 62 (hostname mismatch)" in text, text


def test_openssl_dane_matches_published_tlsa(lab):
    """The TLSA record the lab's DNS publishes for mx1 matches, for openssl's
    DANE code, the certificate mx1 serves (no CA needed for usage 3)."""
    (rrdata,) = published_tlsa(lab, MX1)
    assert rrdata == "3 1 1 " + tlsa_data(lab.certificate(MX1).cert, 1, 1).hex()
    address, port = lab.net.smtp_endpoint(MX1)
    text = s_client(address, port, MX1, "-dane_tlsa_domain", MX1, "-dane_tlsa_rrdata", rrdata)
    assert verified(text), text
    assert re.search(r"DANE TLSA 3 1 1 \S+ matched EE certificate at depth 0", text), text


def openssl_spki_sha256(cert_pem: bytes) -> str:
    """``openssl x509 -pubkey -noout | openssl pkey -pubin -outform DER | sha256sum``,
    the pipeline operators use to compute a 3 1 1 TLSA digest."""
    openssl = need_tool("openssl")
    pubkey = run([openssl, "x509", "-pubkey", "-noout"], stdin=cert_pem)
    assert pubkey.returncode == 0, pubkey.stderr
    der = run([openssl, "pkey", "-pubin", "-outform", "DER"], stdin=pubkey.stdout)
    assert der.returncode == 0, der.stderr
    digest = run([need_tool("sha256sum")], stdin=der.stdout)
    assert digest.returncode == 0, digest.stderr
    return digest.stdout.split()[0].decode()


def test_openssl_pipeline_digest_is_published_and_matches(lab):
    """The digest an operator computes with the openssl pipeline from mx1's
    certificate is the one in DNS, and openssl DANE accepts mx1 with it."""
    digest = openssl_spki_sha256(lab.certificate(MX1).cert_pem)
    assert published_tlsa(lab, MX1) == (f"3 1 1 {digest}",)
    address, port = lab.net.smtp_endpoint(MX1)
    text = s_client(address, port, MX1, "-dane_tlsa_domain", MX1,
                    "-dane_tlsa_rrdata", f"3 1 1 {digest}")
    assert verified(text), text
    assert "matched EE certificate" in text


def test_openssl_dane_fails_after_key_rollover(lab):
    """mx.dane-rollover.example serves a new key while DNS still names the old
    one: with the published TLSA, openssl's DANE check fails."""
    host = "mx.dane-rollover.example"
    (rrdata,) = published_tlsa(lab, host)
    served = openssl_spki_sha256(lab.certificate(host).cert_pem)
    assert rrdata != f"3 1 1 {served}"  # the scenario itself: DNS names another key
    address, port = lab.net.smtp_endpoint(host)
    text = s_client(address, port, host, "-dane_tlsa_domain", host, "-dane_tlsa_rrdata", rrdata)
    assert not verified(text)
    assert "matched EE certificate" not in text
    assert "no matching DANE TLSA records" in text, text


def test_openssl_detects_substituted_certificate(lab):
    """A substituting attacker on the path to mx1 fails verification
    (self-signed certificate); the real mx1 verifies."""
    real = lab.net.smtp_endpoint(MX1)
    attacker = lab.attack(MX1, "substitute")
    via_attacker = lab.net.smtp_endpoint(MX1)
    assert via_attacker != real
    options = ("-CAfile", str(lab.ca_file), "-verify_hostname", MX1)

    text = s_client(*via_attacker, MX1, *options)
    assert not verified(text)
    assert "self-signed certificate" in text, text
    assert attacker.saw("STARTTLS")  # the connection really went through the attacker

    assert verified(s_client(*real, MX1, *options))


# -- swaks: delivering mail ----------------------------------------------------------

def swaks(address: str, port: int, to: str, body: str, *options: str) -> subprocess.CompletedProcess:
    return run([need_tool("swaks"), "--server", f"{address}:{port}", "--to", to,
                "--from", "a@sender.test", "--body", body, *options])


def test_swaks_delivers_over_verified_tls(lab):
    """swaks with --tls --tls-verify and the lab CA delivers to mx1, and the
    lab's mailbox shows the message arrived inside TLS."""
    body = f"over verified TLS {uuid.uuid4().hex}"
    address, port = lab.net.smtp_endpoint(MX1)
    result = swaks(address, port, "postmaster@example.com", body,
                   "--tls", "--tls-verify", "--tls-ca-path", str(lab.ca_file))
    assert result.returncode == 0, output(result)
    assert lab.mailbox.wait_for(1, timeout=5)
    (message,) = lab.mailbox.messages
    assert message.host == MX1
    assert message.tls is True
    assert body.encode() in message.data


def test_swaks_tls_verify_refuses_substituting_attacker(lab):
    """--tls-verify has teeth: through a substituting attacker (self-signed
    certificate) swaks stops before sending, and nothing arrives."""
    attacker = lab.attack(MX1, "substitute")
    address, port = lab.net.smtp_endpoint(MX1)
    result = swaks(address, port, "postmaster@example.com", "must not arrive",
                   "--tls", "--tls-verify", "--tls-ca-path", str(lab.ca_file))
    assert result.returncode != 0
    assert "certificate verify failed" in output(result), output(result)
    assert not attacker.saw("must not arrive")
    assert not lab.mailbox.wait_for(1, timeout=0.5)


def test_swaks_tls_refuses_receiver_without_starttls(lab):
    """swaks --tls does not send to mx.no-tls.example, which offers no STARTTLS."""
    address, port = lab.net.smtp_endpoint("mx.no-tls.example")
    result = swaks(address, port, "postmaster@no-tls.example", "must not arrive", "--tls")
    assert result.returncode != 0
    assert "STARTTLS" in output(result)
    assert not lab.mailbox.wait_for(1, timeout=0.5)


def test_swaks_without_tls_through_strip_attacker_is_read(lab):
    """Without --tls, swaks delivers through a stripping attacker in the clear,
    and the attacker reads the body."""
    attacker = lab.attack(MX1, "strip")
    body = f"stripped secret {uuid.uuid4().hex}"
    address, port = lab.net.smtp_endpoint(MX1)
    result = swaks(address, port, "postmaster@example.com", body)
    assert result.returncode == 0, output(result)
    assert lab.mailbox.wait_for(1, timeout=5)
    (message,) = lab.mailbox.messages
    assert message.host == MX1 and message.tls is False
    assert body.encode() in message.data
    assert attacker.saw(body)
