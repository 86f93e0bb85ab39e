"""The inspector facing hostile servers and hostile DNS (issue 19, items 7-10):
certificates with undecodable names, a deadline that every network operation
keeps (no thread outlives ``inspect()``), live mode refusing to probe the
learner's own network, and a widget that updates row by row with a bounded
number of MX hosts. Servers are real sockets on 127.0.0.1 (tests/hostile_servers.py)."""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from dataclasses import replace
from types import MappingProxyType

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import ExtensionOID, NameOID

from helpers import domain
from helpers.domain import STATUSES
from helpers.lab import pki as lab_pki
from helpers.net import Endpoint, Network, NetworkError
from hostile_servers import HostileSMTP, Script, servers  # noqa: F401

HOST = "mx1.example.com"


def _server_context(cert: x509.Certificate, key, chain, tmp_path):
    import ssl
    pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (cert, *chain))
    (tmp_path / "c.pem").write_bytes(pem)
    (tmp_path / "k.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(tmp_path / "c.pem", tmp_path / "k.pem")
    return ctx


def _high_byte_certificate(lab, *, in_subject: bool):
    """A lab-issued certificate whose dNSName holds the byte 0xe9 (an IA5String
    must be ASCII, RFC 5280 §4.2.1.6); ``in_subject``: its CN (an IA5String,
    which OpenSSL accepts and ``cryptography`` refuses) holds it too."""
    pki = lab_pki.pki_for(lab.seed)
    key = lab_pki.private_key(lab.seed, "leaf/hostile-names")
    raw = b"mx\xe9.example.com"
    san = bytes([0x30, len(raw) + 2, 0x82, len(raw)]) + raw
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mxQ.example",
                                                               _type=_ASN1Type.IA5String)]))
               .issuer_name(pki.issuing.cert.subject).public_key(key.public_key())
               .serial_number(4242).not_valid_before(lab_pki.NOT_BEFORE)
               .not_valid_after(lab_pki.NOT_AFTER)
               .add_extension(x509.UnrecognizedExtension(
                   ExtensionOID.SUBJECT_ALTERNATIVE_NAME, san), critical=False))
    cert = builder.sign(pki.issuing.key, hashes.SHA256())
    if in_subject:  # a CN (IA5String) that is not ASCII; the signature no longer matches
        der = cert.public_bytes(serialization.Encoding.DER).replace(b"mxQ", b"mx\xe9")
        cert = x509.load_der_x509_certificate(der)
    return cert, key, (pki.issuing.cert,)


def _route(lab, hosts: dict[str, int], **timeouts) -> Network:
    routes = dict(lab.net.hosts)
    for host, port in hosts.items():
        routes[host] = Endpoint("127.0.0.1", smtp=port)
    return replace(lab.net, hosts=MappingProxyType(routes), **timeouts)


# -- item 7: a name with a byte above 0x7f is a finding, not a crash ------------------------

@pytest.mark.parametrize("in_subject", [False, True], ids=["san", "san-and-subject"])
def test_certificate_name_with_high_byte_is_reported_escaped(lab, tmp_path, in_subject):
    cert, key, chain = _high_byte_certificate(lab, in_subject=in_subject)
    server = HostileSMTP(_server_context(cert, key, chain, tmp_path))
    try:
        net = _route(lab, {HOST: server.port, "mx2.example.com": server.port})
        result = domain.inspect("example.com", net, timeout=20)
    finally:
        server.stopping = True
    check = result.check(f"certificate:{HOST}")
    assert check.status in ("warn", "fail")
    text, page = str(result), result._repr_html_()
    assert "mx\\xe9.example.com" in text and "RFC 5280" in text
    assert "mx\\xe9.example.com" in page and "\xe9" not in page
    assert result.check(f"dane:{HOST}").status == "fail"  # the key is not the published one
    if in_subject:
        assert "malformed subject" in text


