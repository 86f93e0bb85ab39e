"""TLS-RPT aggregate reports (RFC 8460 §4, §5.3): parsing every wrapping, the
samples in data/, provider variants, errors that say where, round trips, fuzzing."""

from __future__ import annotations

import copy
import gzip
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.tlsrpt import (RESULT_TYPES, Failure, PolicyReport, Report, TlsRptError,
                            parse_report, report_email)

DATA = Path(__file__).resolve().parent.parent / "data"
RFC = json.loads((DATA / "tlsrpt-rfc8460-example.json").read_text())


def test_the_rfc_example_field_by_field():
    r = parse_report((DATA / "tlsrpt-rfc8460-example.json").read_text())
    assert (r.organization, r.contact, r.report_id) == (
        "Company-X", "sts-reporting@company-x.example", "5065427c-23d3-47ca-b6e0-946ea0e8c4be")
    assert r.start == datetime(2016, 4, 1, tzinfo=timezone.utc)
    assert r.end == datetime(2016, 4, 1, 23, 59, 59, tzinfo=timezone.utc)
    (p,) = r.policies
    assert (p.policy_type, p.domain, p.mx_hosts) == ("sts", "company-y.example",
                                                     ("*.mail.company-y.example",))
    assert p.policy_strings[1] == "mode: testing"
    assert (p.successful, p.failed) == (5326, 303)
    assert [(f.result_type, f.count) for f in p.failures] == [
        ("certificate-expired", 100), ("starttls-not-supported", 200), ("validation-failure", 3)]
    assert p.failures[1].receiving_ip == "203.0.113.56"
    assert p.failures[1].additional_information.endswith("#StarttlsNotSupported")
    assert p.failures[0].receiving_ip is None and p.failures[0].receiving_mx_helo is None
    assert p.failures[2].failure_reason_code == "X509_V_ERR_PROXY_PATH_LENGTH_EXCEEDED"
    assert any("failure-error-code" in n for n in r.notes)
    assert any("a string where the schema has a list" in n for n in r.notes)


def test_every_wrapping_of_the_same_report_reads_the_same():
    plain = parse_report((DATA / "tlsrpt-provider-a.json.gz").read_bytes())
    mail = parse_report((DATA / "tlsrpt-provider-a.eml").read_bytes())
    assert plain == mail
    assert (plain.organization, plain.successful, plain.failed) == ("Mailbox Provider A", 1412, 0)
    assert plain.policies[0].failures == ()
    as_text = gzip.decompress((DATA / "tlsrpt-provider-a.json.gz").read_bytes()).decode()
    assert parse_report(as_text) == parse_report(as_text.encode()) == plain


def test_provider_variants_are_read_and_noted():
    r = parse_report((DATA / "tlsrpt-provider-b.json").read_bytes())
    sts, none = r.policies
    assert sts.mx_hosts == ("*.example.com",)
    assert none.policy_type == "no-policy-found" and none.policy_strings == ()
    first, second = sts.failures
    assert first.receiving_mx_helo is None and first.additional_information is None  # ""
    assert second.failure_reason_code == "X509_V_ERR_CERT_HAS_EXPIRED"
    assert r.end - r.start == timedelta(days=1)
    assert {n.split("'")[1] for n in r.notes} == {"additional-info-uri", "failure-error-code",
                                                  "mx-host-pattern"}


def test_the_email_headers_of_section_5_3():
    raw = (DATA / "tlsrpt-provider-a.eml").read_bytes().decode("ascii")
    assert 'multipart/report; report-type="tlsrpt"' in raw
    assert "TLS-Report-Domain: example.com" in raw
    assert "TLS-Report-Submitter: provider-a.example" in raw
    assert "Subject: Report Domain: example.com Submitter: provider-a.example" in raw
    assert "application/tlsrpt+gzip" in raw and "\r\n" in raw


def test_an_email_as_providers_label_it_is_accepted_with_a_note():
    r = parse_report(RFC_JSON())
    mail = report_email(r, "tlsrpt@example.com", submitter="x.example").replace(
        b"application/tlsrpt+gzip", b"application/gzip")
    again = parse_report(mail)
    assert again == r and any("application/gzip" in n for n in again.notes)


def RFC_JSON() -> str:
    return json.dumps(RFC)


