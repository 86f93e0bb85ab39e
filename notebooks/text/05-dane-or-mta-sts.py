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
# [← 04 TLSA and DANE](04-tlsa-and-dane.ipynb) · [Contents](README.md) · [06 TLS reporting →](06-tls-reporting.ipynb)

# %% [markdown]
# # 05 · DANE or MTA-STS?
#
# Two mechanisms turn "encrypt if you can" into "encrypt or do not deliver":
# MTA-STS (notebook 03), anchored in HTTPS and the web's certificate
# authorities, and DANE (notebook 04), anchored in DNSSEC. A sending MTA that
# knows both has to decide, for every MX host, which one applies; a domain
# owner has to decide what to publish. This notebook makes both decisions
# *executable*: the sender's tree is the code the lab's sender runs, and the
# operator's tree ends in records you deploy in the lab and then break on
# purpose.

# %% [markdown]
# > **In this notebook**
# >
# > **Questions:** When does a sender use DANE, when MTA-STS, when neither?
# > What should a domain publish, and what does each choice cost?
# >
# > **Objectives:** trace a domain through the sender's decision tree and
# > predict its path; compare DANE and MTA-STS on trust anchor, first contact,
# > downgrade resistance and what breaks; choose what an operator should publish;
# > generate a complete record set, deploy it in the lab and explain which
# > sender defers when it breaks.
# >
# > **Time:** 35 min teaching + 25 min exercises
# >
# > **Prerequisites:** [02 The stripping attack](02-stripping-attack.ipynb),
# > [03 MTA-STS](03-mta-sts.ipynb), [04 TLSA and DANE](04-tlsa-and-dane.ipynb).

# %%
from helpers import figures, policy, publish
from helpers.attacks import run_matrix
from helpers.dane import TLSA
from helpers.deploy import try_senders
from helpers.exercises.nb05 import DESIGN_DOMAIN, DESIGN_MX, OPERATOR_PROFILES, PATH_CASES
from helpers.exercises.nb05 import check_operator_picks, check_path_prediction, check_record_design
from helpers.lab import Lab
from helpers.widgets.operator import operator_form

lab = Lab.start(seed=1)

# %% [markdown]
# ## The sender's tree
#
# For one message, per MX host, a sender that implements both mechanisms asks
# these questions (RFC 7672 §2.2, RFC 8461 §2, §4-5). DANE comes first: TLSA
# records count only below a DNSSEC-*secure* MX answer, and a DANE failure is
# never rescued by MTA-STS. MTA-STS applies where DANE does not; without either,
# the sender is opportunistic. The boxes are the nodes of `policy.TREE`, the
# same data structure the lab's `Sender` decides with.

# %%
figures.decision_tree()


# %% [markdown]
# *In words:* the tree's questions and answers, from the top:
#
# - MX lookup, is the answer DNSSEC-secure? *bogus, failed or none*: defer
#   (no MX answer to trust). *Insecure or not validated*: go to the MTA-STS
#   question. *Secure*: ask for the TLSA records at `_25._tcp.<MX>`:
#   - *secure, usable records*: DANE, TLS required and the certificate must
#     match a TLSA record;
#   - *bogus or failed*: skip this MX;
#   - *secure, all unusable*: DANE authenticates nothing; is there an enforce
#     MTA-STS policy? *No*: TLS required, not authenticated. *Yes*: the
#     mx-list question below;
#   - *none, insecure or not asked*: the MTA-STS question.
# - MTA-STS policy (cached, or fetched over HTTPS)? *Testing*: check, deliver
#   anyway, report. *None, absent or not asked*: opportunistic, TLS if offered,
#   certificate unchecked. *Enforce*: is this MX in the policy's mx list? *Yes*:
#   TLS with a WebPKI certificate for the MX. *No*: skip this MX.
# %% [markdown]
# Read it from the top: grey boxes are questions, each arrow an answer, the
# rounded boxes the rule that applies to that MX. Green rules demand
# authenticated TLS; yellow ones accept TLS that may be unauthenticated;
# orange may end in the clear; blue ones do not use that MX at all (the
# message waits in the queue if no other MX takes it).

# %% [markdown]
# ## One domain, question by question
#
# `policy.trace(domain, net)` asks the questions for real (DNS, DNSSEC, the
# policy over HTTPS; no SMTP) and records each answer and the rule per MX.
# For `example.com`, which publishes both, DANE wins on both MX hosts and the
# MTA-STS policy is not even fetched:

