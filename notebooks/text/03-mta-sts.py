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
# [← 02 The stripping attack, walked through](02-stripping-attack.ipynb) · [Contents](README.md) · [04 TLSA and DANE →](04-tlsa-and-dane.ipynb)

# %% [markdown]
# # 03 · MTA-STS, done right
#
# STARTTLS is an offer in plaintext, so an attacker can remove it. MTA-STS
# (RFC 8461) lets a receiving domain say, over a channel the attacker cannot
# rewrite, *"my mail servers always speak TLS with a valid certificate: do not
# deliver otherwise"*. It needs no DNSSEC: the policy travels over HTTPS,
# anchored in the web's certificate authorities. The rules are short, and
# precise; this notebook walks through each one with `example.com` in the lab.

# %% [markdown]
# > **In this notebook**
# >
# > **Questions:** How does a domain announce MTA-STS, and what does its policy
# > allow? What happens when the policy cannot be fetched, or changes?
# >
# > **Objectives:** parse and validate an MTA-STS TXT record and policy file;
# > decide which MX hosts a policy allows, wildcard traps included; name each
# > fetch failure and what a sender does about it; explain `testing` versus
# > `enforce`; predict what a sender's policy cache does over time.
# >
# > **Time:** 30 min teaching + 20 min exercises
# >
# > **Prerequisites:** [01 The STARTTLS transcript](01-starttls-transcript.ipynb).

# %%
from helpers import figures, mtasts, smtp
from helpers.exercises.nb03 import CORP_MX, PREDICT_HOSTS, PREDICT_PATTERNS
from helpers.exercises.nb03 import check_mx_prediction, check_policy_for_mx
from helpers.lab import Lab
from helpers.mtasts import MtaStsError, mx_matches, parse_policy, parse_txt

lab = Lab.start(seed=1)

# %% [markdown]
# ## Step 1: the TXT record announces a policy
#
# A sender with mail for `example.com` first asks DNS for TXT records at
# `_mta-sts.example.com` (§3.1). Records that do not begin with `v=STSv1;` are
# ignored; exactly one must remain. Its `id` changes whenever the policy does:
# that is how senders learn that their cached copy is out of date.

# %%
answer = lab.net.resolver().resolve("_mta-sts.example.com", "TXT")
print([r.to_text() for r in answer])
record = parse_txt(list(answer))
record

# %% [markdown]
# The record's grammar is strict. Each of these is "no policy" for a sender,
# and the parser says why:

# %%
bad_records = [
    ["v=STSv1; id=20260613T120000;", "v=STSv1; id=20260701T000000;"],  # two records
    ["v=STSV1; id=20260613T120000;"],                                  # wrong case
    ["v=STSv1; id=2026-06-13;"],                                       # '-' not allowed in id
    ["v=STSv1;"],                                                      # no id
]
for records in bad_records:
    try:
        parse_txt(records)
    except MtaStsError as e:
        print(f"{records}\n    -> {e}")

# %% [markdown]
# ## Step 2: the policy, fetched over HTTPS
#
# The policy itself lives at `https://mta-sts.example.com/.well-known/mta-sts.txt`
# (§3.2). The sender checks that the certificate is valid for that name and
# chains to a trusted authority, accepts only `200` and follows no redirect
# (§3.3), and expects `text/plain` (a SHOULD in §3.2, which this sender, like
# most, enforces). §3.3 also *suggests* bounds a sender MAY set, about 64 KB and
# a minute; the lab's sender uses them.

# %%
policy = mtasts.fetch_policy("example.com", lab.net)
policy

# %% [markdown]
# The file is a few `key: value` lines. The parser applies §3.2 to the letter:
# keys and values are case-sensitive, unknown keys are ignored, the first of a
# repeated key wins (except `mx`, which may repeat), `max_age` is at most
# 31557600 seconds, and `mx` is required unless the mode is `none`. Mistakes
# seen in real deployments:

