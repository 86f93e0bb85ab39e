"""TLS-RPT end to end in the lab: reports built from a real sender's sessions,
delivered by SMTP (§5.3) and HTTPS POST (§5.4) to the lab's receivers, read
back, aggregated and charted."""

from __future__ import annotations

import email
import email.policy
from datetime import date, datetime, timedelta, timezone

import pytest

from helpers import tlsrpt
from helpers.figures import report_chart
from helpers.sender import Sender
from hostile_servers import servers  # noqa: F401 (a fixture)

DAY = datetime(2026, 6, 1, tzinfo=timezone.utc)
END = DAY + timedelta(days=1, seconds=-1)
MESSAGE = "Subject: hello\r\n\r\nhello\r\n"


def _report(sender, domain="sts-testing.example"):
    entry = sender.cache.get(domain)
    return tlsrpt.build_report(sender.sessions, sender.failures, domain=domain, start=DAY,
                               end=END, organization="Test Sender", contact="rpt@sender.example",
                               sending_mta_ip="127.0.0.1",
                               sts_policy=entry.policy if entry else None)


def test_a_report_built_from_real_sessions_counts_what_happened(lab):
    sender = Sender(lab.net, "mta-sts")
    sender.send(MESSAGE, "a@sts-testing.example")  # fine
    lab.attack("mx.sts-testing.example", "strip")
    assert sender.send(MESSAGE, "b@sts-testing.example").delivered  # testing mode delivers
    lab.stop_attack()
    lab.set_certificate("mx.sts-testing.example", "expired")
    assert sender.send(MESSAGE, "c@sts-testing.example").delivered
    r = _report(sender)
    (p,) = r.policies
    assert (p.policy_type, p.domain, p.successful, p.failed) == ("sts", "sts-testing.example", 1, 2)
    assert p.policy_strings == ("version: STSv1", "mode: testing", "mx: mx.sts-testing.example",
                                "max_age: 86400")
    assert [(f.result_type, f.count, f.receiving_mx_hostname) for f in p.failures] == [
        ("certificate-expired", 1, "mx.sts-testing.example"),
        ("starttls-not-supported", 1, "mx.sts-testing.example")]
    assert tlsrpt.parse_report(r.to_json()) == r
    assert _report(sender).report_id == r.report_id  # the id derives from the contents


def test_enforce_failures_and_policy_fetch_errors(lab):
    sender = Sender(lab.net, "mta-sts")
    assert not sender.send(MESSAGE, "a@sts-expired.example").delivered
    (p,) = _report(sender, "sts-expired.example").policies
    assert (p.successful, p.failed, p.failures[0].result_type) == (0, 1, "certificate-expired")
    sender = Sender(lab.net, "mta-sts")
    sender.send(MESSAGE, "a@sts-bad-policy-cert.example")
    r = _report(sender, "sts-bad-policy-cert.example")
    kinds = {p.policy_type: p for p in r.policies}
    assert kinds["sts"].failures[0].result_type == "sts-webpki-invalid"
    assert kinds["sts"].failures[0].receiving_mx_hostname is None  # the policy host, not an MX
    assert kinds["sts"].failed == 1 and kinds["no-policy-found"].successful == 1


def test_dane_failures_are_tlsa_policies(lab):
    sender = Sender(lab.net, "dane")
    assert not sender.send(MESSAGE, "a@dane-rollover.example").delivered
    (p,) = tlsrpt.build_report(sender.sessions, sender.failures, domain="dane-rollover.example",
                               start=DAY, end=END, organization="o", contact="c").policies
    assert (p.policy_type, p.mx_hosts, p.failed) == ("tlsa", ("mx.dane-rollover.example",), 1)
    assert p.failures[0].result_type == "tlsa-invalid"


def test_build_report_refuses_naive_or_reversed_dates():
    with pytest.raises(tlsrpt.TlsRptError, match="time zone"):
        tlsrpt.build_report([], [], domain="x.example", start=datetime(2026, 1, 1), end=END,
                            organization="o", contact="c")
    with pytest.raises(tlsrpt.TlsRptError, match="ends before it starts"):
        tlsrpt.build_report([], [], domain="x.example", start=END, end=DAY,
                            organization="o", contact="c")