def test_certname_helpers_never_raise(lab):
    from helpers import certnames, smtp
    cert, _, chain = _high_byte_certificate(lab, in_subject=True)
    names, problem = certnames.dns_names(cert)
    assert names == [] and "mx\\xe9.example.com" in problem
    assert "mx\\xe9" in certnames.name_text(cert) and "mx\\xe9" in certnames.common_name(cert)
    details = smtp.TLSDetails("TLSv1.3", "x", 256, HOST, False, (cert, *chain))
    assert "mx\\xe9" in str(details)


# -- item 9: one deadline for every network operation; no thread outlives inspect() ----------

def _new_threads(before) -> list[str]:
    """Threads started since ``before`` and still running, other than the hostile
    servers' own (their connection threads end on their own clock)."""
    return [t.name for t in threading.enumerate()
            if t not in before and t.is_alive() and "(_serve)" not in t.name]


def test_no_thread_outlives_inspect_with_a_trickling_mx(lab, servers_for_example):
    # Each byte comes 0.05 s apart: every read is well inside the I/O timeout, so only
    # the inspection's own deadline can stop the probes (the server stops after 3 s).
    for server in servers_for_example.values():
        server.reset(Script(stage="greeting", mischief="trickle", trickle_delay=0.05))
    net = _route(lab, {h: s.port for h, s in servers_for_example.items()},
                 io_timeout=10.0, connect_timeout=5.0)
    before = set(threading.enumerate())
    start = time.monotonic()
    result = domain.inspect("example.com", net, timeout=1.0)
    took = time.monotonic() - start
    left = _new_threads(before)
    assert not left, f"still running after inspect() returned: {left}"
    assert took < 1.0 + 1.5
    probe = [c for c in result.checks if c.id in (f"starttls:{HOST}", f"timeout:{HOST}")]
    assert probe and probe[0].status in ("fail", "skip")


def test_no_thread_outlives_inspect_with_a_silent_dns_server():
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))
    try:
        net = Network(name="lab", nameserver="127.0.0.1", dns_port=silent.getsockname()[1],
                      dns_timeout=5.0)
        before = set(threading.enumerate())
        start = time.monotonic()
        result = domain.inspect("example.com", net, timeout=0.8)
        took = time.monotonic() - start
        left = _new_threads(before)
    finally:
        silent.close()
    assert not left, f"still running after inspect() returned: {left}"
    assert took < 0.8 + 1.5
    assert result.checks and all(c.status in ("skip", "fail") for c in result.checks)


def test_a_network_deadline_bounds_dns_queries():
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))
    try:
        net = Network(name="lab", nameserver="127.0.0.1", dns_port=silent.getsockname()[1],
                      dns_timeout=5.0, deadline=time.monotonic() + 0.3)
        start = time.monotonic()
        with pytest.raises(NetworkError):
            net.query("example.com", "MX")
        assert time.monotonic() - start < 1.0
        with pytest.raises(NetworkError, match="time budget"):
            net.query("example.com", "MX")  # the deadline has passed: no query at all
    finally:
        silent.close()


@pytest.fixture
def servers_for_example(lab, tmp_path_factory):
    from hostile_servers import _context
    made = {h: HostileSMTP(_context(lab, h, tmp_path_factory))
            for h in ("mx1.example.com", "mx2.example.com")}
    yield made
    for s in made.values():
        s.stopping = True


# -- item 10: live mode refuses addresses outside the public internet -------------------------

REFUSED = ["127.0.0.1", "10.1.2.3", "172.16.5.4", "192.168.1.1", "169.254.169.254",
           "100.64.0.1", "0.0.0.0", "224.0.0.251", "240.0.0.1", "255.255.255.255",
           "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1",
           "::ffff:127.0.0.1", "::ffff:192.168.0.1", "::ffff:169.254.169.254"]


@pytest.mark.parametrize("address", REFUSED)
def test_not_public_names_every_special_purpose_address(address):
    from helpers.net import not_public
    assert not_public(address)