# %%
bad_policies = {
    "mode in capitals": "version: STSv1\nmode: Enforce\nmx: mx1.example.com\nmax_age: 604800\n",
    "key in capitals": "Version: STSv1\nmode: enforce\nmx: mx1.example.com\nmax_age: 604800\n",
    "max_age too long": "version: STSv1\nmode: enforce\nmx: mx1.example.com\nmax_age: 31557601\n",
    "wildcard inside": "version: STSv1\nmode: enforce\nmx: mail.*.example.com\nmax_age: 604800\n",
    "no mx at all": "version: STSv1\nmode: enforce\nmax_age: 604800\n",
}
for what, text in bad_policies.items():
    try:
        parse_policy(text)
    except MtaStsError as e:
        print(f"{what:<17} -> {e}")

# %% [markdown]
# Some things are accepted, with a warning worth reading: CRLF line endings
# are fine; a repeated `mode` is, and the first one counts.

# %%
parse_policy("version: STSv1\r\nmode: testing\r\nmode: enforce\r\nmx: mx1.example.com\r\n"
             "max_age: 86400\r\nfoo: bar\r\n")

# %% [markdown]
# ## Step 3: which MX hosts may receive the mail?
#
# The sender compares each MX host with the policy's `mx` patterns (§4.1):
# case-insensitively, ignoring a trailing dot, and comparing *whole* names. A
# pattern `*.example.com` stands for exactly **one** extra label on the left.
# Checkers are easy to get wrong here (letting `*` span several labels, or
# matching a name that merely starts with an allowed one). The traps:

# %%
hosts = ["mail.example.com", "MAIL.Example.COM.", "example.com", "a.b.example.com",
         "mail.example.com.evil.net", "mailexample.com"]
print(f"{'host':<28}{'*.example.com':>15}{'mail.example.com':>18}")
for host in hosts:
    print(f"{host:<28}{mx_matches('*.example.com', host)!s:>15}"
          f"{mx_matches('mail.example.com', host)!s:>18}")

# %% [markdown]
# `discover` puts steps 1 to 3 together for a domain. In `sts-mx-mismatch.example`
# the MX host is `mx.eu.sts-mx-mismatch.example` and the policy says
# `*.sts-mx-mismatch.example`: two labels where one is allowed, so a sender
# enforcing the policy will not deliver to it.

# %%
mtasts.discover("example.com", lab.net)

# %%
mtasts.discover("sts-mx-mismatch.example", lab.net)

# %%
# Try your own patterns and host names: the verdict, and the §4.1 rule behind it.
from helpers.widgets.mx_playground import mx_playground

mx_playground("*.sts-mx-mismatch.example", "mx.eu.sts-mx-mismatch.example")

# %% [markdown]
# ## When the policy cannot be fetched
#
# Each failure of §3.3 is its own error, with the result type a sender reports
# through TLS-RPT (RFC 8460 §4.3). The lab's policy host can be
# told to misbehave; a certificate for the wrong name is built into the
# `sts-bad-policy-cert.example` scenario.

# %%
def try_fetch(domain, timeout=1):
    try:
        mtasts.fetch_policy(domain, lab.net, timeout=timeout)
        return "fetched"
    except mtasts.FetchError as e:
        return f"{e.kind:<12} {e.tlsrpt_result_type:<23} {e}"

print(try_fetch("sts-bad-policy-cert.example"))
for change in [dict(status=301, location="https://elsewhere.example/policy"),
               dict(status=404), dict(content_type="text/html"),
               dict(body=b"version: STSv1\n" * 5000), dict(delay=3)]:
    lab.reset()
    lab.set_policy_answer("example.com", **change)
    print(try_fetch("example.com"))
lab.reset()

# %% [markdown]
# What does a sender do without a policy? If it has a cached copy, it keeps
# using it (next section). If it has never seen one, this is MTA-STS's
# *first-contact* weakness: an attacker who can block the fetch the first time
# keeps the sender opportunistic (§10.2). DANE (notebook 04) has no such gap.

# %% [markdown]
# ## testing versus enforce
#
# `sts-expired.example` publishes an `enforce` policy, but its MX presents an
# expired certificate. A sender that checks the certificate sees the failure;
# what it does next depends on the mode (§5): `enforce` keeps the message
# queued for another MX or a later try, `testing` delivers anyway and reports.

# %%
probe = smtp.probe("mx.sts-expired.example", lab.net)
print("certificate check:", probe.error)
enforced = mtasts.fetch_policy("sts-expired.example", lab.net)
testing = parse_policy("version: STSv1\nmode: testing\nmx: mx.sts-expired.example\n"
                       "max_age: 86400\n")
