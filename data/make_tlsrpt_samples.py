"""Writes the sample reports in data/ (run once; the files are committed)."""
import gzip, json
from pathlib import Path
from helpers import tlsrpt

data = Path("data")
provider_a = {
    "organization-name": "Mailbox Provider A",
    "date-range": {"start-datetime": "2026-06-08T00:00:00Z", "end-datetime": "2026-06-08T23:59:59Z"},
    "contact-info": "smtp-tls-reporting@provider-a.example",
    "report-id": "2026-06-08T00:00:00Z_example.com",
    "policies": [
        {"policy": {"policy-type": "sts",
                    "policy-string": ["version: STSv1", "mode: enforce", "mx: mx1.example.com",
                                      "mx: mx2.example.com", "max_age: 604800"],
                    "policy-domain": "example.com",
                    "mx-host": ["mx1.example.com", "mx2.example.com"]},
         "summary": {"total-successful-session-count": 1412, "total-failure-session-count": 0}},
    ],
}
provider_b = {
    "organization-name": "Provider B Corporation",
    "date-range": {"start-datetime": "2026-06-08T00:00:00.000+00:00",
                   "end-datetime": "2026-06-09T00:00:00.000+00:00"},
    "contact-info": "tlsrpt-noreply@provider-b.example",
    "report-id": "134257842000000000+example.com",
    "policies": [
        {"policy": {"policy-type": "sts",
                    "policy-string": ["version: STSv1", "mode: testing", "mx: *.example.com",
                                      "max_age: 86400"],
                    "policy-domain": "example.com",
                    "mx-host-pattern": ["*.example.com"]},
         "summary": {"total-successful-session-count": 96, "total-failure-session-count": 4},
         "failure-details": [
             {"result-type": "starttls-not-supported", "sending-mta-ip": "192.0.2.25",
              "receiving-mx-hostname": "mx2.example.com", "receiving-mx-helo": "",
              "receiving-ip": "198.51.100.7", "failed-session-count": 3,
              "additional-info-uri": ""},
             {"result-type": "certificate-expired", "sending-mta-ip": "192.0.2.25",
              "receiving-mx-hostname": "mx1.example.com", "receiving-ip": "198.51.100.6",
              "failed-session-count": 1, "failure-error-code": "X509_V_ERR_CERT_HAS_EXPIRED"}]},
        {"policy": {"policy-type": "no-policy-found", "policy-domain": "example.com"},
         "summary": {"total-successful-session-count": 12, "total-failure-session-count": 0}},
    ],
}
(data / "tlsrpt-provider-b.json").write_text(json.dumps(provider_b, indent=2) + "\n")
(data / "tlsrpt-provider-a.json.gz").write_bytes(
    gzip.compress(json.dumps(provider_a).encode(), mtime=0))
report = tlsrpt.parse_report(json.dumps(provider_a))
(data / "tlsrpt-provider-a.eml").write_bytes(
    tlsrpt.report_email(report, "tlsrpt@example.com", submitter="provider-a.example"))
for f in sorted(data.glob("tlsrpt-*")):
    r = tlsrpt.parse_report(f.read_bytes())
    print(f.name, r.organization, r.successful, r.failed, r.notes)
