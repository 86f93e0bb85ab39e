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
from hostile_servers import HostileSMTP, Script

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
