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
# [← 01 The STARTTLS transcript](01-starttls-transcript.ipynb) · [Contents](README.md) · [03 MTA-STS, done right →](03-mta-sts.ipynb)

# %% [markdown]
# # 02 · The stripping attack, walked through
#
# Notebook 01 ended on a weakness: the offer to encrypt, `STARTTLS`, travels in
# plaintext. Here an attacker on the path uses it, for real: the sending server
# delivers in the clear and logs nothing unusual; the receiving server gets a
# normal message. Then we turn on enforcement and watch the same attack fail.
# We see three things at once: the sender's decision, the attacker's view and
# the receiver's mailbox.

# %% [markdown]
# > **In this notebook**
# >
# > **Questions:** How does an attacker make a sending server deliver in the
# > clear? Why does nobody notice? What stops it, and what does it cost?
# >
# > **Objectives:** carry out a STARTTLS stripping and a certificate
# > substitution in the lab; read the attacker's log; explain why opportunistic
# > senders fall for both, and for a refused STARTTLS and a forged MX record;
# > show that MTA-STS and DANE senders defer instead, and how long a deferred
# > message waits before it bounces; see why a receiver that requires STARTTLS
# > is no defence; explain MTA-STS's first-contact gap; predict each sender's
# > outcome.
# >
# > **Time:** 30 min teaching + 15 min exercises
# >
# > **Prerequisites:** [01 The STARTTLS transcript](01-starttls-transcript.ipynb).

# %%
from helpers import figures
from helpers.attacks import MESSAGE, SECRET, run_matrix, set_up, side_by_side
from helpers.exercises.nb02 import (PREDICT_ATTACKS, check_found_secret, check_matrix_prediction,
                                    check_receiver_prediction)
from helpers.lab import Lab
from helpers.sender import Sender

lab = Lab.start(seed=1)
print(MESSAGE)

# %% [markdown]
# `helpers.sender` is a small sending mail server (an MTA). Its *policy* says
# how it treats TLS: `opportunistic` is what most servers do today (TLS when
# offered, any certificate accepted, plaintext otherwise); `mta-sts` and `dane`
# each enforce one thing the receiving domain publishes (an MTA-STS policy,
# DNSSEC-signed TLSA records); `auto` applies both: DANE for an MX host that
# has DNSSEC-signed TLSA records, otherwise MTA-STS if the domain publishes a
# policy, otherwise opportunistic. The one rule the RFCs set for the
# combination is that MTA-STS must never rescue a failed DANE check
# (RFC 8461 §2); giving DANE precedence per MX host, as `auto` does, is this
# course's choice, the safest reading of that rule. Real MTAs differ: the
# widely used Postfix add-on postfix-mta-sts-resolver lets an MTA-STS policy
# *override* DANE, and has warned about it in its README since version 1.1.5
# (December 2022, issue #67). Check what your MTA does. The recipient is
# `bob@example.com`, whose domain publishes both MTA-STS and DANE.

# %% [markdown]
# ## Scene 1: a normal delivery
#
# An opportunistic sender, no attacker. A passive tap on the path shows what
# anyone there could read: the start of the conversation, then ciphertext.

# %%
tap = lab.attack("mx1.example.com", "tap")
sender = Sender(lab.net, "opportunistic")
outcome = sender.send(MESSAGE, "bob@example.com")
outcome

# %%
side_by_side(outcome, [tap], "Scene 1: opportunistic sender, passive tap")

# %% [markdown]
# ## Scene 2: the attacker strips STARTTLS
#
# Now the attacker rewrites one line of the EHLO reply: `250-STARTTLS` becomes
# `250-XXXXXXXA`, the way firewalls do it: Cisco's ASA, whose ESMTP inspection
# is on by default, removes the STARTTLS offer so that it can inspect a
# plaintext session, masking commands it does not allow with X's (its CLI
# configuration guide, "Defaults for ESMTP Inspection").
# The sender sees no offer to encrypt, so it does what opportunistic TLS says:
# it delivers in the clear.

# %%
read = set_up(lab, "strip")
sender = Sender(lab.net, "opportunistic")
outcome = sender.send(MESSAGE, "bob@example.com")
print(outcome)
print("\nthe attacker read the message:", read(SECRET))

# %%
strip_attacker = lab.attackers["mx1.example.com"]
side_by_side(outcome, [strip_attacker], "Scene 2: opportunistic sender, STARTTLS stripped")

