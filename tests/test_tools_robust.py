"""The course's tools facing hostile input (issue 19, items 11 and 12): TLS
reports with extreme dates, deep MIME nesting and huge counts; record sets
that DNS software refuses; a lab that stays unchanged after a refused domain.
Each bad input is a clear error naming the field and the RFC rule."""

from __future__ import annotations

import copy
import json
from datetime import date, datetime, timezone

import pytest

from helpers import tlsrpt
from helpers.tlsrpt import TlsRptError, parse_report

RFC_REPORT = {
    "organization-name": "Company-X",
    "date-range": {"start-datetime": "2016-04-01T00:00:00Z",
                   "end-datetime": "2016-04-01T23:59:59Z"},
    "contact-info": "sts-reporting@company-x.example",
    "report-id": "5065427c-23d3-47ca-b6e0-946ea0e8c4be",
    "policies": [{
        "policy": {"policy-type": "sts", "policy-string": ["version: STSv1", "mode: testing"],
                   "policy-domain": "company-y.example", "mx-host": ["*.mail.company-y.example"]},
        "summary": {"total-successful-session-count": 5326, "total-failure-session-count": 303},
        "failure-details": [{"result-type": "certificate-expired",
                             "failed-session-count": 100}]}],
}


def _report(change) -> str:
    data = copy.deepcopy(RFC_REPORT)
    change(data)
    return json.dumps(data)


# -- item 11: tlsrpt.parse_report and the report chart ------------------------------------------

@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_a_date_that_leaves_the_calendar_in_utc_is_a_tlsrpt_error(when):
    with pytest.raises(TlsRptError) as e:
        parse_report(_report(lambda d: d["date-range"].update({"start-datetime": when})))
    assert e.value.where == "date-range.start-datetime"
    assert "RFC 8460 §4" in str(e.value) and "years 1 to 9999" in str(e.value)


def _nested_email(depth: int) -> bytes:
    head = ("From: reports@sender.example\r\nSubject: Report\r\nMIME-Version: 1.0\r\n"
            "Content-Type: multipart/report; report-type=tlsrpt; boundary=b0\r\n\r\n")
    body = "".join(f"--b{i}\r\nContent-Type: multipart/mixed; boundary=b{i + 1}\r\n\r\n"
                   for i in range(depth))
    body += (f"--b{depth}\r\nContent-Type: application/tlsrpt+json\r\n\r\n"
             f"{json.dumps(RFC_REPORT)}\r\n--b{depth}--\r\n")
    return (head + body).encode()


@pytest.mark.parametrize("depth", [20, 2000])
def test_deeply_nested_mime_parts_are_a_tlsrpt_error(depth):
    with pytest.raises(TlsRptError) as e:
        parse_report(_nested_email(depth))
    assert e.value.where == "email" and "nested" in str(e.value)
    assert "RFC 8460 §5.3" in str(e.value)


def test_a_report_nested_a_little_still_reads():
    assert parse_report(_nested_email(2)).organization == "Company-X"


def test_a_huge_session_count_is_a_tlsrpt_error_and_the_largest_allowed_draws():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from helpers.figures import report_chart
    field = "policies[0].summary.total-successful-session-count"
    with pytest.raises(TlsRptError) as e:
        parse_report(_report(lambda d: d["policies"][0]["summary"].update(
            {"total-successful-session-count": 10 ** 400})))
    assert e.value.where == field and "RFC 8460 §4" in str(e.value) and "2^53" in str(e.value)
    biggest = parse_report(_report(lambda d: d["policies"][0]["summary"].update(
        {"total-successful-session-count": 2 ** 53 - 1})))
    plt.close(report_chart(tlsrpt.aggregate([biggest])))
    # A report built in code, not parsed, with a count no chart can draw.
    policy = biggest.policies[0]
    huge = type(biggest)(biggest.organization, biggest.start, biggest.end, biggest.contact,
                         biggest.report_id, (type(policy)(policy.policy_type, policy.domain,
                                                          successful=10 ** 400),))
    with pytest.raises(TlsRptError, match="more than the chart can draw"):
        report_chart(tlsrpt.aggregate([huge]))


# -- item 12: publish.generate and lab.add_domain ----------------------------------------------

from helpers import publish  # noqa: E402
from helpers.lab import LabError  # noqa: E402

SHOP = "shop.example"


