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
# [← 07 Check a domain](07-check-a-domain.ipynb) · [Contents](README.md)

# %% [markdown]
# # 08 · Real MTAs
#
# The course's `Sender` follows the RFCs. The mail servers that actually send
# your mail follow their own configuration, their own code and their own
# plug-ins. This notebook puts a real Postfix (3.7, as Debian 12 ships it)
# beside the course's sender: the same lab domains, the same attacks, one
# message each. They agree in most cells. Where they differ, each difference
# has a reason a mail administrator should know: a level that enforces more, a
# policy plug-in that checks less, a resolver that validates, a 5xx reply that
# bounces.

# %% [markdown]
# > **In this notebook**
# >
# > **Questions:** Which of Postfix's TLS levels only try, and which enforce?
# > What does MTA-STS look like inside Postfix, and where does it fall short
# > of RFC 8461? Why does a sending MTA need a validating resolver and
# > `trust-ad`? What happens to mail that cannot be delivered?
# >
# > **Objectives:** name Postfix's TLS levels and say which are opportunistic;
# > configure the parts around an MTA for DANE (resolver, `resolv.conf`,
# > `main.cf`); read Postfix's log in the course's words; predict Postfix's
# > outcome for a domain and an attack; choose a level for a stated goal.
# >
# > **Time:** 30 min teaching + 20 min exercises
# >
# > **Prerequisites:** [05 DANE or MTA-STS?](05-dane-or-mta-sts.ipynb);
# > [02 The stripping attack](02-stripping-attack.ipynb) and
# > [04 TLSA and DANE](04-tlsa-and-dane.ipynb) help.

# %%
from pathlib import Path

from helpers.exercises.nb08 import GOALS, PREDICT_CASES, check_level_choice
from helpers.exercises.nb08 import check_postfix_prediction
from helpers.figures import conformance_matrix
from helpers.lab import Lab
from helpers.mta import config, conformance, maillog, postfix

lab = Lab.start(seed=7)

# %% [markdown]
# ## Step 1: Postfix's TLS levels
#
# Postfix's SMTP client has one setting for this, `smtp_tls_security_level`,
# globally in `main.cf`, per transport in `master.cf`, or per destination in a
# policy table (postconf(5) of Postfix 3.7):
#
# | level | TLS | certificate checked | kind |
# |---|---|---|---|
# | `may` | if offered; else, or after a failed handshake, in the clear | no | opportunistic (RFC 7435) |
# | `encrypt` | always | no | enforces encryption only |
# | `dane` | if offered; always when DNSSEC-valid TLSA records exist | by TLSA, when there are usable records | opportunistic DANE (RFC 7672): `may` without TLSA, `encrypt` when every TLSA record is unusable |
# | `dane-only` | always | always, by TLSA | enforces: no TLSA, no delivery |
# | `verify` | always | CA chain and the MX name, the name taken from a DNS answer that may be forged | enforces, against a weaker attacker |
# | `secure` | always | CA chain and names derived from the destination domain, not from DNS | enforces (what MTA-STS needs) |
#
# Only `may` and `dane` are sane defaults for mail to the whole internet;
# postconf(5) says of `encrypt` that it "is not an appropriate default for
# systems delivering mail to the Internet". The mandatory levels belong in a
# policy table, for destinations you know. The course's set-ups use one smtp(8)
# transport per level; here is the part of the generated `master.cf` that
# defines them (the recipient's local part chooses the transport):

# %%
for setup in config.SETUPS.values():
    print(f"{setup.name:<10} level={setup.level:<10} MTA-STS={'yes' if setup.sts else 'no ':<4}"
          f" compared with the course's {setup.course!r}: {setup.meaning}")
print()
print(config.master_cf().split("# One smtp(8) client per TLS set-up")[1])

