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
    assert "RFC 8460 §4.3" in str(e.value) and "years 1 to 9999" in str(e.value)


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
    assert e.value.where == field and "RFC 8460 §4.3" in str(e.value)
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