def test_round_trip_of_every_sample():
    for f in sorted(DATA.glob("tlsrpt-*")):
        r = parse_report(f.read_bytes())
        again = parse_report(r.to_json())
        assert again == r and again.notes == ()  # to_json writes the schema's names
        assert parse_report(r.to_gzip()) == r


def _broken(change) -> str:
    data = copy.deepcopy(RFC)
    change(data)
    return json.dumps(data)


@pytest.mark.parametrize("change,where,words", [
    (lambda d: d.pop("organization-name"), "organization-name", "required but missing"),
    (lambda d: d.pop("report-id"), "report-id", "required but missing"),
    (lambda d: d.pop("date-range"), "date-range", "required but missing"),
    (lambda d: d["date-range"].update({"start-datetime": "2016-04-01"}),
     "date-range.start-datetime", "has no time zone"),
    (lambda d: d["date-range"].update({"start-datetime": "yesterday"}),
     "date-range.start-datetime", "not an RFC 3339 date-time"),
    (lambda d: d["date-range"].update({"start-datetime": "2016-04-02T00:00:00Z"}),
     "date-range", "ends (2016-04-01T23:59:59Z) before it starts"),
    (lambda d: d.update({"policies": {}}), "policies", "must be a list"),
    (lambda d: d["policies"][0]["policy"].update({"policy-type": "dmarc"}),
     "policies[0].policy.policy-type", "not one of sts, tlsa, no-policy-found"),
    (lambda d: d["policies"][0].pop("summary"), "policies[0].summary", "required"),
    (lambda d: d["policies"][0]["summary"].update({"total-failure-session-count": "303"}),
     "policies[0].summary.total-failure-session-count", "whole number, not a string"),
    (lambda d: d["policies"][0]["summary"].update({"total-successful-session-count": -1}),
     "policies[0].summary.total-successful-session-count", "negative"),
    (lambda d: d["policies"][0]["failure-details"][1].pop("failed-session-count"),
     "policies[0].failure-details[1].failed-session-count", "required"),
    (lambda d: d["policies"][0]["failure-details"][2].update({"sending-mta-ip": "mx.example"}),
     "policies[0].failure-details[2].sending-mta-ip", "not an IP address"),
    (lambda d: d["policies"][0]["failure-details"][0].update({"result-type": ""}),
     "policies[0].failure-details[0].result-type", "not a result type"),
    (lambda d: d["policies"][0]["policy"].update({"mx-host": [1, 2]}),
     "policies[0].policy.mx-host", "list of strings"),
])
def test_invalid_reports_say_where_and_why(change, where, words):
    with pytest.raises(TlsRptError) as e:
        parse_report(_broken(change))
    assert e.value.where == where and words in str(e.value) and "RFC 8460 §4" in str(e.value)


def test_unknown_fields_and_result_types_are_kept_with_a_note():
    def change(d):
        d["x-vendor"] = 1
        d["policies"][0]["failure-details"][0]["result-type"] = "future-failure"
    r = parse_report(_broken(change))
    assert r.policies[0].failures[0].result_type == "future-failure"
    assert any("x-vendor" in n for n in r.notes) and any("future-failure" in n for n in r.notes)


@pytest.mark.parametrize("data,words", [
    (b"", "neither JSON, gzip-compressed JSON nor an RFC 5322 email"),
    (b"hello", "neither JSON"),
    (b"{", "not valid JSON"),
    (b"[1, 2]", "report: must be a JSON object"),
    ("[]", "must be a JSON object"),
    (b"{\"a\": \xff}", "not UTF-8"),
    (b"\x1f\x8b\x08\x00garbage", "gzip data is damaged"),
    (gzip.compress(b"\x00" * (21 * 1024 * 1024)), "inflates to more than"),
    (b"Subject: hi\r\n\r\nno report here\r\n", "has no report attached"),
    (b"Content-Type: multipart/report; report-type=tlsrpt; boundary=b\r\n\r\n--b\r\n"
     b"Content-Type: application/tlsrpt+gzip\r\nContent-Transfer-Encoding: base64\r\n\r\n"
     b"e30=\r\n--b--\r\n", "labelled gzip but is not gzip"),
    (3, "give the report as bytes or text"),
])
def test_what_is_not_a_report_is_an_error(data, words):
    with pytest.raises(TlsRptError, match=words):
        parse_report(data)


# -- fuzzing -------------------------------------------------------------------------