# %% [markdown]
# ## Step 2: the parts around the MTA
#
# Postfix does not validate DNSSEC itself. For `dane` it asks the system's
# resolver and believes the AD ("authentic data") bit of the answer
# (`smtp_dns_support_level = dnssec`). Three things must be right:
#
# 1. a **validating resolver** the MTA trusts, here `unbound` with the lab's
#    root key as its only trust anchor and a stub zone to the lab's DNS server;
# 2. **`options trust-ad`** in `resolv.conf`: since glibc 2.31 the stub
#    resolver passes the AD bit on only with this option (resolv.conf(5));
#    without it every answer looks unvalidated and `dane` silently becomes
#    `may`;
# 3. **Postfix**: `smtp_dns_support_level = dnssec`, a DANE level, and (for
#    MTA-STS's `secure`) the CA that signed the receivers' certificates.
#
# `helpers.mta.config` writes all of them for the lab. Nothing touches the
# machine's own `/etc/resolv.conf`: the course runs Postfix in a private
# mount namespace where `resolv.conf` is its own file.

# %%
print(config.resolv_conf())
print(config.unbound_conf("/var/tmp/course-postfix/unbound", lab.directory / "root.ds"))

# %%
main_cf = config.main_cf("/var/tmp/course-postfix/postfix", lab.ca_file)
print("\n".join(line for line in main_cf.splitlines()
                if line.startswith(("smtp_dns", "smtp_tls", "sts_policy", "maillog", "max_use"))))

# %% [markdown]
# Two of those lines come from surprises. `max_use = 1`: each smtp(8) process
# caches TLSA answers for their TTL, so a process reused after a TLSA change
# would still apply the old records; one delivery per process keeps every
# delivery honest (on a real server, `postfix reload` after changing TLSA
# records has the same effect). And `maillog_file`: the outcome of every
# delivery is read from the log, next.
#
# Real MTAs need real addresses and ports. `Lab(standard_ports=True)` gives
# every lab host its own loopback address (127.0.2.N for MX hosts, 127.0.3.N
# for policy hosts), listening on ports 25 and 443, with the DNS server on
# 127.0.1.53 port 53. Attackers take over a host's address, so
# `lab.attack()` works for any client. Binding those ports needs root (or
# CAP_NET_BIND_SERVICE): a VM or container, not a shared notebook server.

# %% [markdown]
# ## Step 3: the log, in the course's words
#
# Postfix logs one line per recipient and delivery attempt, with `status=sent`,
# `deferred` or `bounced`, and, at `smtp_tls_loglevel = 1`, one line per TLS
# session saying how far it authenticated the server: **Verified** (TLSA or
# CA and name matched), **Trusted** (a CA chain, the name not checked),
# **Untrusted** or **Anonymous**. `helpers.mta.maillog` reads them:

# %%
log = """\
postfix/smtp[101]: Trusted TLS connection established to mx1.example.com[127.0.2.1]:25: TLSv1.3
postfix/smtp[101]: 5FC: to=<may@example.com>, relay=mx1.example.com[127.0.2.1]:25, delay=0.4, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued)
postfix/smtp[102]: Verified TLS connection established to mx1.example.com[127.0.2.1]:25: TLSv1.3
postfix/smtp[102]: 5FD: to=<dane@example.com>, relay=mx1.example.com[127.0.2.1]:25, delay=0.4, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued)
postfix/smtp[103]: 5FE: to=<may@no-tls.example>, relay=mx.no-tls.example[127.0.2.3]:25, delay=0.3, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued)
postfix/smtp[104]: 5FF: to=<dane-only@no-tls.example>, relay=none, delay=0.1, dsn=4.7.5, status=deferred (non DNSSEC destination)
postfix/smtp[105]: 600: to=<may@tls-required.example>, relay=mx.tls-required.example[127.0.2.4]:25, delay=0.2, dsn=5.0.0, status=bounced (host mx.tls-required.example[127.0.2.4] said: 530 Must issue a STARTTLS command first (in reply to MAIL FROM command))
"""
for delivery in maillog.read(log).values():
    print(delivery)

# %% [markdown]
# ## Step 4: deferred, bounced, and the queue's lifetime
#
# A 4xx reply, a failed TLS check or an unreachable server **defers** a
# message: it stays in the queue and Postfix tries again, for at most
# `maximal_queue_lifetime`, 5 days by default (postconf(5)), after which it
# gives up and returns the message to its sender. A 5xx reply is a permanent
# failure (RFC 5321 §4.2.1): the message **bounces** at once, and the sender
# receives a non-delivery report (§6.1).
#
# That difference shows up in the lab. `tls-required.example` refuses mail
# before STARTTLS with `530`. With the attacker hiding STARTTLS, an
# opportunistic Postfix carries on in the clear, gets the 530, and bounces
# the message. The course's `Sender` does the same since this session (notebook
# 02); before, it kept the message queued as "deferred", an error of the
# course's model that this very comparison with Postfix found.

