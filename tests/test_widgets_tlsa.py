"""The TLSA calculator of notebook 04, on the lab's certificates."""

from __future__ import annotations

import pytest

from helpers import dane
from helpers.dane import TLSA
from helpers.widgets.tlsa_calculator import ISSUER, SERVER, tlsa_calculator


@pytest.fixture
def certs(lab):
    pki = lab.pki
    return (pki.leaf(("mx1.example.com",)).cert,
            pki.issuing.cert,
            pki.leaf(("mx1.example.com",), generation=1).cert,
            pki.leaf(("mx1.example.com",), key_label="mx1.example.com#2").cert)


def test_default_is_3_1_1_and_survives_only_a_same_key_renewal(certs):
    calc = tlsa_calculator(*certs)
    record = calc.calculation.record
    assert str(record) == str(TLSA.from_cert(certs[0], 3, 1, 1))
    assert f"_25._tcp.mx1.example.com. IN TLSA 3 1 1 {record.data.hex()}" in calc.record.value
    c = calc.calculation
    assert (c.now, c.same_key, c.new_key) == (True, True, False)


def test_choices_agree_with_the_renewal_table(certs):
    table = dane.renewal_table(*certs[:1], certs[2], certs[3], certs[1])
    calc = tlsa_calculator(*certs)
    for row in table.rows:
        calc.certificate.value = SERVER if row.record.usage == 3 else ISSUER
        calc.usage.value = row.record.usage
        calc.selector.value = row.record.selector
        calc.matching_type.value = row.record.matching_type
        c = calc.calculation
        assert c.record == row.record
        assert (c.same_key, c.new_key) == (row.same_key, row.new_key), row.record.mnemonic
        assert c.record.data.hex()[:16] in calc.record.value


def test_a_full_certificate_record_breaks_on_any_renewal(certs):
    calc = tlsa_calculator(*certs)
    calc.selector.value = 0  # the whole certificate, not just the key
    c = calc.calculation
    assert (c.now, c.same_key, c.new_key) == (True, False, False)
    assert "does NOT match" in calc.record.value


def test_pkix_usages_are_unusable_for_smtp(certs):
    calc = tlsa_calculator(*certs)
    calc.usage.value = 1
    assert "RFC 7672 §3.1.3" in calc.record.value
    assert calc.calculation.now is False


def test_issuer_record_with_ee_usage_does_not_match(certs):
    calc = tlsa_calculator(*certs)
    calc.certificate.value = ISSUER  # 3 1 1 of the CA: names a key the server does not have
    assert calc.calculation.now is False
    calc.usage.value = 2
    assert (calc.calculation.now, calc.calculation.new_key) == (True, True)


def test_without_renewals_only_today_is_judged(certs):
    calc = tlsa_calculator(certs[0], certs[1])
    assert calc.calculation.same_key is None
    assert "renewal" not in str(calc)
    assert "TLSA calculator" in calc._repr_html_()