# %% [markdown]
# And nobody notices: the sender recorded no failure, and the receiver simply
# got a message over a plaintext connection, which it accepts from many
# senders every day.

# %%
print("failures the sender noted:", outcome.failures)
print(lab.mailbox)

# %% [markdown]
# A blunter variant, `refuse`, leaves the offer in place but answers the
# sender's `STARTTLS` with `454 TLS not available` (a temporary failure,
# RFC 3207 §4). An opportunistic sender treats that like no offer at all and
# carries on in the clear, in the same session:

# %%
read = set_up(lab, "refuse")
outcome = Sender(lab.net, "opportunistic").send(MESSAGE, "bob@example.com")
print(outcome.status, "| the attacker read the message:", read(SECRET))
refused = [line.text for line in outcome.attempts[0].transcript.lines
           if line.text.upper().startswith(("STARTTLS", "454"))]
print(refused)

# %% [markdown]
# ## Scene 3: the attacker substitutes the certificate
#
# A subtler attacker leaves STARTTLS alone, answers it itself with a
# self-signed certificate for `mx1.example.com`, and relays to the real server.
# There is TLS on both sides, so the mail even *looks* encrypted at both ends,
# but the attacker decrypts everything in between. An opportunistic sender does
# not check certificates, so it cannot tell.

# %%
read = set_up(lab, "substitute")
outcome = Sender(lab.net, "opportunistic").send(MESSAGE, "bob@example.com")
print(outcome.status, "| the attacker read the message:", read(SECRET))
print(lab.mailbox)
side_by_side(outcome, list(lab.attackers.values()), "Scene 3: certificate substitution")

# %% [markdown]
# ### Does a receiver that *requires* STARTTLS help?
#
# `tls-required.example` answers `MAIL FROM` with an error until the sender has
# done STARTTLS: it refuses to receive mail in the clear. Does that protect its
# mail from these two attackers? Predict before you run anything.
#
# **Exercise (prediction).** For each attack, `strip` (scene 2) and
# `substitute` (scene 3), against `tls-required.example` and an
# opportunistic sender: is the message delivered to the mailbox, and does the
# attacker read it? Fill in `receiver_prediction` with a pair
# `(delivered, attacker_read)` of `True`/`False` per attack; the check runs
# both attacks in the lab.

# %%
receiver_prediction = None  # your answer: {"strip": (?, ?), "substitute": (?, ?)}
### BEGIN SOLUTION
receiver_prediction = {"strip": (False, False), "substitute": (True, True)}
### END SOLUTION

# %% tags=["check"]
check_receiver_prediction(receiver_prediction, lab)

# %% [markdown]
# Against the naive `strip` attacker, which only rewrites one line and relays
# the rest, the receiver's rule turns exposure into a failed delivery: the
# message bounces. But an attacker who *terminates* SMTP, like `substitute`,
# does the STARTTLS with the MX itself: the MX sees a normal TLS session, and
# the attacker reads everything the sender sent it. Requiring TLS at the
# receiver cannot protect the hop from the sender to the MX; only the *sender*
# can, by enforcing (MTA-STS, DANE). A public MX must not require STARTTLS
# anyway: RFC 3207 §4 says "A publicly-referenced SMTP server MUST NOT require
# use of the STARTTLS extension in order to deliver mail locally", because
# senders without TLS could not reach it at all.

# %%
for attack in ("strip", "substitute"):
    read = set_up(lab, attack, "tls-required.example")
    outcome = Sender(lab.net, "opportunistic").send(MESSAGE, "bob@tls-required.example")
    print(f"{attack:<10} {outcome.status:<30} attacker read it: {read(SECRET)}")
print(lab.mailbox)
lab.reset()

# %% [markdown]
# ## Scene 4: the recipient publishes MTA-STS `enforce`
#
# `example.com` publishes an MTA-STS policy in `enforce` mode (notebook 03). A
# sender that applies it requires STARTTLS and a valid certificate for an MX
# named in the policy. Under the same stripping attack it refuses to deliver:
# the message is **deferred**, it stays in the queue, and a TLS-RPT failure
# detail is recorded for the domain's TLS-RPT reports (RFC 8460).

# %%
set_up(lab, "strip")
mta_sts = Sender(lab.net, "mta-sts")
outcome = mta_sts.send(MESSAGE, "bob@example.com")
outcome