# %% [markdown]
# ## Step 5: MTA-STS through a policy daemon, and its traps
#
# Postfix 3.7 has no MTA-STS code of its own. A policy daemon such as
# postfix-mta-sts-resolver fetches the policy and answers Postfix's
# `smtp_tls_policy_maps` lookups over a socketmap: `secure match=...` for an
# `enforce` policy, nothing otherwise. Three behaviours follow, all visible in
# the recorded matrix:
#
# - **MX not in the policy, delivered anyway.** The policy of
#   `sts-mx-mismatch.example` lists `*.sts-mx-mismatch.example`; its MX is
#   `mx.eu.sts-mx-mismatch.example`, two labels down, which RFC 8461 §4.1
#   refuses. The daemon turns the pattern into `match=.sts-mx-mismatch.example`,
#   which matches any depth, and `secure` checks certificate names, never the
#   MX name against the policy.
# - **MTA-STS overrides DANE.** With the TLSA signatures stripped, DANE must
#   fail and MTA-STS must not rescue it (RFC 8461 §2). But a policy-table
#   answer replaces the level for the whole destination: Postfix never looks
#   up TLSA and delivers through `secure` (the daemon project's issue 67).
# - **Testing mode checks nothing.** The daemon ignores `testing` policies, so
#   Postfix uses its default level: no validation, and no report.

# %%
cells, meta = conformance.load()
for entry in conformance.EXPECTED:
    if entry.owner in ("postfix", "resolver"):
        example = next(c for c in cells if c.divergence == entry.id)
        print(f"{conformance.mark(entry.id)} {entry.id}: {example.setup} to {example.domain} "
              f"under {example.attack!r}\n"
              f"   Postfix: {example.postfix} ({example.postfix_reason[:60]})\n"
              f"   course:  {example.course} ({example.course_reason[:90]})\n")

# %% [markdown]
# ## Step 6: the whole matrix
#
# Every lab domain, under six attacks, through six Postfix set-ups, beside
# the course's `Sender` with the matching policy. Where Postfix runs (root,
# Debian's `postfix` and `unbound`, postfix-mta-sts-resolver), the next cell
# runs a part of it live; elsewhere it says so, and the figure after it reads
# the run recorded in `data/postfix-matrix.json`.

# %% tags=["nbval-skip", "live"]
reason = postfix.missing()
if reason:
    print(f"Postfix cannot run here ({reason}): the figure below is the recorded run "
          "from data/postfix-matrix.json.")
else:
    with Lab(seed=7, standard_ports=True) as own, postfix.PostfixRig(own) as rig:
        live = conformance.run(own, rig, attacks=("strip TLSA RRSIGs",))
    print(conformance.summary(live))

# %% [markdown]
# The recorded run: green cells agree for all 16 domains; orange, hatched cells
# name each divergence by its mark (D1, D2 ...), listed with its owner in the
# text table printed first, which gives the same counts; the explanations are
# the table `helpers.mta.conformance.EXPECTED`.

# %%
print(f"Recorded run ({conformance.MATRIX_FILE.name}, {meta['date']}): " +
      ", ".join(f"{k} {v}" for k, v in meta["versions"].items()))
print(conformance.summary(cells))

# %%
conformance_matrix(cells)

# %% [markdown]
# *In words:* one row per Postfix set-up, one column per attack; most cells
# agree for every lab domain (the counts are in the text table above), and
# each divergence is named by its mark. Read them by owner. The `set-up`
# divergences are Postfix doing what its level says (mandatory levels defer
# where the course's opportunistic sender goes on; a validating resolver
# refuses a forged MX in a signed zone, which protects even `may`). The
# `postfix` and `resolver` ones are the traps of Step 5. None is the course's
# own error any more: the one this comparison found (a bounce the course
# called a deferral, Step 4) is fixed.

