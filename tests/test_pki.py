"""The lab PKI: a real chain, fixed dates, keys and signatures from the seed."""

from __future__ import annotations

import datetime as dt
import ssl

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from helpers.dane import association_data as tlsa_data
from helpers.lab.pki import PKI, pki_for, server_cert


def test_leaf_chains_to_the_root_through_the_issuing_ca():
    pki = pki_for(1)
    leaf = pki.leaf(("mx1.example.com",))
    leaf.cert.verify_directly_issued_by(pki.issuing.cert)
    pki.issuing.cert.verify_directly_issued_by(pki.root.cert)
    assert leaf.chain == (pki.issuing.cert,)
    san = leaf.cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["mx1.example.com"]


def test_python_ssl_accepts_the_chain_with_only_the_root_trusted(tmp_path):
    """What a verifying client sees: root in the trust store, leaf + issuing CA sent."""
    pki = pki_for(1)
    ctx = ssl.create_default_context(cadata=pki.ca_pem.decode())
    assert len(ctx.get_ca_certs()) == 1
    leaf = pki.leaf(("mx1.example.com",))
    (tmp_path / "c.pem").write_bytes(leaf.chain_pem)
    (tmp_path / "k.pem").write_bytes(leaf.key_pem)
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(tmp_path / "c.pem", tmp_path / "k.pem")  # key matches cert


def test_same_seed_same_bytes_other_seed_other_bytes():
    a, b, c = PKI(7), PKI(7), PKI(8)
    assert a.root.cert_pem == b.root.cert_pem
    assert a.leaf(("mx.x.example",)).cert_pem == b.leaf(("mx.x.example",)).cert_pem
    assert a.leaf(("mx.x.example",)).key_pem == b.leaf(("mx.x.example",)).key_pem
    assert a.root.cert_pem != c.root.cert_pem
    assert a.leaf(("mx.x.example",)).key_pem != c.leaf(("mx.x.example",)).key_pem


def test_validity_dates_are_fixed_and_expired_certificates_are_expired():
    pki = pki_for(1)
    now = dt.datetime(2026, 11, 29, tzinfo=dt.timezone.utc)
    good = pki.leaf(("mx.a.example",)).cert
    bad = pki.leaf(("mx.a.example",), expired=True).cert
    assert good.not_valid_before_utc < now < good.not_valid_after_utc
    assert bad.not_valid_after_utc < now


def test_renewal_with_the_same_key_keeps_spki_digest_new_key_changes_it():
    """The DANE rollover lesson, at the PKI level: 3 1 1 survives a renewal
    with the same key, 3 0 1 does not; a new key changes both."""
    pki = pki_for(1)
    first = pki.leaf(("mx.r.example",))
    renewed = pki.leaf(("mx.r.example",), expired=True)  # another certificate, same key
    rolled = pki.leaf(("mx.r.example",), key_label="mx.r.example#2")
    assert tlsa_data(first.cert, 1, 1) == tlsa_data(renewed.cert, 1, 1)
    assert tlsa_data(first.cert, 0, 1) != tlsa_data(renewed.cert, 0, 1)
    assert tlsa_data(first.cert, 1, 1) != tlsa_data(rolled.cert, 1, 1)
    assert len(tlsa_data(first.cert, 1, 2)) == 64


def test_key_kinds():
    pki = pki_for(1)
    assert isinstance(pki.leaf(("mx.e.example",)).key, ec.EllipticCurvePrivateKey)
    rsa_leaf = pki.leaf(("mx.e.example",), key_kind="rsa")
    assert isinstance(rsa_leaf.key, rsa.RSAPrivateKey)
    assert rsa_leaf.key.key_size == 2048
    assert PKI(1).leaf(("mx.e.example",), key_kind="rsa").key_pem == rsa_leaf.key_pem


def test_scenario_certificate_kinds():
    pki = pki_for(1)
    wrong = server_cert(pki, "mx.w.example", "wrong-name").cert
    san = wrong.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["www.w.example"]
    selfsigned = server_cert(pki, "mx.w.example", "self-signed").cert
    assert selfsigned.issuer == selfsigned.subject
    with pytest.raises(ValueError, match="unknown certificate kind"):
        server_cert(pki, "mx.w.example", "bogus")