def test_delivery_by_mail_and_https_arrives_and_reads_back(lab):
    sender = Sender(lab.net, "mta-sts")
    sender.send(MESSAGE, "a@sts-testing.example")
    report = _report(sender)
    sink = lab.serve_reports()
    assert lab.serve_reports() is sink  # started once
    record = tlsrpt.parse_record("v=TLSRPTv1; rua=mailto:tlsrpt@sts-testing.example,"
                                 f"{sink.uri}")
    mailed, posted = tlsrpt.send_report(report, record, lab.net, submitter="sender.example")
    assert mailed.delivered and posted.delivered, (mailed, posted)
    (got,) = [m for m in lab.mailbox.messages if "tlsrpt@sts-testing.example" in m.rcpt_tos]
    assert got.host == "mx.sts-testing.example" and got.tls
    assert tlsrpt.parse_report(got.data) == report
    msg = email.message_from_bytes(got.data, policy=email.policy.default)
    assert msg.get_content_type() == "multipart/report"
    assert msg.get_param("report-type") == "tlsrpt"
    assert msg["TLS-Report-Domain"] == "sts-testing.example"
    assert msg["TLS-Report-Submitter"] == "sender.example"
    assert msg["Subject"] == (f"Report Domain: sts-testing.example Submitter: sender.example "
                              f"Report-ID: <{report.report_id}>")
    (attachment,) = [p for p in msg.iter_attachments()]
    assert attachment.get_content_type() == "application/tlsrpt+gzip"
    assert attachment.get_filename() == report.filename("sender.example")
    assert attachment.get_filename().startswith("sender.example!sts-testing.example!1780272000!")
    (post,) = lab.report_sink.posted
    assert (post.path, post.content_type, post.status) == (
        "/tlsrpt", "application/tlsrpt+gzip", 200)
    assert tlsrpt.parse_report(post.body) == report


def test_the_lab_record_sends_reports_to_the_mailbox(lab):
    record = tlsrpt.lookup_record("example.com", lab.net)
    report = tlsrpt.parse_report((tlsrpt_data("tlsrpt-provider-a.json.gz")).read_bytes())
    (sent,) = tlsrpt.send_report(report, record, lab.net)
    assert sent.delivered and "mx1.example.com over TLS" in sent.detail
    assert tlsrpt.collect(lab.mailbox, "tlsrpt@example.com", net=lab.net) == (report,)


def tlsrpt_data(name):
    from pathlib import Path
    return Path(__file__).resolve().parent.parent / "data" / name


def test_failed_deliveries_are_results_not_exceptions(lab):
    lab.serve_reports()
    report = tlsrpt.parse_report(tlsrpt_data("tlsrpt-provider-a.json.gz").read_bytes())
    record = tlsrpt.parse_record(
        "v=TLSRPTv1; rua=mailto:x@nowhere.example,https://reports.example.com/elsewhere,"
        "https://unknown.example/r,ftp://x.example/r")
    results = tlsrpt.send_report(report, record, lab.net, timeout=3)
    assert [s.delivered for s in results] == [False] * 4
    assert "no MX host" in results[0].detail
    assert "404" in results[1].detail
    assert "cannot find unknown.example" in results[2].detail
    assert "not mailto or https" in results[3].detail
    assert lab.report_sink.reports == ()


def test_the_endpoint_refuses_other_content_types(lab):
    import http.client
    import socket

    lab.serve_reports()
    address, port = lab.net.https_endpoint("reports.example.com")
    raw = socket.create_connection((address, port), timeout=5)
    with lab.net.ssl_context().wrap_socket(raw, server_hostname="reports.example.com") as tls:
        tls.sendall(b"POST /tlsrpt HTTP/1.1\r\nHost: reports.example.com\r\n"
                    b"Content-Type: text/html\r\nContent-Length: 2\r\n\r\n{}")
        response = http.client.HTTPResponse(tls)
        response.begin()
        assert response.status == 415
    assert lab.report_sink.reports == () and lab.report_sink.posted[0].status == 415


