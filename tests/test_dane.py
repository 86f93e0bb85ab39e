"""helpers.dane: TLSA records, SMTP chain rules, DNSSEC outcomes, sender actions."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import dane
from helpers.dane import TLSA, DaneError, verify_chain
from helpers.lab.pki import PKI, pki_for

NOW = dt.datetime(2026, 11, 29, tzinfo=dt.timezone.utc)
HOST = "mx.d.example"


@pytest.fixture(scope="module")
def pki():
    return pki_for(1)


@pytest.fixture(scope="module")
def leaf(pki):
    return pki.leaf((HOST,))


@pytest.fixture(scope="module")
def chain(pki, leaf):
    return [leaf.cert, pki.issuing.cert]


# -- records -------------------------------------------------------------------------

def test_parse_and_print():
    hexdata = "AB" * 32
    r = TLSA.parse(f"3 1 1 {hexdata[:20]} {hexdata[20:]}")
    assert (r.usage, r.selector, r.matching_type, r.data) == (3, 1, 1, bytes.fromhex(hexdata))
    assert str(r) == "3 1 1 " + "ab" * 32
    assert r.mnemonic == "DANE-EE SPKI SHA2-256"
    zone = TLSA.parse(f"_25._tcp.mx.example. 300 IN TLSA 2 0 2 {'cd' * 64}")
    assert zone.mnemonic == "DANE-TA Cert SHA2-512" and zone.usable
    assert TLSA.parse(str(zone)) == zone


@pytest.mark.parametrize("text,problem", [
    ("3 1 1", "is not"), ("3 1 1 abc", "odd number"), ("3 1 x ab", "is not"),
    ("256 1 1 ab", "0 to 255"), ("3 1 1 zz", "is not"), ("", "is not"),
])
def test_parse_errors(text, problem):
    with pytest.raises(DaneError, match=problem):
        TLSA.parse(text)


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=100),
                 st.builds(lambda a, b, c, h: f"{a} {b} {c} {h}", st.integers(-5, 300),
                           st.integers(-5, 300), st.integers(-5, 300),
                           st.text(alphabet="0123456789abcdefABCDEF xyz", max_size=70))))
def test_parsing_any_string_raises_nothing_but_daneerror(text):
    try:
        r = TLSA.parse(text)
    except DaneError:
        return
    assert TLSA.parse(str(r)) == r


@pytest.mark.parametrize("selector,mtype,size", [(0, 0, None), (0, 1, 32), (0, 2, 64),
                                                 (1, 0, None), (1, 1, 32), (1, 2, 64)])
def test_from_cert_every_selector_and_matching_type(leaf, selector, mtype, size):
    r = TLSA.from_cert(leaf.cert, 3, selector, mtype)
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
    raw = (leaf.cert.public_bytes(Encoding.DER) if selector == 0 else
           leaf.key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo))
    assert r.data == (raw if mtype == 0 else hashlib.new(("sha256", "sha512")[mtype - 1], raw).digest())
    assert size is None or len(r.data) == size
    assert TLSA.from_cert(leaf.cert_pem, 3, selector, mtype) == r  # PEM
    assert TLSA.from_cert(leaf.cert_pem.decode(), 3, selector, mtype) == r
    from cryptography.hazmat.primitives.serialization import Encoding
    assert TLSA.from_cert(leaf.cert.public_bytes(Encoding.DER), 3, selector, mtype) == r
    assert r.matches(leaf.cert)


@pytest.mark.parametrize("record,why", [
    ("0 0 1 " + "00" * 32, "PKIX-TA"), ("1 1 1 " + "00" * 32, "PKIX-EE"),
    ("3 1 1 " + "00" * 31, "32 bytes"), ("3 1 2 " + "00" * 32, "64 bytes"),
    ("4 1 1 " + "00" * 32, "unknown"), ("3 2 1 " + "00" * 32, "unknown"),
    ("3 1 3 " + "00" * 32, "unknown"),
])
def test_unusable_records(record, why):
    r = TLSA.parse(record)
    assert not r.usable and why in r.unusable_reason


# -- chains (RFC 7672 §3) ---------------------------------------------------------------

def test_dane_ee_matches_leaf_and_ignores_names_and_dates(pki, leaf, chain):
    r = TLSA.from_cert(leaf.cert)
    ok = verify_chain([r], chain, ["other.example"], NOW)
    assert ok.ok and ok.matched == (r, 0)
    expired = pki.leaf((HOST,), expired=True)  # same key, expired certificate
    assert verify_chain([r], [expired.cert], [HOST], NOW).ok
    assert verify_chain([TLSA.from_cert(leaf.cert, 3, 0, 1)], [expired.cert], [HOST], NOW).ok is False


def test_dane_ta_checks_chain_name_and_dates(pki, leaf, chain):
    ta = TLSA.from_cert(pki.issuing.cert, usage=2)
    good = verify_chain([ta], chain, [HOST], NOW)
    assert good.ok and good.matched == (ta, 1)
    wrong_name = verify_chain([ta], chain, ["mx.other.example"], NOW)
    assert not wrong_name.ok and "none of mx.other.example" in wrong_name.checked[-1]
    expired = verify_chain([ta], [pki.leaf((HOST,), expired=True).cert, pki.issuing.cert],
                           [HOST], NOW)
    assert not expired.ok and "not valid now" in expired.checked[-1]
    wildcard = pki.leaf(("*.d.example",), key_label="wild")
    assert verify_chain([ta], [wildcard.cert, pki.issuing.cert], [HOST], NOW).ok
    assert not verify_chain([ta], [wildcard.cert, pki.issuing.cert], ["a.mx.d.example"], NOW).ok


def test_dane_ta_anchor_must_be_in_the_chain_unless_a_full_key(pki, leaf):
    ta = TLSA.from_cert(pki.issuing.cert, usage=2)
    missing = verify_chain([ta], [leaf.cert], [HOST], NOW)
    assert not missing.ok and "no certificate in the chain" in missing.checked[-1]
    bare_key = TLSA.from_cert(pki.issuing.cert, usage=2, selector=1, matching_type=0)
    ok = verify_chain([bare_key], [leaf.cert], [HOST], NOW)
    assert ok.ok and "key above the chain" in ok.reason
    forged = pki.leaf((HOST,), self_signed=True)
    assert not verify_chain([bare_key], [forged.cert], [HOST], NOW).ok


def test_dane_ta_of_another_ca_fails(leaf):
    other = PKI(2)
    ta = TLSA.from_cert(other.issuing.cert, usage=2)
    result = verify_chain([ta], [leaf.cert, other.issuing.cert], [HOST], NOW)
    assert not result.ok and "not issued by" in result.checked[-1]


def test_all_unusable_means_tls_without_authentication(leaf, chain):
    result = verify_chain([str(TLSA.from_cert(leaf.cert, 1)), "3 1 1 00"],
                          chain, [HOST], NOW)
    assert not result.ok and result.all_unusable and "still required" in result.reason
    assert len(result.checked) == 2


def test_one_matching_record_is_enough(pki, leaf, chain):
    stale = TLSA.from_cert(pki.leaf((HOST,), key_label="old").cert)
    current = TLSA.from_cert(leaf.cert)
    assert not verify_chain([stale], chain, [HOST], NOW).ok
    both = verify_chain([stale, current], chain, [HOST], NOW)
    assert both.ok and both.matched == (current, 0)


def test_no_records_is_an_error_not_a_verdict(chain):
    with pytest.raises(DaneError, match="does not apply"):
        verify_chain([], chain, [HOST])


# -- DNSSEC outcomes in the lab, and what the sender does ---------------------------------

@pytest.mark.parametrize("host,status,action", [
    ("mx1.example.com", "secure", dane.AUTHENTICATED),
    ("mx.dane-only.example", "secure", dane.AUTHENTICATED),
    ("mx.dane-insecure.example", "insecure", dane.NO_DANE),
    ("mx.opportunistic.example", "insecure", dane.NO_DANE),
    ("mx.dnssec-bogus.example", "bogus", dane.DEFER),
    ("mx.dane-rollover.example", "secure", dane.DEFER),
])
def test_lookup_and_sender_action_in_the_lab(lab, host, status, action):
    lookup = dane.lookup_tlsa(host, lab.net)
    assert lookup.status == status
    served = [lab.certificate(host).cert, lab.pki.issuing.cert]
    result = verify_chain(lookup.records, served, [host]) if lookup.records else None
    decision = dane.sender_action(lookup, result)
    assert decision.action == action, decision
    if status == "bogus":
        assert lookup.records == () and "never treat that as 'no TLSA'" in lookup.reason
        assert decision.failure == "dnssec-invalid"
    if host == "mx.dane-rollover.example":
        assert decision.failure == "tlsa-invalid"


def test_secure_absence_of_tlsa_is_no_dane(lab):
    lookup = dane.lookup_tlsa("ns1.example.com", lab.net)
    assert lookup.status == "secure" and lookup.records == ()
    assert dane.sender_action(lookup).action == dane.NO_DANE


def test_cname_base_name_is_tried_first(lab):
    """RFC 7672 §2.2.3: an MX name that is a CNAME: TLSA at the target first."""
    lab.set_records("example.com", "alias.example.com", "CNAME", ["mx2.example.com."])
    lookup = dane.lookup_tlsa("alias.example.com", lab.net)
    assert lookup.status == "secure" and lookup.base_name == "mx2.example.com"
    assert lookup.records[0].matches(lab.certificate("mx2.example.com").cert)


def test_starttls_missing_or_all_unusable(lab):
    lookup = dane.lookup_tlsa("mx1.example.com", lab.net)
    assert dane.sender_action(lookup, None, starttls=False).action == dane.DEFER
    unusable = verify_chain(["1 1 1 " + "00" * 32], [lab.certificate("mx1.example.com").cert],
                            ["mx1.example.com"])
    assert dane.sender_action(lookup, unusable).action == dane.ENCRYPTED_ONLY


def test_forged_answers_are_bogus_in_signed_zones_and_invisible_in_unsigned(lab):
    lab.forge_records("example.com", "_25._tcp.mx1.example.com", "TLSA", ["3 1 1 " + "ee" * 32])
    forged = dane.lookup_tlsa("mx1.example.com", lab.net)
    assert forged.status == "bogus" and forged.records == ()
    lab.forge_records("opportunistic.example", "opportunistic.example", "MX",
                      ["10 mx.attacker.example."])
    mx = lab.net.resolver().resolve("opportunistic.example", "MX")
    assert mx[0].exchange.to_text() == "mx.attacker.example."
    lab.reset()
    assert dane.lookup_tlsa("mx1.example.com", lab.net).status == "secure"


def test_renewal_table(pki):
    host = "mx.r.example"
    table = dane.renewal_table(pki.leaf((host,)).cert, pki.leaf((host,), generation=1).cert,
                               pki.leaf((host,), key_label="new").cert, pki.issuing.cert)
    survives = {(r.record.usage, r.record.selector): (r.same_key, r.new_key) for r in table.rows}
    assert survives[(3, 0)] == (False, False) and survives[(3, 1)] == (True, False)
    assert survives[(2, 0)] == survives[(2, 1)] == (True, True)
    assert len(table.rows) == 12 and "BROKEN" in str(table) and "<table>" in table._repr_html_()


def test_chain_of_trust_figure(lab):
    from helpers import figures

    fig = figures.chain_of_trust(dane.lookup_tlsa("mx.dnssec-bogus.example", lab.net))
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any(t.startswith("BOGUS") for t in texts) and "bogus" in fig.axes[0].get_title()


def test_dane_ta_rejects_a_chain_through_a_certificate_that_is_not_a_ca(pki, chain):
    """Anyone with an ordinary certificate from the named CA must not be able to
    issue one for the MX (basicConstraints, RFC 5280 §4.2.1.9)."""
    from cryptography import x509 as cx509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    attacker = pki.leaf(("www.attacker.example",))  # a real leaf of the lab's CA
    name = cx509.Name([cx509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    forged = (cx509.CertificateBuilder().subject_name(name).issuer_name(attacker.cert.subject)
              .public_key(attacker.key.public_key()).serial_number(7)
              .not_valid_before(NOW - dt.timedelta(days=1))
              .not_valid_after(NOW + dt.timedelta(days=30))
              .add_extension(cx509.SubjectAlternativeName([cx509.DNSName(HOST)]), False)
              .sign(attacker.key, hashes.SHA256()))
    for record in (TLSA.from_cert(pki.issuing.cert, usage=2),
                   TLSA.from_cert(pki.issuing.cert, usage=2, selector=1, matching_type=0)):
        result = verify_chain([record], [forged, attacker.cert, pki.issuing.cert], [HOST], NOW)
        assert not result.ok and "not a CA certificate" in result.checked[-1]
    assert verify_chain([TLSA.from_cert(pki.issuing.cert, usage=2)], chain, [HOST], NOW).ok


def test_a_bare_key_record_of_an_unknown_algorithm_is_just_no_match(leaf, chain):
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    spki = leaf.key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    # Replace the algorithm OID (id-ecPublicKey, 1.2.840.10045.2.1) with 1.2.3.4.5.6.7.
    odd = spki.replace(bytes.fromhex("06072a8648ce3d0201"), bytes.fromhex("06062a0304050607") + b"\x00")
    result = verify_chain([TLSA(2, 1, 0, odd)], chain, [HOST], NOW)
    assert not result.ok and not result.all_unusable


@pytest.mark.parametrize("text", ["3 1 1" + " " * 20000 + "zz", "3 1 1 " + " " * 20000 + "x"])
def test_long_malformed_input_does_not_hang(text):
    """A regular expression with overlapping spaces once took minutes here."""
    import time

    start = time.process_time()
    with pytest.raises(DaneError):
        TLSA.parse(text)
    assert time.process_time() - start < 2


def test_only_ascii_digits_and_hex():
    with pytest.raises(DaneError, match="is not"):
        TLSA.parse("٣ ١ ١ " + "ab" * 32)  # Arabic-Indic digits
    assert TLSA.parse("3 1 1 " + "ab" * 50000).data == b"\xab" * 50000