# %% [markdown]
# ## What the big senders do
#
# - **Microsoft Exchange Online** validates DANE for outbound mail since its
#   rollout of January to March 2022 (Microsoft Exchange Team blog, "Releasing:
#   Outbound SMTP DANE with DNSSEC", 1 February 2022); inbound DANE for
#   domains hosted there was announced for general availability in October
#   2024 (Exchange Team blog, "Implementing Inbound SMTP DANE with DNSSEC for
#   Exchange Online Mail Flow", updated 17 July 2024). When DANE or DNSSEC
#   validation fails, the message is blocked and its sender gets a
#   non-delivery report (Microsoft 365 message center post MC308285, 2022).
# - **Gmail** started enforcing MTA-STS (and sending TLS reports) in April
#   2019, in beta (Google Workspace Updates, "Gmail making email more secure
#   with MTA-STS standard", April 2019).

# %% [markdown]
# ## Try it yourself
#
# **Exercise 1.** Predict what Postfix logged for each case: one of
# `verified`, `unverified`, `clear`, `deferred`, `bounced`. The cases are not
# in Step 5's list; work them out from the levels (Step 1) and the attacks
# (notebook 02), then check against the recorded matrix.

# %%
for case in PREDICT_CASES:
    print(case)
prediction = None  # your answer: {(set-up, domain, attack): word, ...}
### BEGIN SOLUTION
prediction = {
    ("encrypt", "opportunistic.example", "substitute"): "unverified",
    ("dane", "example.com", "substitute"): "deferred",
    ("sts", "sts-enforce.example", "strip"): "deferred",
    ("dane-only", "dane-insecure.example", "none"): "deferred",
}
### END SOLUTION

# %% tags=["check"]
check_postfix_prediction(prediction, cells)

# %% [markdown]
# **Exercise 2.** For each goal, choose Postfix's `smtp_tls_security_level`
# (one of `none`, `may`, `encrypt`, `dane`, `dane-only`, `fingerprint`,
# `verify`, `secure`).

# %%
for key, goal in GOALS.items():
    print(f"{key}: {goal}\n")
choice = None  # your answer: {goal key: level, ...}
### BEGIN SOLUTION
choice = {"internet": "dane", "partner-dane": "dane-only", "legacy-relay": "encrypt",
          "partner-ca": "secure"}
### END SOLUTION

# %% tags=["check"]
check_level_choice(choice)

# %% [markdown]
# ## Equivalent commands
#
# On a machine where you are root, with Debian's `postfix` and `unbound`:
# start the lab with its own addresses, record the matrix, and look at what
# Postfix is told and what it logged.

# %%
print("sudo .venv/bin/python -m helpers lab --standard-ports     # hosts at 127.0.2.N:25 ...")
print("sudo .venv/bin/python -m helpers postfix-matrix           # writes data/postfix-matrix.json")
print("dig @127.0.1.54 +dnssec TLSA _25._tcp.mx1.example.com      # the validating unbound: ad flag")
print("postmap -q sts-mx-mismatch.example socketmap:inet:127.0.0.1:8461:postfix")
print("postconf -d maximal_queue_lifetime smtp_tls_security_level")
print("grep -E 'TLS connection established|status=' /var/tmp/course-postfix-*/postfix/maillog")

# %% [markdown]
# ## Key points
#
# - `may` and `dane` are Postfix's opportunistic levels, fit for the whole
#   internet; `encrypt`, `dane-only`, `verify` and `secure` enforce, and belong
#   in per-destination policy.
# - DANE in Postfix needs a validating resolver it trusts and `options
#   trust-ad`; without them `dane` quietly becomes `may`.
# - MTA-STS through a socketmap daemon is weaker than RFC 8461 in Postfix 3.7:
#   MX names are not checked against the policy, a policy overrides DANE,
#   `testing` does nothing.
# - A 4xx defers (retried for up to 5 days by default); a 5xx bounces at once.
# - Test your own MTA against the lab: the differences are where the RFCs and
#   the software part ways.

# %% [markdown]
# ## Clean-up

# %%
lab.stop()

# %% [markdown] tags=["navigation"]
# [← 07 Check a domain](07-check-a-domain.ipynb) · [Contents](README.md)
