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
# > sender defers when it breaks; order the changes of an MX move under an
# > enforced MTA-STS policy so that no sender defers.
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
from helpers.exercises.nb05 import DESIGN_DOMAIN, DESIGN_MX, MIGRATION_STEPS, PATH_CASES
from helpers.exercises.nb05 import check_migration_order, check_path_prediction, check_record_design
from helpers.lab import Lab
from helpers.widgets.operator import operator_form

lab = Lab.start(seed=1)

# %% [markdown]
# ## The sender's tree
#
# For one message, per MX host, a sender that implements both mechanisms asks
# these questions (RFC 7672 §2.2, RFC 8461 §2, §4-5). DANE comes first here: TLSA
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
# message waits in the queue if no other MX takes it). *MTA-STS testing* is
# orange, like opportunistic TLS: in testing mode a failed check still
# delivers (RFC 8461 §5), so an attacker who strips STARTTLS gets the mail in
# the clear; only the report says so afterwards.
#
# Two answers of the MX lookup end elsewhere. A *null MX*, the single record
# `0 .`, says the domain accepts no mail (RFC 7505 §3): the message bounces at
# once, without any connection, and goes back to its sender (purple). *No MX
# records* at all is not an error: the domain's own address is then the mail
# server, the implicit MX (RFC 5321 §5.1), and the same questions follow for
# that host; a DANE sender looks up TLSA at `_25._tcp.<domain>` (RFC 7672
# §2.2.2). Only with no address either is there no mail server, and the
# message bounces.

# %% [markdown]
# Two MX answers name no MX host at all. With **no MX records**, RFC 5321 §5.1
# applies the *implicit MX*: the domain's own address records act as one MX of
# preference 0, and DANE looks for TLSA at `_25._tcp.<domain>` (RFC 7672
# §2.2.2). A **null MX** (`MX 0 .`, RFC 7505) says the domain accepts no mail
# at all: the sender fails the message at once, permanently (a bounce), without
# queueing it. Publishing a null MX is the right thing for a domain that never
# receives mail.

# %% [markdown]
# ## One domain, question by question
#
# `policy.trace(domain, net)` asks the questions for real (DNS, DNSSEC, the
# policy over HTTPS; no SMTP) and records each answer and the rule per MX.
# For `example.com`, which publishes both, this course's `auto` sender gives
# DANE precedence on both MX hosts and does not even fetch the MTA-STS policy.
# That is a choice, not the RFC's rule: RFC 8461 §2 only forbids letting
# MTA-STS rescue a failed DANE check. Fetching the policy anyway would have
# costs and uses (a cached copy in case the zone later stops being signed, and
# `sts` data for TLS-RPT), and a sender that holds a valid policy must check
# the MX against it (§4). Real MTAs differ (notebook 02):

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
# | what breaks, and how | a key rollover without a pre-published TLSA record defers *all* DANE senders at once; expired DNSSEC signatures make the zone bogus for every validating resolver, so *every* sender behind one, DANE or not, loses the MX lookup and defers | an MX change without a new policy and id (enforcing senders defer); an expired MX certificate (the same); an expired *policy-host* certificate defers nothing but stops policy refreshes (`sts-webpki-invalid`), so protection silently lapses once caches pass `max_age` |
# | cost to deploy | a DNS host that signs and serves TLSA; automation that follows key changes | an HTTPS host at `mta-sts.<domain>`; remembering the id |
# | who applies it | senders whose MTA validates DNSSEC: Microsoft Exchange Online (outbound since March 2022; inbound DANE for its customers' domains since 28 October 2024), Postfix and Exim given a validating resolver | senders that implement MTA-STS, with or without DNSSEC: Gmail since April 2019 (it also asks for TLS 1.2 or higher); Postfix only through a policy daemon |
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
# The adoption figures above are quoted with their source and year. Treat
# domain counts with care: a few large providers carry most of the mail (Gmail
# applies MTA-STS, Exchange Online applies DANE), and most DANE domains sit with
# a handful of hosting providers that enabled it for all their customers. The
# IMC 2025 study is also a list of the mistakes to avoid: almost a third of the
# MTA-STS deployments it found were misconfigured. The form is a widget: without
# a browser, `operator_form(dnssec=False, https=True, ...)` or
# `policy.recommend(**answers)` gives the same answer from code.