# %%
print("queued:", [(q.recipient, q.tries) for q in mta_sts.queue])
print("mailbox:", len(lab.mailbox), "messages")

# %% [markdown]
# Deferring is not losing, as long as the attack ends in time. The message
# waits in the queue and is tried again; when the attack stops, the next retry
# delivers it, over verified TLS. But a queue does not wait for ever: after the
# sender's queue lifetime (5 days by default in Postfix, its
# `maximal_queue_lifetime`; this lab's sender uses the same default) the message
# **bounces** back to its author. A long attack, or a broken certificate or key
# rollover that nobody notices, does lose mail; that is why TLS-RPT reports and
# monitoring matter (notebook 06). Before it gives up on a message because of
# an `enforce` policy, a sender must first check for an updated policy
# (RFC 8461 §5), so that a domain that fixed its policy is not bounced by a
# stale copy.

# %%
lab.reset()  # the attacker is gone
print(mta_sts.retry()[0])
print("queued:", mta_sts.queue)

# %% [markdown]
# ## Scene 5: DANE, anchored in DNSSEC
#
# A DANE sender finds DNSSEC-signed TLSA records for the MX hosts of
# `example.com`. TLS becomes mandatory and the server's key must match the
# record (notebook 04). The substituted certificate does not:

# %%
set_up(lab, "substitute")
dane_sender = Sender(lab.net, "dane")
outcome = dane_sender.send(MESSAGE, "bob@example.com")
outcome

# %% [markdown]
# ## Scene 6: first contact
#
# MTA-STS has one gap. Its policy comes over HTTPS, and a sender that has
# never fetched it has nothing to enforce. An attacker who blocks the policy
# fetch *the first time* (and strips STARTTLS) gets the mail (RFC 8461 §10.2).
# DANE has no such gap: the TLSA lookup is part of every delivery. A *forged*
# DNS answer is **bogus** (its signature does not fit, notebook 04); a
# *blocked* one is a **lookup error** (no answer at all). Neither is "no TLSA
# record": the DANE sender defers in both cases.

# %%
for policy in ("mta-sts", "dane"):
    read = set_up(lab, "first contact")
    fresh = Sender(lab.net, policy)
    result = fresh.send(MESSAGE, "bob@example.com")
    print(f"{policy:<8} first contact: {result.status:<30} attacker read it: {read(SECRET)}")

# %% [markdown]
# A sender that has delivered to the domain before holds the policy in its
# cache, for up to `max_age` (a week for `example.com`): it stays protected.

# %%
lab.reset()
seasoned = Sender(lab.net, "mta-sts")
print("before the attack:", seasoned.send(MESSAGE, "bob@example.com").status)
read = set_up(lab, "first contact")
print("under attack:     ", seasoned.send(MESSAGE, "bob@example.com").status,
      "| attacker read it:", read(SECRET))

# %% [markdown]
# ## Scene 7: the attacker forges the MX record
#
# An attacker who can answer DNS questions on the path does not need to touch
# SMTP at all: `spoof MX` forges `example.com`'s MX record so that it names
# `mx.attacker.example`, the attacker's own server. That server offers
# STARTTLS with a perfectly valid certificate, for *its own* name. An
# opportunistic sender follows the MX record it was given:

# %%
read = set_up(lab, "spoof MX")
outcome = Sender(lab.net, "opportunistic").send(MESSAGE, "bob@example.com")
print(f"delivered to {outcome.attempts[0].mx}: {outcome.status}",
      "| the attacker read the message:", read(SECRET))
lab.reset()

# %% [markdown]
# Which enforcing senders fall for it is the first part of exercise 2: think
# about what each one compares the MX host name with, and whether the
# attacker can forge that too.

# %% [markdown]
# ## Try it yourself
#
# **Exercise 1 (warm-up).** In scene 2, `strip_attacker.log` holds every chunk
# the stripping attacker relayed; each has `.sender`, `.data` (bytes) and
# `.channel`. Find the entry that contains the body of the message, and store
# it in `found`.

# %%
found = None  # your answer: one entry of strip_attacker.log
### BEGIN SOLUTION
found = next(s for s in strip_attacker.log if SECRET.encode() in s.data)
### END SOLUTION

# %% tags=["check"]
check_found_secret(found, strip_attacker, SECRET)