def test_certificate_change_is_undone_by_reset(lab):
    from helpers import smtp

    lab.set_certificate("mx.sts-testing.example", "expired")
    assert "expired" in smtp.probe("mx.sts-testing.example", lab.net).error
    lab.reset()
    assert smtp.probe("mx.sts-testing.example", lab.net).accepted
    with pytest.raises(Exception, match="not a lab MX host"):
        lab.set_certificate("www.example.com", "expired")
    with pytest.raises(Exception, match="no STARTTLS"):
        lab.set_certificate("mx.no-tls.example", "expired")


def test_the_week_shows_the_attack_and_the_expiry(lab):
    week = tlsrpt.simulate_week(lab)
    assert all(ok == n for d in week.days for _, ok, n in d.delivered)  # testing mode delivers
    assert all(s.delivered for d in week.days for _, sent in d.reports for s in sent)
    reports = tlsrpt.collect(lab.mailbox, "tlsrpt@sts-testing.example", net=lab.net)
    assert len(reports) == 21
    agg = tlsrpt.aggregate(reports)
    assert agg.days == tuple(date(2026, 6, d) for d in range(1, 8))
    per_type = agg.per_result_type()
    assert [per_type["starttls-not-supported"][d] for d in agg.days] == [0, 0, 4, 4, 0, 0, 0]
    assert [per_type["certificate-expired"][d] for d in agg.days] == [0, 0, 0, 0, 0, 4, 0]
    assert agg.worst_day("starttls-not-supported") == date(2026, 6, 3)
    assert agg.per_organization() == {"Big Provider": (16, 12), "Bulk Mail Co": (14, 0),
                                      "Careful Relay": (14, 0)}
    assert agg.per_mx() == {"mx.sts-testing.example": {"starttls-not-supported": 8,
                                                       "certificate-expired": 4}}
    assert agg.failure_rate(date(2026, 6, 3)) == 0.5 and agg.failure_rate() == 12 / 56
    fig = report_chart(agg)
    width_px = fig.get_size_inches()[0] * fig.dpi
    scale = min(1.0, 1024 / width_px)
    texts = [t for t in fig.findobj(lambda a: hasattr(a, "get_fontsize") and
                                    hasattr(a, "get_text")) if t.get_text().strip()]
    assert texts and min(t.get_fontsize() for t in texts) * scale >= 9
    labels = " ".join(t.get_text() for t in texts)
    assert "starttls-not-supported" in labels and "Big Provider" in labels


def test_a_trickling_https_endpoint_cannot_hold_the_post_past_its_timeout(lab, servers):
    # A per-read timeout restarts at each byte; the POST has one deadline in all.
    import time

    from hostile_servers import POLICY_HOST, Script, hostile_net

    servers[POLICY_HOST].reset(Script(stage="headers", mischief="trickle", trickle_delay=0.02))
    net = hostile_net(lab, servers, io_timeout=5.0)
    report = tlsrpt.parse_report(tlsrpt_data("tlsrpt-provider-a.json.gz").read_bytes())
    record = tlsrpt.parse_record(f"v=TLSRPTv1; rua=https://{POLICY_HOST}/tlsrpt")
    start = time.monotonic()
    (sent,) = tlsrpt.send_report(report, record, net, timeout=0.5)
    assert not sent.delivered and "did not answer within 0.5 s" in sent.detail, sent.detail
    assert time.monotonic() - start < 0.5 + 2.0


# -- DKIM on mailed reports (RFC 8460 §3) ------------------------------------------------

def _mail_raw(lab, data, to="tlsrpt@example.com"):
    """Put ``data`` in the lab mailbox the way a submitter would: SMTP to the MX."""
    from helpers import smtp
    result = smtp.deliver("mx1.example.com", lab.net, data, sender="x@sender.example",
                          recipients=[to], starttls=True, verify=False)
    assert result.accepted, result