# %% [markdown]
# ## Generate the records
#
# `publish.generate` writes the complete set for a domain, from its MX hosts and
# their certificates: the MX records; `3 1 1` for each host's current key and
# for the key it will move to (RFC 7671 §8.1), and here also `2 1 1` for the
# issuing CA, which is sound only because the lab's CA is our own and its key is
# known (notebook 04: a public CA's rotating intermediates make it break); the `_mta-sts` TXT record with an id that changes whenever the
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
lab.add_domain(records)  # run twice, it says so: lab.reset() removes added domains
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
# for the lab's own issuer would have kept DANE working too; with a public CA
# that is no plan, notebook 04.)

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

# %% [markdown]
# ## Break it again: an MX migration under `enforce`, in the wrong order
#
# The MX change itself is easy; the order of the MTA-STS steps is what breaks
# mail. Senders that delivered before hold the policy in their cache, keyed by
# its id. Below, a migration done in the wrong order, with a sender that has
# delivered to `shop.example` before: first a new id, then the new file, then
# the MX records.

# %%
from helpers.sender import Sender

ALL_FOUR = ("mx1.shop.example", "mx2.shop.example", "mx3.shop.example", "mx4.shop.example")

def policy_file(*hosts):
    """An enforce policy allowing ``hosts``, cached for two weeks."""
    return ("version: STSv1\nmode: enforce\n" + "".join(f"mx: {h}\n" for h in hosts)
            + "max_age: 1209600\n").encode()

def new_id(value):
    lab.set_records(shop, f"_mta-sts.{shop}", "TXT", [f'"v=STSv1; id={value};"'])

def send(sender, step):
    outcome = sender.send("Subject: order matters\r\n\r\nhello\r\n", f"bob@{shop}")
    print(f"{step:<38} {outcome.status}")

lab.reset()
lab.add_domain(records)
regular = Sender(lab.net, "mta-sts")
send(regular, "before the migration")
new_id("20260702T000000")                              # 1. the id first (wrong)
send(regular, "new id, old file still served")          # fetches the OLD file under the new id
lab.set_policy_answer(shop, body=policy_file(*ALL_FOUR))  # 2. then the file
lab.move_mx(shop, "mx1.shop.example", "mx3.shop.example")
lab.move_mx(shop, "mx2.shop.example", "mx4.shop.example")
send(regular, "MX moved")

# %% [markdown]
# The sender fetched when it saw the new id, got the old file, and cached it
# *under the new id*: nothing tells it to fetch again until its daily refresh
# (§3.3), or until `max_age` for a sender that does not refresh. Until then
# every message waits in its queue. What is the right order, one in which no
# sender ever waits, whatever it has cached and however often it looks at the
# id? That is exercise 2 below; keep this example in mind.

# %%
lab.reset()

