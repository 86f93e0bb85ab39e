# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown] tags=["navigation"]
# [← 05 DANE or MTA-STS?](05-dane-or-mta-sts.ipynb) · [Contents](README.md) · [07 Check a domain →](07-check-a-domain.ipynb)

# %% [markdown]
# # 06 · TLS reporting
#
# MTA-STS and DANE make senders refuse, or in `testing` mode merely notice, a
# connection that is not properly protected. Either way the domain owner sees
# nothing: the failures happen on other people's servers. SMTP TLS Reporting
# (TLS-RPT, RFC 8460) closes that gap. The domain publishes where to send
# reports; every sender that supports it mails (or POSTs) a daily summary of
# its sessions: how many succeeded, how many failed, and why. This notebook
# reads the record and a report field by field, builds reports from what a lab
# sender saw, delivers them, and then watches a whole simulated week in which
# an attacker strips STARTTLS and a certificate expires.

# %% [markdown]
# > **In this notebook**
# >
# > **Questions:** How does a domain ask for TLS reports, and what is in one?
# > How would you notice an attack, or your own expired certificate, from the
# > reports? When is it safe to move MTA-STS from `testing` to `enforce`?
# >
# > **Objectives:** parse and write a `_smtp._tls` record; read an aggregate
# > report field by field, including the variants providers send; build a
# > report from a sender's sessions and deliver it by mail and HTTPS; aggregate
# > a week of reports and find the attack in them.
# >
# > **Time:** 25 min teaching + 15 min exercises
# >
# > **Prerequisites:** [03 MTA-STS, done right](03-mta-sts.ipynb);
# > [02 The stripping attack](02-stripping-attack.ipynb) helps.

# %%
import json
from datetime import datetime, timedelta, timezone

from helpers import figures, tlsrpt
from helpers.exercises.nb06 import CORP_RUA, check_attack_days, check_failure_rate, mystery_week
from helpers.exercises.nb06 import check_tlsrpt_record
from helpers.lab import Lab
from helpers.sender import Sender
from helpers.tlsrpt import TlsRptError, parse_record, parse_report

lab = Lab.start(seed=1)

# %% [markdown]
# ## Step 1: the record says where reports go
#
# A sender that supports TLS-RPT looks up TXT records at `_smtp._tls.<domain>`
# (§3). Records that do not begin with `v=TLSRPTv1;` are ignored; exactly one
# must remain. Its `rua` field lists one or more URIs: `mailto:` (the report is
# emailed) or `https:` (it is POSTed). In a URI, `,` `!` and `;` must be
# percent-encoded, since they separate things in the record.

# %%
answer = lab.net.resolver().resolve("_smtp._tls.example.com", "TXT")
print([r.to_text() for r in answer])
tlsrpt.lookup_record("example.com", lab.net)

# %% [markdown]
# Several URIs are allowed, separated by commas. Unknown fields are kept (a
# later version may define some); the mistakes below each mean "no reports",
# and the parser says which rule they break:

# %%
print(parse_record("v=TLSRPTv1; rua=mailto:tlsrpt@example.com,https://reports.example.com/tlsrpt"))
bad_records = [
    "v=TLSRPTv1",                                   # nowhere to send reports
    "v=tlsrptv1; rua=mailto:tlsrpt@example.com",    # the version is case-sensitive
    "v=TLSRPTv1; rua=mailto:rpt!10m@example.com",   # '!' must be percent-encoded
    "v=TLSRPTv1; rua=ftp://reports.example.com/",   # only mailto: and https:
    ["v=TLSRPTv1; rua=mailto:a@example.com", "v=TLSRPTv1; rua=mailto:b@example.com"],
]
for record in bad_records:
    try:
        parse_record(record)
    except TlsRptError as e:
        print(f"{record}\n    -> {e}")

# %% [markdown]
# ## Step 2: one report, field by field
#
# A report is JSON (§4, its schema in §4.4). This is the example report of
# RFC 8460 Appendix B, shipped with the course in `data/` (see
# `data/README.md`):

# %%
example_path = tlsrpt.sample_path("tlsrpt-rfc8460-example.json")
print(example_path.read_text())

# %% [markdown]
# Read it top down:
#
# - `organization-name`, `contact-info`: who sent the report and how to reach
#   them; `report-id`: their identifier for it.
# - `date-range`: the period covered, as RFC 3339 date-times in UTC (usually
#   one day).
# - `policies`: one entry per policy the sender applied to the domain:
#   `policy-type` is `sts` (MTA-STS), `tlsa` (DANE) or `no-policy-found`;
#   `policy-string` is the policy itself (the MTA-STS file's lines, or the TLSA
#   records); `mx-host` the MX names or patterns it covers.
# - `summary`: how many sessions succeeded and failed under that policy.
# - `failure-details`: the failures grouped by `result-type` (§4.3:
#   `starttls-not-supported`, `certificate-expired`, `validation-failure`,
#   ...), with the addresses and MX involved and how many sessions it was.
#
# `parse_report` gives the same as Python objects:

# %%
example = parse_report(example_path.read_text())
policy = example.policies[0]
print(example.organization, "|", example.start, "to", example.end)
print(policy.policy_type, policy.domain, "| successful:", policy.successful,
      "failed:", policy.failed, f"({policy.failure_rate:.1%})")
for failure in policy.failures:
    print(f"  {failure.result_type:<24} x{failure.count:<4} MX {failure.receiving_mx_hostname}")

# %% [markdown]
# Real reports are less tidy. Even the RFC's own example writes `mx-host` as a
# string (reported as RFC 8460 erratum 6241) and `failure-error-code` where
# the schema (§4.4) says `failure-reason-code`;
# providers send `mx-host-pattern`, `additional-info-uri`, empty strings for
# absent fields, dates with fractions of a second. The parser accepts what
# RFC 8460 allows and what large providers send, and notes each variant it met:

# %%
for name in ("tlsrpt-rfc8460-example.json", "tlsrpt-provider-b.json"):
    print(name)
    for note in parse_report(tlsrpt.sample_path(name).read_bytes()).notes:
        print("   ", note)

# %% [markdown]
# Anything else is refused with the place and the rule, never with a bare
# traceback: a report is untrusted input from strangers.

# %%
broken = json.loads(example_path.read_text())
broken["policies"][0]["summary"]["total-failure-session-count"] = "303"
for data in (json.dumps(broken), b"\x1f\x8b\x08\x00 not really gzip",
             b"Subject: hello\r\n\r\nNo report attached.\r\n"):
    try:
        parse_report(data)
    except TlsRptError as e:
        print(e)

# %% [markdown]
# ## Step 3: a report from what a sender saw
#
# The lab's `Sender` records every session (policy type, domain, MX, success)
# and every failure detail. Here an MTA-STS sender delivers three messages to
# `sts-testing.example`, whose policy is in `testing` mode: once normally,
# once with an attacker stripping STARTTLS, once while the MX serves an expired
# certificate. Testing mode delivers all three; the report tells the owner.

# %%
sender = Sender(lab.net, "mta-sts")
message = "Subject: hello\r\n\r\nhello\r\n"
print(sender.send(message, "ann@sts-testing.example").status)
lab.attack("mx.sts-testing.example", "strip")
print(sender.send(message, "bob@sts-testing.example").status)
lab.stop_attack()
lab.set_certificate("mx.sts-testing.example", "expired")
print(sender.send(message, "cat@sts-testing.example").status)
lab.set_certificate("mx.sts-testing.example", "valid")

# %%
day = datetime(2026, 6, 1, tzinfo=timezone.utc)
report = tlsrpt.build_report(
    sender.sessions, sender.failures, domain="sts-testing.example",
    start=day, end=day + timedelta(days=1, seconds=-1),
    organization="Course Sender", contact="tlsrpt@sender.example", sending_mta_ip="127.0.0.1",
    sts_policy=sender.cache.get("sts-testing.example").policy)
print(report.to_json())

# %% [markdown]
# `to_json` writes the schema's field names, and reading it back gives the same
# report:

# %%
parse_report(report.to_json()) == report

# %% [markdown]
# ## Step 4: delivering the report
#
# `send_report` delivers to every `rua` URI (§5). By mail, the report is a
# gzip attachment (`application/tlsrpt+gzip`) in a `multipart/report` message
# with `TLS-Report-Domain` and `TLS-Report-Submitter` headers and a fixed
# subject format (§5.3), **DKIM-signed by the reporting domain** (§3; next
# section). By HTTPS, it is POSTed with the same media type (§5.4). Senders
# must deliver reports despite TLS failures (§3), so report mail itself goes
# out opportunistically. The lab has a receiver for both: the domain's MX puts mail in
# `lab.mailbox`, and `lab.serve_reports()` starts an endpoint at
# `https://reports.example.com/tlsrpt` that accepts POSTs.

# %%
endpoint = lab.serve_reports()
record = parse_record("v=TLSRPTv1; rua=mailto:tlsrpt@sts-testing.example,"
                      "https://reports.example.com/tlsrpt")
for result in tlsrpt.send_report(report, record, lab.net, submitter="sender.example"):
    print(result)

# %%
import email

mail = lab.mailbox.messages[-1]
print(mail)
for name, value in email.message_from_bytes(mail.data).items():
    if name == "DKIM-Signature":  # t= and b= change with the signing time: the rest
        tags = dict(t.split("=", 1) for t in "".join(value.split()).split(";") if "=" in t)
        value = "; ".join(f"{k}={tags[k]}" for k in ("v", "a", "c", "d", "s", "h")) + "; t=...; bh=...; b=..."
    print(f"{name}: {value}")