for p in (enforced, testing):
    print(f"mode {p.mode:<8}", mtasts.apply(p, "mx.sts-expired.example", starttls=True,
                                             certificate_ok=False,
                                             certificate_problem="certificate-expired"))

# %% [markdown]
# Domains usually publish a TLS-RPT record first (notebook 06), then a
# `testing` policy, read the reports for a few weeks, then switch to `enforce`.

# %% [markdown]
# ## The cache, over (simulated) time
#
# A sender caches a policy for `max_age` seconds (§3.3, §5.1). The TXT record's `id`
# is what makes it fetch again: a new id means a new policy. Two rules protect
# against an attacker: a *missing* TXT record does not remove a cached policy,
# and a *failed* fetch keeps the cached one in force. A third closes the gap at
# expiry: senders SHOULD refresh a cached policy before it expires, about once a
# day (§3.3), so an attacker who blocks the policy host cannot simply wait for
# the cache to run out and then strip STARTTLS (§10.2).
#
# Below, a sender sends a message to `sts-stale-id.example` now and then, on a
# simulated clock. Half a day in, the operator moves the MX to a new host and
# updates the policy file, **but forgets to change the id**. Each change is
# made just before the message that first sees it.

# %%
domain = "sts-stale-id.example"
clock = mtasts.ManualClock()
cache = mtasts.PolicyCache(clock=clock)  # refreshes after a day (refresh_after=86400)
start, events = clock(), []

def send_a_message():
    """What a sender does for each message: TXT record, cache, then the MX check."""
    try:
        record_id, problem = mtasts.lookup_record(domain, lab.net).id, ""
    except MtaStsError as e:
        record_id, problem = None, e.problem
    decision = cache.update(domain, record_id, lambda: mtasts.fetch_policy(domain, lab.net),
                            problem)
    mx = mtasts.mx_hosts(domain, lab.net)[0][1]
    verdict = mtasts.apply(decision.policy, mx, starttls=True, certificate_ok=True)
    print(f"day {(clock() - start) / 86400:4.1f}: {decision.action:<19} MX {mx}: "
          f"{verdict.action}")

def change(text):
    """Note an operator's change, at the time of the next message."""
    events.append((clock(), text))

send_a_message()
clock.advance(86400 / 2)
lab.apply_change(domain)  # new MX, new policy file, same id
change("MX moved, id unchanged")
send_a_message()
clock.advance(86400 / 2); send_a_message()
clock.advance(86400); send_a_message()

# %% [markdown]
# For half a day the sender keeps the old policy, and the new MX is refused:
# mail waits in the queue. At day 1 the cached copy is a day old, the sender
# refreshes it, finds the new file, and delivers. A sender that does not
# refresh would refuse the new MX until the cached copy expires (`max_age`, 7
# days here). The fix is to publish a new id with every policy change: then
# every sender fetches at its next message. Continue the story: the operator
# now does it; then the TXT record disappears (an attacker or a DNS mistake),
# and later the policy host fails while a new id is published.

# %%
clock.advance(86400)
lab.set_records(domain, f"_mta-sts.{domain}", "TXT", ['"v=STSv1; id=20260201T000000;"'])
change("new id")
send_a_message()
clock.advance(86400)
lab.set_records(domain, f"_mta-sts.{domain}", "TXT", [])
change("TXT removed")
send_a_message()
clock.advance(86400); send_a_message()
clock.advance(86400)
lab.set_records(domain, f"_mta-sts.{domain}", "TXT", ['"v=STSv1; id=20260301T000000;"'])
lab.set_policy_answer(domain, status=503)
change("new id, host down")
send_a_message()
clock.advance(86400); send_a_message()

# %% [markdown]
# Without a TXT record this sender keeps its copy but does not refresh it (the
# course's choice), so that copy runs out at its `max_age`, up to a year later.
# That is why **deleting the TXT record is not how a domain leaves MTA-STS**.
# RFC 8461 §8.3 gives the order: publish a policy with `mode: none` (and a
# small `max_age`) under a **new id**, so that every sender fetches it and
# drops the old policy; wait until every policy you ever served has expired
# (the longest `max_age` since it was last served); only then remove the TXT
# record and the policy host. While the host is down, the new id is tried again
# and fails (§3.3 asks senders to try at most once per five minutes per id; this
# simulation sends one message a day), and the cached policy stays in force.