@pytest.mark.parametrize("address", ["9.9.9.9", "2620:fe::fe", "::ffff:9.9.9.9",
                                     "193.0.6.139"])
def test_public_addresses_are_allowed(address):
    from helpers.net import not_public
    assert not_public(address) is None


def _live_view_of_the_lab(lab, smtp_port: int, https_port: int) -> Network:
    """A live Network whose DNS is a hostile one (the lab's, which puts every host
    on 127.0.0.1) and whose ports 25 and 443 are the hostile servers'."""
    return Network(name="live", nameserver=lab.net.nameserver, dns_port=lab.net.dns_port,
                   trust_anchor=lab.net.trust_anchor, ca_file=lab.net.ca_file,
                   smtp_port=smtp_port, https_port=https_port, dns_timeout=2.0,
                   connect_timeout=1.0, io_timeout=1.0)


def test_live_mode_does_not_probe_loopback_addresses_from_dns(lab, servers_for_example,
                                                              servers):
    from hostile_servers import POLICY_HOST
    mx = servers_for_example["mx1.example.com"]
    mx.reset(Script())
    https = servers[POLICY_HOST]
    https.reset(Script())
    net = _live_view_of_the_lab(lab, mx.port, https.port)
    with pytest.raises(NetworkError, match="loopback"):
        net.smtp_endpoint("mx1.example.com")
    result = domain.inspect("example.com", net, timeout=15)
    assert mx.record.connections == 0 and https.record.connections == 0
    probe = result.check("starttls:mx1.example.com")
    assert "127.0.0.1 (loopback)" in probe.detail and "public internet" in probe.detail
    assert "loopback" in result.check("mta-sts-policy").detail
    # The lab itself is loopback by design, and stays allowed.
    assert lab.net.smtp_endpoint("mx1.example.com")[0] == "127.0.0.1"


# -- item 8: many MX hosts: a bounded inspection, and a widget that adds rows ----------------

def _html_pushed(widget) -> list[int]:
    """Bytes of HTML the widget's status and results would send to a browser:
    every value an HTML widget in them takes, counted once per change."""
    import ipywidgets as widgets
    sent = [0]

    def watch(w):
        if isinstance(w, widgets.HTML):
            sent[0] += len(w.value)
            w.observe(lambda change: sent.__setitem__(0, sent[0] + len(change["new"])), "value")
        elif isinstance(w, widgets.Box):
            def added(change):
                for child in change["new"]:
                    if child not in change["old"]:
                        watch(child)
            w.observe(added, "children")
    watch(widget.status)
    watch(widget.results)
    return sent


def test_many_mx_hosts_are_bounded_and_the_widget_adds_rows_only(lab):
    from helpers.domain import gather
    from helpers.widgets.inspector import inspector
    MAX_MX_HOSTS = getattr(gather, "MAX_MX_HOSTS", 10)  # the bound the inspector keeps
    hosts = [f"mx{i:03}.example.com" for i in range(200)]
    lab.set_records("example.com", "example.com", "MX", [f"10 {h}." for h in hosts])
    w = inspector(lab)
    sent = _html_pushed(w)
    start = time.monotonic()
    assert w.inspect("example.com") and w.wait(60)
    took = time.monotonic() - start
    result = w.result
    probed = {c.id.partition(":")[2] for c in result.checks if ":" in c.id}
    assert probed == set(hosts[:MAX_MX_HOSTS])
    limit = result.check("mx-limit")
    assert limit.status == "skip" and f"{200 - MAX_MX_HOSTS} of 200" in limit.title
    assert "mx199.example.com" in str(result) and "mx199.example.com" in result._repr_html_()
    assert "mx010.example.com" in w.results.value
    # Each row is sent once: the HTML sent stays near the size of the final table.
    final = len(w.results.value) + len(w.status.value)
    assert sent[0] < 2 * final + 20_000, (sent[0], final)
    assert took < 20
