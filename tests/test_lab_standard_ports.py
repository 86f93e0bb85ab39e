"""The lab's standard-ports mode (helpers.lab.ownaddr), with real clients:
dnspython on port 53, smtplib on port 25, ssl on port 443, each host at the
address its A record gives, attackers taking that address over."""

from __future__ import annotations

import os
import shutil
import smtplib
import socket
import ssl
import subprocess
import sys
from pathlib import Path

import dns.flags
import dns.message
import dns.query
import dns.resolver
import pytest

from helpers.lab import Lab, LabError
from helpers.lab.ownaddr import address_plan


def _can_bind_25() -> str:
    """'' if this process may bind a privileged port, else why not."""
    with socket.socket() as s:
        try:
            s.bind(("127.0.9.25", 25))
        except PermissionError:
            return "binding port 25 needs root or CAP_NET_BIND_SERVICE"
        except OSError as e:
            return f"cannot bind 127.0.9.25:25: {e}"
    return ""


def _skip_unless_privileged():
    reason = _can_bind_25()
    if reason and not os.environ.get("COURSE_POSTFIX_REQUIRED"):
        pytest.skip(reason)
    assert not reason, f"{reason}; COURSE_POSTFIX_REQUIRED is set"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    _skip_unless_privileged()
    with Lab(seed=5, standard_ports=True, directory=tmp_path_factory.mktemp("lab")) as lab:
        yield lab


def _resolver() -> dns.resolver.Resolver:
    res = dns.resolver.Resolver(configure=False)
    res.nameservers, res.port, res.lifetime = ["127.0.1.53"], 53, 5
    return res


def _a(name: str) -> str:
    return _resolver().resolve(name, "A")[0].to_text()


def _smtp(host: str) -> smtplib.SMTP:
    client = smtplib.SMTP(_a(host), 25, timeout=5)
    client._host = host  # STARTTLS checks the certificate against the MX name
    client.ehlo()
    return client


def test_the_address_plan_is_per_host_and_stable():
    plan = address_plan(["mx1.a", "mx2.a"], ["mta-sts.a"])
    assert plan == {"mx1.a": "127.0.2.1", "mx2.a": "127.0.2.2", "mta-sts.a": "127.0.3.1"}
    later = address_plan(["mx3.a"], [], {**plan, "mx1.a": "127.0.2.1"})
    assert later["mx3.a"] == "127.0.2.3" and later["mx1.a"] == "127.0.2.1"


def test_each_host_has_its_own_address_in_dns_and_reset_keeps_it(lab):
    addresses = {h: _a(h) for h in lab.receivers}
    assert len(set(addresses.values())) == len(addresses)  # one address per MX host
    assert all(a.startswith("127.0.2.") for a in addresses.values())
    assert _a("mta-sts.example.com").startswith("127.0.3.")
    # A DNSSEC query on port 53 answers with signatures, as a validating resolver needs.
    q = dns.message.make_query("mx1.example.com", "A", want_dnssec=True)
    answer = dns.query.udp(q, "127.0.1.53", port=53, timeout=5)
    assert any(r.rdtype == dns.rdatatype.RRSIG for r in answer.answer)
    lab.reset()
    assert {h: _a(h) for h in lab.receivers} == addresses


def test_smtp_on_port_25_with_starttls_and_a_checked_certificate(lab):
    lab.reset()
    client = _smtp("mx1.example.com")
    assert client.has_extn("starttls")
    client.starttls(context=ssl.create_default_context(cafile=str(lab.ca_file)))
    client.sendmail("a@sender.example", "postmaster@example.com",
                    "Subject: standard ports\r\n\r\nhello\r\n")
    client.quit()
    assert lab.mailbox.wait_for(1)
    (received,) = lab.mailbox.messages
    assert received.host == "mx1.example.com" and received.tls


def test_an_attacker_takes_over_the_hosts_address_for_any_client(lab):
    lab.reset()
    lab.attack("mx1.example.com", "strip")
    with _smtp("mx1.example.com") as client:
        assert not client.has_extn("starttls")  # stripped on the way, at the same address
    lab.attack("mx1.example.com", "substitute")
    client = _smtp("mx1.example.com")
    with pytest.raises(ssl.SSLCertVerificationError):
        client.starttls(context=ssl.create_default_context(cafile=str(lab.ca_file)))
    lab.reset()
    with _smtp("mx1.example.com") as client:
        assert client.has_extn("starttls")