_label = st.from_regex(r"[a-z][a-z0-9]{0,8}", fullmatch=True)
_domain = st.builds(lambda a, b: f"{a}.{b}", _label, st.sampled_from(["example", "test"]))
_text = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=20)
_opt = st.one_of(st.none(), _text)
_ip = st.one_of(st.none(), st.ip_addresses().map(str))
_when = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1),
                     timezones=st.just(timezone.utc))

_failures = st.builds(Failure, st.sampled_from(RESULT_TYPES), st.integers(0, 10**9), _ip, _opt,
                      _opt, _ip, _opt, _opt)
_policies = st.builds(
    PolicyReport, st.sampled_from(["sts", "tlsa", "no-policy-found"]), _domain,
    st.lists(_text, max_size=4).map(tuple), st.lists(_domain, max_size=3).map(tuple),
    st.integers(0, 10**9), st.integers(0, 10**9), st.lists(_failures, max_size=4).map(tuple))


@st.composite
def _reports(draw):
    start = draw(_when)
    end = start + draw(st.timedeltas(timedelta(0), timedelta(days=7)))
    return Report(draw(_text), start, end, draw(st.text(max_size=30)), draw(_text),
                  tuple(draw(st.lists(_policies, max_size=3))))


@settings(max_examples=150, deadline=None)
@given(_reports())
def test_fuzz_to_json_then_parse_is_identity(report):
    assert parse_report(report.to_json()) == report
    assert parse_report(report.to_gzip()) == report
    mail = report_email(report, "tlsrpt@example.com", submitter="sender.example")
    assert parse_report(mail) == report


def _mutations():
    leaf = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=5),
                     st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3),
                                                                          st.integers(), max_size=2))
    return st.lists(st.tuples(st.integers(0, 10**6), leaf, st.booleans()), min_size=1, max_size=4)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, prefix + (i,))


@settings(max_examples=300, deadline=None)
@given(_mutations())
def test_fuzz_mutated_reports_parse_or_raise_tlsrpt_error(mutations):
    data = copy.deepcopy(RFC)
    for index, value, delete in mutations:
        paths = [p for p in _paths(data) if p]
        path = paths[index % len(paths)]
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        if delete:
            del parent[path[-1]]
        else:
            parent[path[-1]] = value
    try:
        r = parse_report(json.dumps(data))
    except TlsRptError as e:
        assert "RFC 8460 §" in str(e)
    else:
        assert parse_report(r.to_json()) == r


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=300), st.text(max_size=300),
                 st.binary(max_size=200).map(lambda b: gzip.compress(b, mtime=0)),
                 st.binary(max_size=200).map(
                     lambda b: b"Content-Type: multipart/report; boundary=b\r\n\r\n--b\r\n"
                               b"Content-Type: application/tlsrpt+json\r\n\r\n" + b + b"\r\n--b--")))
def test_fuzz_any_input_parses_or_raises_tlsrpt_error(data):
    try:
        parse_report(data)
    except TlsRptError as e:
        assert "RFC 8460 §" in str(e)


def test_untrusted_text_is_escaped_in_html():
    def change(d):
        d["organization-name"] = "<script>alert(1)</script>"
        d["policies"][0]["failure-details"][0]["receiving-mx-hostname"] = "<b>mx</b>"
    r = parse_report(_broken(change))
    page = r._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page and "<b>mx</b>" not in page
    assert "<script>alert(1)</script>" in str(r)  # plain text stays as sent
    from helpers.tlsrpt import parse_record
    record = parse_record("v=TLSRPTv1; rua=mailto:a@x.example; x=<img>")
    assert "<img>" not in record._repr_html_()


def test_control_and_bidi_characters_are_shown_escaped_but_kept_in_the_data():
    def change(d):
        d["organization-name"] = "Org\u202eevil"
        d["report-id"] = "id\x1b[31m"
        d["contact-info"] = "a\u200b@x.example"
        d["policies"][0]["failure-details"][0]["receiving-mx-hostname"] = "mx\u2028.example"
    r = parse_report(_broken(change))
    for out in (str(r), r._repr_html_()):
        assert not any(c in out for c in "\u202e\x1b\u200b\u2028")
        assert "Org\\u202eevil" in out and "id\\x1b[31m" in out
        assert "a\\u200b@x.example" in out and "mx\\u2028.example" in out
    assert r.organization == "Org\u202eevil"
    assert json.loads(r.to_json())["organization-name"] == "Org\u202eevil"