# %%
policy.trace("example.com", lab.net)

# %% [markdown]
# `sts-bad-policy-cert.example` announces MTA-STS, but its policy host's
# certificate is for another name: the fetch fails, which is reported
# (`sts-webpki-invalid`), and with nothing cached the sender stays
# opportunistic. The figure highlights the path taken.

# %%
bad_cert = policy.trace("sts-bad-policy-cert.example", lab.net)
print(bad_cert)
figures.decision_tree(bad_cert)


# %% [markdown]
# *In words:* the bold path is the one printed above: the MX answer is
# insecure (the zone is unsigned), so no DANE; no MTA-STS policy (nothing
# cached, and the fetch failed on the policy host's certificate); the rule is
# opportunistic: TLS if offered, certificate unchecked.
# %% [markdown]
# ## Every lab domain through the tree
#
# The rule an `auto` sender applies to each MX host of each lab domain, and
# the rule's node in the tree. The same rule is what a real delivery then
# enforces: the course's tests send to every domain, under every attack of
# notebook 02, and check that the delivery keeps to the traced rule.

# %%
for domain in lab.domains:
    trace = policy.trace(domain, lab.net)
    rules = [f"{m.host}: {m.rule.node}" for m in trace.mx] or [f"({trace.outcome})"]
    print(f"{domain:<28} {'; '.join(rules)}")

# %% [markdown]
# ## When DANE authenticates nothing
#
# What if a signed zone publishes only TLSA records an SMTP sender cannot use,
# say `1 1 1` (PKIX-EE, unusable for SMTP, RFC 7672 §3.1.3), and also an
# MTA-STS `enforce` policy? DANE then still requires TLS but authenticates
# nothing. RFC 8461 §2 only forbids MTA-STS from *overriding a failing* DANE
# validation; here nothing failed, so the sender applies the enforce policy,
# the stricter choice. Below, a certificate-substituting attacker sits on
# both paths: the `auto` sender defers like the `mta-sts` one, while a
# DANE-only sender has nothing better than unauthenticated TLS.

# %%
for host in ("mx1.example.com", "mx2.example.com"):
    pkix_ee = TLSA.from_cert(lab.certificate(host).cert, usage=1)  # 1 1 1: unusable for SMTP
    lab.set_records("example.com", f"_25._tcp.{host}", "TLSA", [str(pkix_ee)])
    lab.attack(host, "substitute")
print(" > ".join(policy.trace("example.com", lab.net).path("mx1.example.com")))
try_senders(lab, "example.com")

# %%
lab.reset()

# %% [markdown]
# ## DANE or MTA-STS, side by side
#
# | | DANE (RFC 7672) | MTA-STS (RFC 8461) |
# |---|---|---|
# | trust anchor | DNSSEC: the root key, then each parent's DS | the WebPKI: any certificate authority the sender trusts |
# | first contact | protected: the TLSA answer is signed, an attacker cannot hide it | a gap: a sender without a cached policy can be stripped before it fetches one (§10.2) |
# | downgrade resistance | a forged or stripped answer is *bogus*, not absent: the sender defers | only once the policy is cached, for `max_age`; a changed id refetches |
# | certificate | the key or CA named in DNS; names and dates unchecked for `3 x x` | a publicly trusted certificate for the MX name, unexpired |
# | what breaks, and how | a key rollover without a pre-published TLSA record; expired DNSSEC signatures; both defer *all* DANE senders at once | an MX change without a new policy and id; an expired certificate on the MX or policy host |
# | cost to deploy | a DNS host that signs and serves TLSA; automation that follows key changes | an HTTPS host at `mta-sts.<domain>`; remembering the id |
# | who applies it | senders whose MTA validates DNSSEC (Postfix and Exim implement DANE, given a validating resolver) | senders that implement MTA-STS, with or without DNSSEC |
#
# The evidence, from notebook 02's attacks on `example.com` (which publishes
# both), for a sender of each kind: the rows differ only at *first contact*.

# %%
run_matrix(lab, "example.com", policies=("mta-sts", "dane"))

# %% [markdown]
# ## The operator's tree: what should I publish?
#
# The other side of the connection. The answer depends on what the operator
# can do: sign the zone? run the MX hosts, or rely on a provider? serve HTTPS at
# `mta-sts.<domain>`? follow key changes in DNS automatically? read reports?
# `policy.recommend` turns the answers into what to publish, why, and at what
# risk. Tick the boxes (in a running notebook) and watch the answer change.