# %% [markdown]
# **Exercise 2.** Predict before you look at the summary below: for the
# attacks `spoof MX` (scene 7) and `first contact` (scene 6), does the
# attacker read the message, for each sender policy, `auto` included? Reason
# from what each policy checks, fill in `prediction`, then run the check: it
# sends the message under every attack and policy in the lab and compares.

# %%
policies = ("opportunistic", "mta-sts", "dane", "auto")
print("attacks:", PREDICT_ATTACKS, "\npolicies:", policies)
prediction = None  # your answer: {(attack, policy): True or False, ...}
### BEGIN SOLUTION
prediction = {
    ("spoof MX", "opportunistic"): True, ("spoof MX", "mta-sts"): False,
    ("spoof MX", "dane"): False, ("spoof MX", "auto"): False,
    ("first contact", "opportunistic"): True, ("first contact", "mta-sts"): True,
    ("first contact", "dane"): False, ("first contact", "auto"): False,
}
### END SOLUTION

# %% [markdown]
# The check runs every combination in the lab (about a second):

# %%
matrix = run_matrix(lab)

# %% tags=["check"]
check_matrix_prediction(prediction, matrix)

# %% [markdown]
# ## The whole picture
#
# Every attack against every sender policy, each cell a real delivery in the
# lab, with a fresh sender (no cached policy):

# %%
figures.attack_matrix(matrix)


# %% [markdown]
# *In words:* the same matrix as a table follows: one row per attack, one
# column per sender policy, and in each cell what became of the message and
# whether the attacker read it.

# %%
matrix
# %% [markdown]
# The opportunistic column is today's default: every active attack works and
# nobody notices. Enforcing senders defer instead (the message waits in the
# queue until the attack stops, or bounces when the queue lifetime runs out).
# MTA-STS leaves one gap, first contact; DANE closes it, for domains that sign
# their zone with DNSSEC.

# %%
# Pick any cell of the matrix and watch it happen: the sender, the attacker, the mailbox.
from helpers.widgets.attack_explorer import attack_explorer

attack_explorer(lab)

# %% [markdown]
# ## Equivalent commands
#
# `swaks` shows both sides of the stripping. The cell below puts a stripping
# attacker on this notebook's lab and prints commands aimed at it: run them in
# a terminal before the clean-up cell. A sender that merely *tries* TLS
# continues in the clear; one that *requires* it stops.

# %%
lab.attack("mx1.example.com", "strip")
address, port = lab.net.smtp_endpoint("mx1.example.com")  # the attacker's port now
print(f"swaks --server {address}:{port} --to bob@example.com --tls-optional  # sent in the clear")
print(f"swaks --server {address}:{port} --to bob@example.com --tls           # refused: no STARTTLS")

# %% [markdown]
# In Postfix the choice is `smtp_tls_security_level` (postconf(5)): `may` is
# opportunistic; `dane` is *opportunistic DANE*, the `auto` column's DANE half
# ("When DNSSEC-validated TLSA records are not found the effective tls security
# level is 'may'"); `dane-only`, `verify`, `secure` and `encrypt` are mandatory
# levels, meant for chosen destinations, not for the whole Internet. Postfix
# has no MTA-STS of its own: it needs a policy daemon such as
# postfix-mta-sts-resolver, through `smtp_tls_policy_maps` (with the DANE
# caveat above). Exim and other MTAs have the same choices under other names;
# notebook 08 looks at real MTAs in depth.

# %% [markdown]
# ## Key points
#
# - Stripping works because STARTTLS is offered in plaintext; certificate
#   substitution works because opportunistic senders check no certificate.
# - Neither end sees an error: the sender believes it did its best, the
#   receiver got an ordinary message.
# - Enforcing senders (MTA-STS, DANE) defer instead; the message stays queued
#   and is delivered if the attack stops within the queue lifetime (Postfix:
#   5 days), else it bounces; a TLS-RPT failure is recorded either way.
# - Requiring STARTTLS at the receiver does not stop an attacker who does the
#   STARTTLS with the MX itself, and a public MX must not require it
#   (RFC 3207 §4): only the sender can refuse a downgrade.
# - MTA-STS has a first-contact gap, covered by its cache afterwards; DANE
#   has none, but needs DNSSEC.

# %% [markdown]
# ## Clean-up

# %%
lab.stop()

# %% [markdown] tags=["navigation"]
# [← 01 The STARTTLS transcript](01-starttls-transcript.ipynb) · [Contents](README.md) · [03 MTA-STS, done right →](03-mta-sts.ipynb)