def test_policy_hosts_answer_on_port_443_by_name(lab):
    ctx = ssl.create_default_context(cafile=str(lab.ca_file))
    with socket.create_connection((_a("mta-sts.example.com"), 443), 5) as raw:
        with ctx.wrap_socket(raw, server_hostname="mta-sts.example.com") as tls:
            tls.sendall(b"GET /.well-known/mta-sts.txt HTTP/1.1\r\n"
                        b"Host: mta-sts.example.com\r\nConnection: close\r\n\r\n")
            body = b""
            while chunk := tls.recv(4096):
                body += chunk
    assert body.startswith(b"HTTP/1.1 200") and b"mode: enforce" in body


def test_the_course_sender_goes_where_any_client_goes(lab):
    from helpers.sender import VERIFIED, Sender
    lab.reset()
    assert lab.net.smtp_endpoint("mx1.example.com") == (_a("mx1.example.com"), 25)
    outcome = Sender(lab.net, "dane").send("Subject: x\r\n\r\nhi\r\n", "postmaster@example.com")
    assert outcome.status == VERIFIED


def test_a_second_lab_on_the_same_addresses_says_why(lab, tmp_path):
    with pytest.raises(LabError, match="already in use"):
        Lab(seed=6, standard_ports=True, directory=tmp_path).__enter__()


@pytest.mark.skipif(shutil.which("capsh") is None, reason="capsh (libcap2-bin) not installed")
def test_without_the_capability_the_error_says_what_is_needed():
    _skip_unless_privileged()
    code = ("from helpers.lab import Lab\n"
            "Lab(standard_ports=True).__enter__()\n")
    run = subprocess.run(["capsh", "--drop=cap_net_bind_service", "--", "-c",
                          f"{sys.executable} -c '{code}'"],
                         capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    assert run.returncode != 0
    assert "LabError" in run.stderr and "CAP_NET_BIND_SERVICE" in run.stderr, run.stderr


def test_hosts_that_appear_later_have_their_address_too(lab):
    lab.reset()
    before = _a("mx1.sts-stale-id.example")
    later = lab.apply_change("sts-stale-id.example")  # a new MX host, mx2
    host = later.mx[0].host
    address = _a(host)
    assert address.startswith("127.0.2.") and address != before
    with _smtp(host) as client:
        assert client.has_extn("starttls")
    lab.reset()
    assert _a("mx1.sts-stale-id.example") == before


def test_an_added_domain_gets_addresses_and_gives_them_back(lab):
    from helpers import publish
    lab.reset()
    records = publish.generate("shop.example", [publish.MxHost("mx.shop.example")],
                               mode="enforce")
    lab.add_domain(records)
    for host in ("mx.shop.example", "mta-sts.shop.example"):
        assert _a(host).startswith(("127.0.2.", "127.0.3."))
    with _smtp("mx.shop.example") as client:
        assert client.has_extn("starttls")
    address = _a("mx.shop.example")
    lab.reset()
    with socket.socket() as s:  # its address is given back: nothing listens there now
        s.settimeout(1)
        assert s.connect_ex((address, 25)) != 0


@pytest.mark.skipif(shutil.which("unbound") is None, reason="unbound not installed")
def test_the_generated_unbound_validates_the_lab_with_its_trust_anchor(lab, tmp_path):
    import time

    from helpers.mta import config
    lab.reset()
    (tmp_path / "unbound.conf").write_text(config.unbound_conf(tmp_path,
                                                               lab.directory / "root.ds"))
    proc = subprocess.Popen(["unbound", "-d", "-c", str(tmp_path / "unbound.conf")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        res = dns.resolver.Resolver(configure=False)
        res.nameservers, res.lifetime = [config.UNBOUND_ADDRESS], 5
        res.use_edns(0, dns.flags.DO, 1232)
        for _ in range(50):  # until it listens
            try:
                answer = res.resolve("_25._tcp.mx1.example.com", "TLSA")
                break
            except dns.exception.DNSException:
                time.sleep(0.1)
        assert answer.response.flags & dns.flags.AD  # secure: the lab root is its anchor
        with pytest.raises(dns.resolver.NoNameservers):  # bogus: SERVFAIL
            res.resolve("_25._tcp.mx.dnssec-bogus.example", "TLSA")
        unsigned = res.resolve("mx.no-tls.example", "A")
        assert not unsigned.response.flags & dns.flags.AD  # insecure: answered, no AD
    finally:
        proc.terminate()
        proc.wait(10)