# %%
operator_form(dnssec=True, https=True, automate_tlsa=True)

# %% [markdown]
# The adoption figures above are quoted with their source and year, and
# flagged where the year could not be checked; treat domain counts with care:
# a few large providers carry most of the mail, and most DANE domains sit with
# a handful of hosting providers that enabled it for all their customers.

# %% [markdown]
# ## Generate the records
#
# `publish.generate` writes the complete set for a domain, from its MX hosts and
# their certificates: the MX records; `3 1 1` for each host's current key and
# for the key it will move to, `2 1 1` for the issuing CA (RFC 7672 §3.1,
# RFC 7671 §8); the `_mta-sts` TXT record with an id that changes whenever the
# policy does (RFC 8461 §3.1); the policy file; the `_smtp._tls` record
# (RFC 8460 §3). Here for `shop.example`, with certificates from the lab's CA.

# %%
shop = "shop.example"
hosts = []
for preference, host in ((10, "mx1.shop.example"), (20, "mx2.shop.example")):
    hosts.append(publish.MxHost(
        host, preference,
        cert=lab.issue_certificate(host).cert,                   # the key it serves now
        next_cert=lab.issue_certificate(host, host + "#2").cert,  # the key it will move to
        issuer=lab.pki.issuing.cert))
records = publish.generate(shop, hosts, mode="enforce")
print(records)

# %% [markdown]
# ## Deploy it in the lab
#
# `lab.add_domain` publishes the set in a new DNSSEC-signed zone (with its DS
# in the lab's root), starts an SMTP server per MX host with the lab key the
# records were computed from, and serves the policy at `mta-sts.shop.example`.
# Then one message from each enforcing sender:

# %%
lab.add_domain(records)
try_senders(lab, shop)

# %% [markdown]
# All three deliver with verified TLS: `auto` and `dane` by DANE, `mta-sts` by
# the WebPKI certificate and the policy. Now the key rollover, done right: the
# MX hosts move to the next key, whose record was published in advance.

# %%
lab.renew_key("mx1.shop.example", "mx1.shop.example#2")
lab.renew_key("mx2.shop.example", "mx2.shop.example#2")
try_senders(lab, shop)

# %% [markdown]
# ## Break it: a new key without its record
#
# The classic DANE outage. This time the set has only `3 1 1` for the current
# key (no next key, no `2 1 1`), and the certificate is renewed with a new key.
# DANE senders defer and report `tlsa-invalid`; the `mta-sts` sender still
# delivers, since the certificate is valid for the WebPKI. (A `2 1 1` record
# for the issuer would have kept DANE working too.)

# %%
lab.reset()  # removes shop.example
current_only = publish.generate(
    shop, [publish.MxHost(h.host, h.preference, cert=h.cert) for h in hosts], mode="enforce")
lab.add_domain(current_only)
lab.renew_key("mx1.shop.example", "mx1.shop.example#2")
lab.renew_key("mx2.shop.example", "mx2.shop.example#2")
try_senders(lab, shop)

# %% [markdown]
# ## Break it: the MX moves, the policy and its id do not
#
# The full set again; then both MX hosts are replaced by new ones, leaving
# the policy's `mx` lines and its id unchanged. MTA-STS senders refuse the new
# hosts and report `validation-failure`. The new hosts have no TLSA records
# either: a DANE-only sender sees no DANE and delivers with unauthenticated
# TLS, and the `auto` sender falls through to the stale policy and defers.

# %%
lab.reset()
lab.add_domain(records)
lab.move_mx(shop, "mx1.shop.example", "mx3.shop.example")
lab.move_mx(shop, "mx2.shop.example", "mx4.shop.example")
try_senders(lab, shop)

# %%
lab.reset()

# %% [markdown]
# ## Try it yourself
#
# **Exercise 1.** Predict the path through the tree (the node ids, as in
# `policy.TREE`: `mx`, `tlsa`, `unusable`, `sts`, `match`, and a rule) for
# each case below: the domain, and what the sender implements. Build a dict
# `prediction` from each domain to its list of node ids.

# %%
print(PATH_CASES)
print(list(policy.TREE))
prediction = None  # your answer: {domain: [node id, ...], ...}
### BEGIN SOLUTION
prediction = {
    "example.com": ["mx", "sts", "match", "sts-enforce"],    # no DANE in this sender
    "sts-enforce.example": ["mx", "sts", "opportunistic"],  # no MTA-STS in this one
}
### END SOLUTION