# %%
figures.cache_timeline(cache.history, events,
                       title="The policy cache of one sender for sts-stale-id.example")


# %% [markdown]
# *In words:* one sender's cache for sts-stale-id.example over eight days. Day
# 0: the policy is fetched (id 20260101T000000), then served from the cache
# and refreshed on days 1 and 2. (1) The MX moves but the id stays: the sender
# keeps the old policy. (2) A new id: on day 3 the sender fetches again (id
# 20260201T000000). (3) The TXT record is removed: days 4 and 5, the policy is
# kept without a record. (4) A new id while the policy host is down: days 6
# and 7, the cached policy is kept after the failed fetch.
# %%
lab.reset()

# %% [markdown]
# ## Try it yourself
#
# **Exercise 1.** `corp.example` receives mail on `mx1.corp.example`,
# `mx2.corp.example` and `backup.mail.corp.example`. Write its policy file in
# `my_policy`: enforced, allowing these three hosts and nothing else, cached
# as long as RFC 8461 §3.2 expects of an enforced policy (at least two weeks).

# %%
print(CORP_MX)
my_policy = None  # your answer: the policy file's text
### BEGIN SOLUTION
my_policy = """version: STSv1
mode: enforce
mx: mx1.corp.example
mx: mx2.corp.example
mx: backup.mail.corp.example
max_age: 1209600
"""
### END SOLUTION

# %% tags=["check"]
check_policy_for_mx(my_policy)

# %% [markdown]
# **Exercise 2.** A policy has the `mx` patterns below. *Without running
# `mx_matches`*, predict for each host whether the policy allows it: build a
# dict `prediction` from each host to `True` or `False`.

# %%
print("patterns:", PREDICT_PATTERNS)
print("hosts:   ", PREDICT_HOSTS)
prediction = None  # your answer: {host: True or False, ...}
### BEGIN SOLUTION
prediction = {
    "mx.example.org": True,
    "eu.mail.example.org": True,
    "mail.example.org": False,
    "a.eu.mail.example.org": False,
    "MX.EXAMPLE.ORG.": True,
    "mx.example.org.evil.example": False,
    "backup.example.org": False,
}
### END SOLUTION

# %% tags=["check"]
check_mx_prediction(prediction)

# %% [markdown]
# ## Equivalent commands
#
# The record with `dig`, the policy with `curl`, against this notebook's lab
# while it runs (or a terminal lab of its own: `make lab-server`). On the
# internet: `dig +short TXT _mta-sts.example.com` and
# `curl https://mta-sts.example.com/.well-known/mta-sts.txt`. Note that `curl`
# follows no redirect unless asked (`-L`), as a sender must not.

# %%
print("\n".join(line for line in lab.commands().splitlines()
                if "TXT _mta-sts" in line or line.startswith("curl")))

# %% [markdown]
# ## Key points
#
# - `_mta-sts.<domain>` TXT announces a policy and its `id`; the policy is a
#   text file served over HTTPS from `mta-sts.<domain>`, with a valid certificate.
# - Keys and values are case-sensitive; `*.` stands for exactly one leftmost
#   label; names are compared whole, case-insensitively.
# - A fetch that fails (bad certificate, redirect, wrong type, too large, too
#   slow) means no new policy: senders keep a cached one.
# - `enforce` keeps mail queued when an MX fails; `testing` delivers and reports.
# - Change the `id` with every policy change, or caches keep the old policy until
#   they refresh it (about daily, §3.3), or for up to `max_age` if they do not.
#   Publish the new policy file *before* the new id (§8.1).
# - To leave MTA-STS, publish `mode: none` under a new id and wait out the
#   longest `max_age` before removing anything (§8.3).

# %% [markdown]
# ## Clean-up

# %%
lab.stop()

# %% [markdown] tags=["navigation"]
# [← 02 The stripping attack, walked through](02-stripping-attack.ipynb) · [Contents](README.md) · [04 TLSA and DANE →](04-tlsa-and-dane.ipynb)
