"""Chain verdicts of helpers.dane, cross-checked with OpenSSL's DANE code
(``openssl s_client -dane_tlsa_domain ... -dane_tlsa_rrdata ...``) against the
chains the lab's MX hosts really serve.

OpenSSL checks names for DANE-EE unless told not to (``-dane_ee_no_namechecks``);
SMTP does not (RFC 7672 §3.1.1), and MTAs built on OpenSSL set that flag."""

from __future__ import annotations

import re

import pytest
from test_tools import s_client, verified

from helpers import dane, smtp
from helpers.dane import association_data as tlsa_data

pytestmark = pytest.mark.tools

MX1, EXPIRED = "mx1.example.com", "mx.sts-expired.example"


def _cases(lab):
    mx1 = lab.certificate(MX1).cert
    issuer = lab.pki.issuing.cert
    expired = lab.certificate(EXPIRED).cert
    rec = lambda u, s, m, cert: f"{u} {s} {m} {tlsa_data(cert, s, m).hex()}"  # noqa: E731
    return [
        # (MX to connect to, name to check, records, expected verdict)
        (MX1, MX1, [rec(3, 1, 1, mx1)], True),
        (MX1, MX1, [rec(3, 0, 1, mx1)], True),
        (MX1, MX1, [rec(3, 1, 2, mx1)], True),
        (MX1, MX1, [rec(3, 0, 0, mx1)], True),
        (MX1, "elsewhere.example", [rec(3, 1, 1, mx1)], True),  # DANE-EE ignores names
        (MX1, MX1, [rec(2, 1, 1, issuer)], True),
        (MX1, MX1, [rec(2, 0, 1, issuer)], True),
        (MX1, MX1, [rec(2, 1, 0, issuer)], True),
        (MX1, "mx2.example.com", [rec(2, 1, 1, issuer)], False),  # DANE-TA checks names
        (MX1, MX1, [rec(3, 1, 1, issuer)], False),  # an EE record must name the leaf
        (MX1, MX1, [rec(2, 1, 1, lab.pki.root.cert)], False),  # anchor not in the chain
        (MX1, MX1, [rec(3, 1, 1, lab.certificate("mx2.example.com").cert),
                    rec(3, 1, 1, mx1)], True),  # one match among several is enough
        (EXPIRED, EXPIRED, [rec(3, 1, 1, expired)], True),  # DANE-EE ignores dates
        (EXPIRED, EXPIRED, [rec(2, 1, 1, issuer)], False),  # DANE-TA does not
    ]


def test_verdicts_agree_with_openssl(lab):
    disagreements = []
    for host, name, records, expected in _cases(lab):
        served = smtp.probe(host, lab.net, verify=False).transcript.tls.chain
        ours = dane.verify_chain(records, served, [name]).ok
        address, port = lab.net.smtp_endpoint(host)
        # -dane_ee_no_namechecks: the SMTP profile (RFC 7672 §3.1.1), as MTAs use it.
        args = ["-dane_tlsa_domain", name, "-dane_ee_no_namechecks"]
        for r in records:
            args += ["-dane_tlsa_rrdata", r]
        theirs = verified(s_client(address, port, host, *args))
        if not (ours == theirs == expected):
            disagreements.append((host, name, [r[:12] for r in records], expected, ours, theirs))
    assert not disagreements, disagreements


def test_openssl_names_the_record_and_depth_we_name(lab):
    issuer_record = f"2 1 1 {tlsa_data(lab.pki.issuing.cert, 1, 1).hex()}"
    served = smtp.probe(MX1, lab.net, verify=False).transcript.tls.chain
    ours = dane.verify_chain([issuer_record], served, [MX1])
    address, port = lab.net.smtp_endpoint(MX1)
    text = s_client(address, port, MX1, "-dane_tlsa_domain", MX1,
                    "-dane_tlsa_rrdata", issuer_record)
    depth = re.search(r"DANE TLSA 2 1 1 \S+ matched TA certificate at depth (\d)", text)
    assert depth, text
    assert ours.matched[1] == int(depth.group(1)) == 1


def _openssl_digest(cert_pem: bytes, what: str, algorithm: str) -> str:
    """The operator's command-line recipe: DER of the certificate or of its
    SubjectPublicKeyInfo, hashed with sha256sum or sha512sum."""
    from test_tools import run

    from conftest import need_tool

    openssl = need_tool("openssl")
    if what == "cert":
        der = run([openssl, "x509", "-outform", "DER"], stdin=cert_pem).stdout
    else:
        pubkey = run([openssl, "x509", "-pubkey", "-noout"], stdin=cert_pem).stdout
        der = run([openssl, "pkey", "-pubin", "-outform", "DER"], stdin=pubkey).stdout
    digest = run([need_tool(algorithm + "sum")], stdin=der)
    assert digest.returncode == 0, digest.stderr
    return digest.stdout.split()[0].decode()


@pytest.mark.parametrize("selector,mtype", [(0, 1), (0, 2), (1, 1), (1, 2)])
@pytest.mark.parametrize("host", [MX1, "mx.dane-rollover.example"])
def test_from_cert_agrees_byte_for_byte_with_the_openssl_pipeline(lab, host, selector, mtype):
    issued = lab.certificate(host)
    expected = _openssl_digest(issued.cert_pem, ("cert", "spki")[selector],
                               ("sha256", "sha512")[mtype - 1])
    assert dane.TLSA.from_cert(issued.cert_pem, 3, selector, mtype).data.hex() == expected