# %% tags=["check"]
check_path_prediction(prediction, lab)

# %% [markdown]
# **Exercise 2.** For each operator below, which mechanisms should it publish?
# Build `picks`: a dict from `'a'`, `'b'`, `'c'` to a set of names among
# `'DANE'`, `'MTA-STS'`, `'TLS-RPT'`.

# %%
for key, (text, _) in OPERATOR_PROFILES.items():
    print(f"{key}: {text}\n")
picks = None  # your answer: {'a': {...}, 'b': {...}, 'c': {...}}
### BEGIN SOLUTION
picks = {"a": {"DANE", "TLS-RPT"}, "b": {"MTA-STS", "TLS-RPT"},
         "c": {"DANE", "MTA-STS", "TLS-RPT"}}
### END SOLUTION

# %% tags=["check"]
check_operator_picks(picks)

# %% [markdown]
# **Exercise 3.** Design the records of a new lab domain, `my-shop.example`,
# whose one MX host is `mx.my-shop.example`, so that a `dane` sender *and* an
# `mta-sts` sender both deliver with verified TLS. Use `publish.generate` and
# certificates from `lab.issue_certificate`. The check deploys your records in
# the lab and sends real mail.

# %%
print(DESIGN_DOMAIN, DESIGN_MX)
my_records = None  # your answer: a RecordSet from publish.generate(...)
### BEGIN SOLUTION
my_records = publish.generate(DESIGN_DOMAIN, [publish.MxHost(
    DESIGN_MX, 10, cert=lab.issue_certificate(DESIGN_MX).cert,
    next_cert=lab.issue_certificate(DESIGN_MX, DESIGN_MX + "#2").cert,
    issuer=lab.pki.issuing.cert)], mode="enforce")
### END SOLUTION

# %% tags=["check"]
check_record_design(my_records, lab)

# %% [markdown]
# ## Equivalent commands
#
# With `shop.example` deployed in this notebook's lab (the cell below adds it
# again), check the records and the MX from a terminal: `delv` validates the
# TLSA records from the lab's trust anchor; `openssl s_client` checks the served
# key against a TLSA record itself (`-dane_tlsa_rrdata`); `curl` fetches the
# policy. On the internet, drop the `@127.0.0.1 -p`, `-a` and `--resolve` parts.

# %%
lab.add_domain(records)
info = lab.describe()
dns_port, smtp_port = info["dns"]["port"], info["hosts"]["mx1.shop.example"]["smtp"]
https_port, tlsa = info["hosts"]["mta-sts.shop.example"]["https"], records.of(
    "_25._tcp.mx1.shop.example", "TLSA")[0]
print(f"delv @127.0.0.1 -p {dns_port} -a {lab.trust_anchor_file} +root=. "
      "TLSA _25._tcp.mx1.shop.example")
print(f"openssl s_client -starttls smtp -connect 127.0.0.1:{smtp_port} "
      f"-dane_tlsa_domain mx1.shop.example -dane_tlsa_rrdata '{tlsa}' </dev/null")
print(f"curl --cacert {lab.ca_file} --resolve mta-sts.shop.example:{https_port}:127.0.0.1 "
      f"https://mta-sts.shop.example:{https_port}/.well-known/mta-sts.txt")

# %% [markdown]
# ## Key points
#
# - A sender decides per MX host: DANE when the MX and TLSA answers are
#   DNSSEC-secure and a record is usable; else MTA-STS if a policy is in force;
#   else opportunistic TLS. A DANE failure is never rescued by MTA-STS, but
#   TLSA records that authenticate nothing leave room for an enforce policy.
# - DANE has no first-contact gap and resists forged DNS, at the price of
#   DNSSEC operations and disciplined key rollovers (publish the next key first).
# - MTA-STS needs only HTTPS and a publicly trusted certificate, reaches the
#   senders that do not validate DNSSEC, and needs a new id with every change.
# - Publish both where you can, start MTA-STS in `testing`, and always publish
#   TLS-RPT: it is how you learn which sender deferred, and why.
# - Try a design in the lab before DNS: every breakage there is cheap.

# %% [markdown]
# ## Clean-up

# %%
lab.stop()

# %% [markdown] tags=["navigation"]
# [← 04 TLSA and DANE](04-tlsa-and-dane.ipynb) · [Contents](README.md) · [06 TLS reporting →](06-tls-reporting.ipynb)