def test_mailed_reports_carry_a_dkim_signature_the_processor_verifies(lab):
    report = tlsrpt.parse_report(tlsrpt_data("tlsrpt-provider-a.json.gz").read_bytes())
    tlsrpt.send_report(report, tlsrpt.lookup_record("example.com", lab.net), lab.net)
    ((got, verdict),) = tlsrpt.screen(lab.mailbox, "tlsrpt@example.com", lab.net)
    signature = email.message_from_bytes(got.data)["DKIM-Signature"]
    tags = dict(t.strip().split("=", 1) for t in "".join(signature.split()).split(";"))
    assert tags["d"] == "sender.example" and tags["s"] == "tlsrpt" and "l" not in tags
    assert verdict.ok and verdict.domain == "sender.example", verdict
    # The key is published, DNSSEC-signed, with the service type §3 asks for.
    from helpers import dnssec
    key = dnssec.resolve("tlsrpt._domainkey.sender.example", "TXT", lab.net)
    assert key.status == "secure" and "s=tlsrpt" in "".join(key.records)


def test_unsigned_forged_and_foreign_report_mail_is_ignored_with_a_reason(lab):
    from helpers.tlsrpt import dkim
    report = tlsrpt.parse_report(tlsrpt_data("tlsrpt-provider-a.json.gz").read_bytes())
    unsigned = tlsrpt.report_email(report, "tlsrpt@example.com", submitter="sender.example")
    signed = dkim.sign(unsigned, "sender.example", lab.net.dkim_keys["sender.example"])
    tampered = signed.replace(b"This is an aggregate", b"This is a forged one")
    foreign = dkim.sign(unsigned, "bulkmail.example", lab.net.dkim_keys["bulkmail.example"])
    for data in (unsigned, tampered, foreign, signed):
        _mail_raw(lab, data)
    verdicts = [v for _, v in tlsrpt.screen(lab.mailbox, "tlsrpt@example.com", lab.net)]
    assert [v.ok for v in verdicts] == [False, False, False, True], verdicts
    assert "no DKIM signature" in verdicts[0].reason and "MUST be ignored" in verdicts[0].reason
    assert "does not verify" in verdicts[1].reason
    assert "not by the reporting domain 'sender.example'" in verdicts[2].reason
    # A submitter without a key still delivers, and says the mail is unsigned.
    record = tlsrpt.parse_record("v=TLSRPTv1; rua=mailto:tlsrpt@example.com")
    (sent,) = tlsrpt.send_report(report, record, lab.net, submitter="nokey.example")
    assert sent.delivered and "not DKIM-signed" in sent.detail, sent
    # Only the one validly signed report is read.
    assert tlsrpt.collect(lab.mailbox, "tlsrpt@example.com", net=lab.net) == (report,)


def test_a_signature_whose_key_record_is_bogus_is_not_trusted(lab):
    from helpers.tlsrpt import dkim
    report = tlsrpt.parse_report(tlsrpt_data("tlsrpt-provider-a.json.gz").read_bytes())
    data = dkim.sign(tlsrpt.report_email(report, "tlsrpt@example.com", submitter="sender.example"),
                     "sender.example", lab.net.dkim_keys["sender.example"])
    # An on-path DNS attacker answers with its own key, unsigned by the zone: bogus.
    from helpers.lab.pki import private_key
    lab.forge_records("sender.example", "tlsrpt._domainkey.sender.example", "TXT",
                      [dkim.txt_strings(dkim.key_record(private_key(9, "other", "rsa")))])
    verdict = dkim.verify(data, lab.net)
    assert not verdict.ok and "is bogus (DNSSEC" in verdict.reason, verdict
    lab.reset()  # the forgery is gone, the genuine key verifies again
    assert dkim.verify(data, lab.net).ok


def test_names_from_report_mail_are_shown_escaped(lab):
    # d= and TLS-Report-Submitter come from whoever sent the mail.
    from helpers.tlsrpt import dkim
    mail = (b"From: a@x.example\r\nTLS-Report-Submitter: evil\x1b[31m.example\r\n"
            b"DKIM-Signature: v=1; a=rsa-sha256; d=evil\x1b[31m.example; s=tlsrpt; h=from;"
            b" bh=AAAA; b=AAAA\r\n\r\nbody\r\n")
    verdict = dkim.verify(mail, lab.net)
    assert not verdict.ok and "\x1b" not in verdict.reason and "\\x1b" in verdict.reason, verdict
