"""MTA-STS over the lab's real DNS and HTTPS servers."""

from __future__ import annotations

import pytest

from helpers import mtasts
from helpers.mtasts import FetchError, MtaStsError


def test_fetch_example_com(lab):
    p = mtasts.fetch_policy("example.com", lab.net)
    assert (p.mode, p.max_age, p.mx) == ("enforce", 604800, ("mx1.example.com", "mx2.example.com"))
    assert lab.https.requests[-1] == ("mta-sts.example.com", "/.well-known/mta-sts.txt", 200)


def test_lookup_record(lab):
    assert mtasts.lookup_record("example.com", lab.net).id == "20260613T120000"
    with pytest.raises(MtaStsError, match="does not exist"):
        mtasts.lookup_record("opportunistic.example", lab.net)
    lab.set_records("example.com", "_mta-sts.example.com", "TXT",
                    ['"v=STSv1; id=1;"', '"v=STSv1; id=2;"'])
    with pytest.raises(MtaStsError, match="2 records"):
        mtasts.lookup_record("example.com", lab.net)


@pytest.mark.parametrize("changes,kind,words,rpt", [
    ({"status": 301, "location": "https://elsewhere.example/p"}, "redirect",
     "must not be followed", "sts-policy-fetch-error"),
    ({"status": 302, "location": "/other"}, "redirect", "redirect", "sts-policy-fetch-error"),
    ({"status": 404}, "http-status", "only 200 counts", "sts-policy-fetch-error"),
    ({"status": 500}, "http-status", "HTTP 500", "sts-policy-fetch-error"),
    ({"content_type": "text/html"}, "content-type", "not text/plain", "sts-policy-fetch-error"),
    ({"body": b"x" * 70_000}, "too-large", "limit is 65536", "sts-policy-fetch-error"),
    ({"body": b"version: STSv1\nmode: enforce\nmax_age: 1\n"}, "invalid", "mx",
     "sts-policy-invalid"),
    ({"delay": 3}, "timeout", "did not answer within", "sts-policy-fetch-error"),
])
def test_each_fetch_failure_is_distinct_and_explained(lab, changes, kind, words, rpt):
    lab.set_policy_answer("example.com", **changes)
    with pytest.raises(FetchError, match=words) as e:
        mtasts.fetch_policy("example.com", lab.net, timeout=1)
    assert e.value.kind == kind and e.value.tlsrpt_result_type == rpt
    assert "RFC 8461 §3" in str(e.value)


def test_charset_parameter_is_allowed(lab):
    lab.set_policy_answer("example.com", content_type="Text/Plain; charset=utf-8")
    assert mtasts.fetch_policy("example.com", lab.net).mode == "enforce"


def test_certificate_for_another_name_is_refused(lab):
    with pytest.raises(FetchError) as e:
        mtasts.fetch_policy("sts-bad-policy-cert.example", lab.net)
    assert e.value.kind == "tls-name" and e.value.tlsrpt_result_type == "sts-webpki-invalid"


def test_untrusted_certificate_is_refused(lab, tmp_path):
    """A trust store without the lab's root (another lab's CA): no chain verifies."""
    from dataclasses import replace

    from helpers.lab.pki import PKI

    other_ca = tmp_path / "other-ca.pem"
    other_ca.write_bytes(PKI(99).ca_pem)
    with pytest.raises(FetchError) as e:
        mtasts.fetch_policy("example.com", replace(lab.net, ca_file=str(other_ca)))
    assert e.value.kind == "tls-untrusted" and "unable to get local issuer" in str(e.value)


def test_no_policy_host(lab):
    with pytest.raises(FetchError) as e:
        mtasts.fetch_policy("opportunistic.example", lab.net)
    assert e.value.kind == "connect"


def test_discover(lab):
    d = mtasts.discover("sts-mx-mismatch.example", lab.net)
    assert d.mx == ((10, "mx.eu.sts-mx-mismatch.example", False),)
    assert "not allowed" in d.verdict
    d = mtasts.discover("example.com", lab.net)
    assert [ok for _, _, ok in d.mx] == [True, True] and "every MX" in d.verdict
    assert "no valid _mta-sts record" in mtasts.discover("no-tls.example", lab.net).verdict
    bad = mtasts.discover("sts-bad-policy-cert.example", lab.net)
    assert bad.policy is None and "not valid for that name" in bad.policy_error
    assert "<script>" not in bad._repr_html_()


def test_cache_over_the_lab_with_a_policy_changed_without_a_new_id(lab):
    """sts-stale-id.example moves its MX and its policy, keeping the TXT id: a
    sender's cache keeps the old policy, so the new MX is refused until expiry."""
    clock = mtasts.ManualClock()
    cache = mtasts.PolicyCache(clock=clock)
    domain = "sts-stale-id.example"

    def visit():
        record = mtasts.lookup_record(domain, lab.net)
        return cache.update(domain, record.id, lambda: mtasts.fetch_policy(domain, lab.net))

    first = visit()
    assert first.action == "fetched" and first.policy.matches("mx1.sts-stale-id.example")
    lab.apply_change(domain)
    clock.advance(3600)
    second = visit()
    assert second.action == "cached" and not second.policy.matches("mx2.sts-stale-id.example")
    assert mtasts.fetch_policy(domain, lab.net).matches("mx2.sts-stale-id.example")
    clock.advance(first.policy.max_age)
    third = visit()
    assert third.action == "fetched" and third.policy.matches("mx2.sts-stale-id.example")