def _zone_loads(rs: publish.RecordSet) -> None:
    """Every line generate() returns, as dnspython reads a zone file."""
    import dns.zone
    text = f"$ORIGIN {rs.domain}.\n@ 300 IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n" \
           f"@ 300 IN NS ns1\nns1 300 IN A 127.0.0.1\n" + rs.zone_lines() + "\n"
    dns.zone.from_text(text, origin=rs.domain + ".", relativize=False, check_origin=True)


def test_a_long_rua_is_split_into_255_byte_strings_that_join_back(session_lab):
    import dns.rdata
    rua = "https://reports.shop.example/" + "r" * 300 + ",mailto:tls@" + SHOP
    rs = publish.generate(SHOP, [publish.MxHost("mx." + SHOP)], rua=rua)
    _zone_loads(rs)
    (rdata,) = rs.of(f"_smtp._tls.{SHOP}", "TXT")
    strings = dns.rdata.from_text("IN", "TXT", rdata).strings
    assert len(strings) == 2 and all(len(s) <= 255 for s in strings)
    assert tlsrpt.parse_record(b"".join(strings).decode()).rua[0].startswith("https://")


@pytest.mark.parametrize("args,field,rule", [
    (dict(domain="a" * 64 + ".example"), "domain", "RFC 1035 §2.3.4"),
    (dict(mx=[publish.MxHost("m" * 64 + "." + SHOP)]), "MX host", "RFC 1035 §2.3.4"),
    (dict(domain=("a" * 60 + ".") * 4 + "example"), "domain", "RFC 1035 §2.3.4"),
    (dict(policy_mx=["mx.shop.example\nmode: none"]), "policy_mx[0]", "RFC 8461 §3.2"),
    (dict(policy_mx=["*.shop.example", "x y"]), "policy_mx[1]", "RFC 8461 §3.2"),
    (dict(mode="testing\nmx: evil.example"), "mode", "RFC 8461 §5"),
    (dict(max_age="86400\nmode: none"), "max_age", "RFC 8461 §3.2"),
    (dict(rua="mailto:a@shop.example\n"), "rua", "RFC 8460 §3"),
    (dict(mx=[publish.MxHost("mx." + SHOP, preference=70000)]), "preference", "RFC 1035"),
])
def test_bad_input_names_the_field_and_the_rule(args, field, rule):
    call = dict(domain=SHOP, mx=[publish.MxHost("mx." + SHOP)]) | args
    with pytest.raises(publish.PublishError) as e:
        publish.generate(**call)
    assert field in str(e.value) and rule in str(e.value)


def test_the_policy_file_has_exactly_one_mode_line(session_lab):
    rs = publish.generate(SHOP, [publish.MxHost("mx." + SHOP)], mode="enforce",
                          policy_mx=["*.shop.example", "mx.backup.example"])
    assert rs.policy.count("mode:") == 1
    _zone_loads(rs)


def _snapshot(lab):
    from helpers.domain.gather import Network  # noqa: F401 (same class as lab.net's)
    answer = lab.net.query(SHOP, "NS", dnssec=False)
    return (lab.domains, sorted(lab.zones.specs), sorted(lab.receivers),
            sorted(lab.net.hosts), answer.rcode())


@pytest.mark.parametrize("extra", [
    ("x" * 64 + "." + SHOP, "TXT", '"a"'),               # a label over 63 characters
    ("t." + SHOP, "TXT", '"' + "a" * 300 + '"'),        # a string over 255 bytes
    ("t." + SHOP, "MX", "ten mx.shop.example."),        # not a preference
    ("t." + SHOP, "TLSA", "3 1 1 zz"),                  # not hex
])
def test_add_domain_refuses_a_set_dns_would_refuse_and_changes_nothing(lab, extra):
    good = publish.generate(SHOP, [publish.MxHost("mx." + SHOP)])
    bad = publish.RecordSet(good.domain, good.records + (extra,), good.policy, good.sts_id)
    before = _snapshot(lab)
    with pytest.raises(LabError) as e:
        lab.add_domain(bad)
    assert "nothing changed" in str(e.value) and "RFC" in str(e.value)
    assert _snapshot(lab) == before
    lab.add_domain(good)  # and the good set still deploys
    assert SHOP in lab.domains


def test_generated_sets_load_in_a_zone_file_whatever_the_rua():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=40, derandomize=True, deadline=None)
    @given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-._~/%", min_size=150,
                   max_size=600))
    def check(path):
        rua = f"https://r.shop.example/{path}"
        try:
            rs = publish.generate(SHOP, [publish.MxHost("mx." + SHOP)], rua=rua)
        except publish.PublishError as e:
            assert "RFC" in str(e)
            return
        _zone_loads(rs)

    check()