# %% [markdown]
# The domain owner's side: parse what arrived, by mail and by HTTPS. Both are
# the report that was sent.

# %%
print(parse_report(mail.data) == report, parse_report(endpoint.reports[-1]) == report)

# %% [markdown]
# ### Only signed reports count
#
# Anyone can send mail to a `rua` address, so a report processor is exactly
# where forged input arrives: made-up failures to cause alarm, or clean
# reports to hide an attack. RFC 8460 §3: "Reports sent via SMTP MUST contain
# a valid DomainKeys Identified Mail (DKIM) signature by the reporting domain.
# Reports lacking such a signature MUST be ignored by the recipient." The
# signature must not use `l=` (a length limit would let text be appended), and
# the reporting domain's key record SHOULD carry `s=tlsrpt`. The lab's
# submitters sign with keys they publish, DNSSEC-signed, at
# `tlsrpt._domainkey.<domain>`; `tlsrpt.screen` is the processor's check
# (through dkimpy). Here the report above, then a forged one that claims to
# come from the same sender but is unsigned:

# %%
from helpers import smtp

forged = tlsrpt.report_email(report, "tlsrpt@sts-testing.example", submitter="sender.example")
smtp.deliver("mx.sts-testing.example", lab.net, forged, sender="x@sender.example",
             recipients=["tlsrpt@sts-testing.example"], starttls=True, verify=False)
for message, verdict in tlsrpt.screen(lab.mailbox, "tlsrpt@sts-testing.example", lab.net):
    print(verdict)

# %%
lab.reset()

# %% [markdown]
# ## Step 5: a week of reports
#
# Now three sending organisations deliver to `sts-testing.example` every day
# for a week, each on its own simulated clock: *Bulk Mail Co* sends
# opportunistically, *Big Provider* applies MTA-STS, *Careful Relay* applies
# DANE (which does not apply here: the zone is not signed). On Wednesday and
# Thursday an attacker strips STARTTLS; on Saturday the MX certificate has
# expired. After each day, each sender mails its report to
# `tlsrpt@sts-testing.example`. The whole week takes a few seconds.

# %%
week = tlsrpt.simulate_week(lab, domain="sts-testing.example", strip_days=(2, 3),
                            expired_days=(5,))
week

# %% [markdown]
# Every message was delivered: the policy is in `testing` mode, so nothing
# was refused, and some of that mail crossed the attacker's path in the clear.
# The reports are what tells the owner. Collect them from the mailbox as a
# domain owner's report processor would (signed ones only), and add them up:

# %%
reports = tlsrpt.collect(lab.mailbox, "tlsrpt@sts-testing.example", net=lab.net)
week_summary = tlsrpt.aggregate(reports)
week_summary

# %% [markdown]
# The chart: green is sessions that passed; the hatched blocks on top are
# failures, by result type. The attack is the `starttls-not-supported` block on
# Wednesday and Thursday; the expired certificate is Saturday's
# `certificate-expired`. Below, per sending organisation: only *Big Provider*,
# the sender that applies MTA-STS, reported anything. Opportunistic senders
# cannot tell that something is wrong, so the absence of failures in their
# reports proves little.

# %%
figures.report_chart(week_summary, "TLS reports for sts-testing.example, 1 to 7 June")


# %% [markdown]
# *In words:* top, the sessions reported per day, 1 to 7 June: 8 each day,
# all successful except Wednesday 3 and Thursday 4 June (4 failed each,
# `starttls-not-supported`: the attack) and Saturday 6 June (4 failed,
# `certificate-expired`). Bottom, the whole week per sending organisation:
# Big Provider 16 successful and 12 failed sessions; Bulk Mail Co and Careful
# Relay 14 each, none failed (they do not apply the policy, so they notice
# nothing).
# %% [markdown]
# Per MX host, as the owner would sort it out with the mail team:

# %%
for mx, counts in week_summary.per_mx().items():
    print(mx, dict(counts))

# %% [markdown]
# **When is it safe to switch to `enforce`?** In `enforce` mode, Big Provider
# would have kept Wednesday's and Thursday's mail queued instead of sending it
# past the attacker, which is the point. But Saturday's expired certificate
# would have held mail too, from every MTA-STS sender. So: first fix what is
# yours (renew certificates automatically, and monitor them), then watch the
# reports until the only failures left are ones you want refused, then switch.
# Keep reading the reports afterwards: in `enforce` mode they are the only way
# you hear about mail that did not arrive.

# %%
lab.reset()

