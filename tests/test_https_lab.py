"""The lab's HTTPS policy hosts, fetched with the standard library's ssl and http.client."""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
import time

import pytest
from cryptography import x509

from helpers.lab.https import POLICY_PATH

EXAMPLE_POLICY = (b"version: STSv1\nmode: enforce\nmx: mx1.example.com\n"
                  b"mx: mx2.example.com\nmax_age: 604800\n")


def get(lab, host, path=POLICY_PATH, *, context=None, sni=True):
    """GET ``path`` from lab ``host`` over TLS; returns (status, headers, body, peer cert)."""
    address, port = lab.net.https_endpoint(host)
    context = context or lab.net.ssl_context()
    raw = socket.create_connection((address, port), timeout=5)
    with context.wrap_socket(raw, server_hostname=host if sni else None) as tls:
        peer = x509.load_der_x509_certificate(tls.getpeercert(binary_form=True))
        tls.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        response = http.client.HTTPResponse(tls)
        response.begin()
        return response.status, dict(response.getheaders()), response.read(), peer


def test_policy_of_example_com_is_served_verbatim_over_verified_https(lab):
    status, headers, body, peer = get(lab, "mta-sts.example.com")
    assert status == 200
    assert headers["Content-Type"] == "text/plain"
    assert body == EXAMPLE_POLICY
    san = peer.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["mta-sts.example.com"]


def test_each_policy_host_gets_its_own_certificate_by_sni(lab):
    for domain in ("sts-testing.example", "sts-enforce.example"):
        status, _, body, _ = get(lab, f"mta-sts.{domain}")
        assert status == 200 and b"version: STSv1" in body
    _, _, testing, _ = get(lab, "mta-sts.sts-testing.example")
    assert b"mode: testing" in testing


def test_policy_host_with_a_certificate_for_another_name_fails_verification(lab):
    with pytest.raises(ssl.SSLCertVerificationError, match="Hostname mismatch"):
        get(lab, "mta-sts.sts-bad-policy-cert.example")


def test_a_client_without_sni_gets_no_policy_host_certificate(lab):
    """RFC 8461 §7.1 requires SNI: without it the server cannot pick the right name."""
    context = lab.net.ssl_context()
    context.check_hostname = False  # to look at what is served, still verifying the chain
    *_, peer = get(lab, "mta-sts.example.com", context=context, sni=False)
    san = peer.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["no-sni.lab.invalid"]


def test_other_paths_and_unknown_hosts(lab):
    assert get(lab, "mta-sts.example.com", "/")[0] == 404
    assert get(lab, "mta-sts.example.com", "/.well-known/mta-sts.txt?x")[0] == 404


@pytest.mark.parametrize("changes,status,ctype", [
    ({"status": 404}, 404, "text/plain"),
    ({"status": 301, "location": "https://evil.example/p"}, 301, "text/plain"),
    ({"content_type": "text/html"}, 200, "text/html"),
    ({"content_type": "text/plain; charset=utf-8"}, 200, "text/plain; charset=utf-8"),
])
def test_policy_answers_can_be_broken_on_purpose(lab, changes, status, ctype):
    lab.set_policy_answer("example.com", **changes)
    got_status, headers, body, _ = get(lab, "mta-sts.example.com")
    assert got_status == status and headers["Content-Type"] == ctype
    if "location" in changes:
        assert headers["Location"] == changes["location"]
    if status == 200:
        assert body == EXAMPLE_POLICY


def test_oversized_body(lab):
    lab.set_policy_answer("example.com", body=b"x" * 70_000)
    status, headers, body, _ = get(lab, "mta-sts.example.com")
    assert status == 200 and len(body) == 70_000 == int(headers["Content-Length"])


def test_reset_restores_the_published_policy(lab):
    lab.set_policy_answer("example.com", status=500)
    lab.reset()
    assert get(lab, "mta-sts.example.com")[2] == EXAMPLE_POLICY


def test_a_slow_answer_or_a_stalled_client_blocks_no_one(lab):
    lab.set_policy_answer("sts-testing.example", delay=3)
    address, port = lab.net.https_endpoint("mta-sts.example.com")
    stalled = socket.create_connection((address, port), timeout=5)  # says nothing at all
    slow = threading.Thread(target=lambda: get(lab, "mta-sts.sts-testing.example"), daemon=True)
    try:
        slow.start()
        time.sleep(0.1)
        t = time.monotonic()
        assert get(lab, "mta-sts.example.com")[0] == 200
        assert time.monotonic() - t < 1.5  # well under the 3 s delay
        assert slow.is_alive()  # the slow one really is still waiting
    finally:
        stalled.close()
        slow.join(5)


def test_report_endpoint_answers_a_non_ascii_content_length_with_411(lab):
    """RFC 9110 §8.6: Content-Length is ASCII digits; '²' is not a length, and
    the lab's report endpoint says so instead of dropping the connection."""
    import http.client

    lab.serve_reports()
    address, port = lab.net.https_endpoint("reports.example.com")
    raw = socket.create_connection((address, port), timeout=5)
    with lab.net.ssl_context().wrap_socket(raw, server_hostname="reports.example.com") as tls:
        tls.sendall(b"POST /tlsrpt HTTP/1.1\r\nHost: reports.example.com\r\n"
                    b"Content-Type: application/tlsrpt+json\r\nContent-Length: \xb2\r\n\r\n{}")
        response = http.client.HTTPResponse(tls)
        response.begin()
        assert response.status == 411