# %% [markdown]
# ## Before you publish: an operations checklist
#
# What the lab does not show, and real deployments trip over:
#
# - **Order.** TLS-RPT first (`_smtp._tls`), then MTA-STS in `testing`, then
#   `enforce` once the reports are clean. Policy file before id (RFC 8461 §8.1).
#   To leave MTA-STS: `mode: none` under a new id, wait out the longest
#   `max_age`, then remove the records (§8.3).
# - **DANE key changes.** The next key's `3 1 1` at least two TTLs before the
#   switch, served by *every* authoritative server (RFC 7671 §8.1); every
#   record in the RRset must match the current chain (§8). A server with both
#   an RSA and an ECDSA certificate needs a record for each key. Keep TLSA TTLs
#   modest (the Dutch Internet Standards Platform's how-to suggests 30-60
#   minutes), and monitor every address (IPv4 and IPv6) of every MX host.
# - **Every MX host.** A backup MX without TLSA, or outside the policy, is the
#   one an attacker picks, and its mistakes show only when the primary is down
#   (RFC 8461 §8.4).
# - **TLS itself.** MTA-STS senders MUST send SNI (the MX host name) and MUST
#   support TLS 1.2 or later (RFC 8461 §7.1, §7.2; Gmail asks for 1.2+), and a
#   server must not depend on SNI to pick a usable certificate. The MX
#   certificate names the *MX host*, not the mail domain.
# - **Hosted MTA-STS.** `_mta-sts.<domain>` may be a CNAME to a provider, but
#   the policy host must present a certificate for `mta-sts.<your domain>`
#   (RFC 8461 §8.2): the provider's own name does not do (notebook 03's
#   `sts-bad-policy-cert.example` shows what senders then do).
# - **Subdomains.** A policy covers exactly one domain: `sub.example.com`
#   does not inherit `example.com`'s (RFC 8461 §3.4).
# - **DNSSEC.** Sign with an algorithm validators support (RFC 8624: 8 or 13);
#   a zone signed only with one a validator does not know validates as
#   *insecure* there, and DANE silently switches off. Watch signature expiry:
#   expired signatures make the zone bogus for everyone.
# - **WebPKI.** An attacker who hijacks DNS or routing can obtain a certificate
#   for your MX or `mta-sts` host (RFC 8461 §10.1): publish CAA records and
#   watch Certificate Transparency logs for your names.
# - **The message's own wish.** REQUIRETLS (RFC 8689) lets the author of a
#   message demand TLS on every hop, and `TLS-Required: No` asks relays to
#   ignore MTA-STS and DANE failures for it (a bounce notice, say). Few MTAs
#   implement it yet.

# %% [markdown]
# ## Try it yourself
#
# **Exercise 1.** Predict the path through the tree for each case below: the
# domain, and what the sender implements (`mta-sts` only, or `dane` only). The
# figure shows the boxes' texts; the cell below prints each box's *id* next to
# its text, which is what the answer uses. A sender that does not implement a
# mechanism does not ask its question: its path skips that box. Build a dict
# `prediction` from each domain to its list of node ids, from `mx` to the rule
# it ends on. Afterwards, `policy.trace(domain, lab.net, mode="dane")` shows the
# real path for a sender of that kind.

# %%
for domain, mode in PATH_CASES:
    print(f"case: {domain}, a sender that implements only {mode}")
print()
for node in policy.TREE.values():
    print(f"{node.id:<14} {node.text}")
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
# **Exercise 2.** `shop.example` (one MX host, `mx1.shop.example`, and an
# MTA-STS policy in `enforce`) moves its mail to a new host,
# `mx2.shop.example`. "Break it" above showed what happens when the MX moves
# and the policy does not. Put the five changes below in the order in which
# no enforcing sender ever defers a message, whatever it has cached: a list of
# the letters, first step first, in `order`.

# %%
for letter, step in MIGRATION_STEPS.items():
    print(f"{letter}: {step}")
order = None  # your answer: ["?", "?", "?", "?", "?"]
### BEGIN SOLUTION
order = ["d", "b", "e", "a", "c"]
### END SOLUTION

# %% tags=["check"]
check_migration_order(order)

# %% [markdown]
# **Exercise 3.** A new lab domain, `my-shop.example`, has one MX host,
# `mx.my-shop.example`, run by a hosting provider. Its zone is DNSSEC-signed.
# The provider renews the MX certificate every 60 days *with a new key*, and
# does not tell the shop the new key in advance; its certificates come from a
# public CA that rotates its intermediate certificates. Design the shop's
# records with `publish.generate` (a certificate for the key the MX serves
# now: `lab.issue_certificate(DESIGN_MX)`) so that neither a `dane` nor an
# `mta-sts` sender ever defers a message, today or after a renewal, and the
# `mta-sts` sender authenticates the MX. The check deploys your records in the
# lab, sends real mail, lets the provider renew the key, and sends again.

# %%
print(DESIGN_DOMAIN, DESIGN_MX)
my_records = None  # your answer: a RecordSet from publish.generate(...)
### BEGIN SOLUTION
# No TLSA: nobody can publish the next key in time, and a 2 1 1 would break at
# the CA's next rotation. MTA-STS checks the name, which survives a new key.
my_records = publish.generate(DESIGN_DOMAIN, [publish.MxHost(DESIGN_MX, 10)], mode="enforce")
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