# %% [markdown]
# ## Try it yourself
#
# **Exercise 1.** `tlsrpt-provider-b.json` in `data/` is a report from another
# provider. Read it and compute `failure_rate`: the share of all its sessions,
# over every policy entry, that failed (a number between 0 and 1).

# %%
provider_b = parse_report(tlsrpt.sample_path("tlsrpt-provider-b.json").read_bytes())
failure_rate = None  # your answer: a float between 0 and 1
### BEGIN SOLUTION
failed = sum(p.failed for p in provider_b.policies)
total = sum(p.successful + p.failed for p in provider_b.policies)
failure_rate = failed / total
### END SOLUTION

# %% tags=["check"]
check_failure_rate(failure_rate, provider_b)

# %% [markdown]
# **Exercise 2.** Another week of mail to `sts-testing.example`, a week later.
# This time you are not told what happened: `mystery_week(lab)` runs it (an
# attacker was on the path on some days, and the operator made mistakes of
# their own on others) and returns the aggregate of the reports that arrived.
# From the reports alone, find every day on which an attacker stripped
# STARTTLS: put them in `attack_days` (a list of `datetime.date`, or strings
# like `"2026-06-08"`). Not every failure is an attack.

# %%
other_week = mystery_week(lab)
attack_days = None  # your answer: [date, ...]
### BEGIN SOLUTION
stripped = other_week.per_result_type()["starttls-not-supported"]
attack_days = [d for d, n in stripped.items() if n > 0]
### END SOLUTION

# %% tags=["check"]
check_attack_days(attack_days, other_week)

# %% [markdown]
# **Exercise 3.** `corp.example` wants its reports both by mail to
# `tls-reports@corp.example` and POSTed to its reporting provider, whose URL
# for it is `https://reports.example.net/tlsrpt?org=corp,eu` (both in
# `CORP_RUA`). Write the text of its `_smtp._tls.corp.example` TXT record in
# `my_record`, so that a sender reaches both, with the provider's URL exactly
# as given once decoded.

# %%
print(CORP_RUA)
my_record = None  # your answer: the TXT record's text
### BEGIN SOLUTION
my_record = "v=TLSRPTv1; rua=mailto:tls-reports@corp.example,https://reports.example.net/tlsrpt?org=corp%2Ceu"
### END SOLUTION

# %% tags=["check"]
check_tlsrpt_record(my_record)

# %% [markdown]
# ## Equivalent commands
#
# The record with `dig`, against this notebook's lab while it runs (on the
# internet: `dig +short TXT _smtp._tls.gmail.com`). A report is gzip-compressed
# JSON: `zcat` unpacks it and `jq` picks fields, here the summary and the
# failure types of the sample report in `data/` (run from the repository root).
# From a mailed report, save the attachment first (most mail clients can), or
# let `parse_report` read the whole message.

# %%
print(f"dig @127.0.0.1 -p {lab.dns.port} +short TXT _smtp._tls.sts-testing.example")
print("zcat data/tlsrpt-provider-a.json.gz | jq '.policies[] | {domain: .policy[\"policy-domain\"],"
      " summary, failures: [.[\"failure-details\"][]?[\"result-type\"]]}'")
print("jq '.policies[].summary' data/tlsrpt-provider-b.json")

# %% [markdown]
# ## Key points
#
# - `_smtp._tls.<domain>` TXT: `v=TLSRPTv1; rua=` one or more `mailto:` or
#   `https:` URIs; exactly one such record, or no reports.
# - A report covers a period (usually a day) and counts successful and failed
#   sessions per policy (`sts`, `tlsa`, `no-policy-found`), with the failures
#   grouped by result type and MX.
# - Reports arrive gzip-compressed, by mail (`multipart/report`, §5.3) or HTTPS
#   POST (§5.4); providers differ in details, so parse tolerantly but strictly.
# - `testing` mode plus TLS-RPT shows what `enforce` would block: an attack is
#   a spike of `starttls-not-supported`, your own mistakes show up too.
# - Mailed reports must be DKIM-signed by the reporting domain; a processor
#   ignores unsigned or badly signed ones (§3).
# - Silence is not evidence that all is well: a sender that applies no policy
#   may still report (policy type `no-policy-found`, e.g. a
#   `starttls-not-supported` failure, §4), but one that cannot tell an attack
#   from a normal session, as an opportunistic sender facing a stripper, has
#   nothing to report.
# - Publish TLS-RPT first, before any MTA-STS or DANE record: the reports tell
#   you what enforcing would break.

# %% [markdown]
# ## Clean-up

# %%
lab.stop()

# %% [markdown] tags=["navigation"]
# [← 05 DANE or MTA-STS?](05-dane-or-mta-sts.ipynb) · [Contents](README.md) · [07 Check a domain →](07-check-a-domain.ipynb)
