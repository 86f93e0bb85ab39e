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
# [← 00 Start here](00-start-here.ipynb) · [Contents](README.md) · [02 The stripping attack, walked through →](02-stripping-attack.ipynb)

# %% [markdown]
# # 01 · The STARTTLS transcript
#
# Before we attack anything, let us watch one delivery closely: every line a
# sending mail server and a receiving one exchange, byte for byte, and the
# moment the conversation disappears into TLS.

# %% [markdown]
# > **In this notebook**
# >
# > **Questions:** What does a delivery between mail servers look like on the
# > wire? What does STARTTLS change, and what does it leave readable? Why does
# > the client say EHLO twice?
# >
# > **Objectives:** name each step of an SMTP session with STARTTLS; point out
# > which lines travel in the clear; explain why the capability list before TLS
# > must be forgotten (RFC 3207 §4.2); parse an EHLO reply into capabilities;
# > predict what a passive eavesdropper reads, and verify it.
# >
# > **Time:** 20 min teaching + 20 min exercises
# >
# > **Prerequisites:** [00 Start here](00-start-here.ipynb).

# %%
from helpers import figures, smtp
from helpers.exercises.nb01 import (TAP_QUESTIONS, check_last_readable, check_parse_ehlo,
                                check_tap_prediction)
from helpers.lab import Lab

lab = Lab.start(seed=1)

# %% [markdown]
# ## One delivery, recorded
#
# `smtp.deliver` is the standard library's `smtplib`, connected through the
# lab's network and recording every line: who sent it, its exact bytes, and
# whether it travelled in the clear or inside TLS. Here a sending server
# delivers one short message to `mx1.example.com`, the first MX of
# `example.com`, and upgrades to TLS because the server offers it.

# %%
message = (
    "From: alice@sender.example\r\n"
    "To: bob@example.com\r\n"
    "Subject: Lunch\r\n"
    "\r\n"
    "The meeting moved to noon. Tell nobody.\r\n"
)
delivery = smtp.deliver("mx1.example.com", lab.net, message,
                        sender="alice@sender.example", recipients=["bob@example.com"])
delivery

# %% [markdown]
# ## Reading it line by line
#
# - **Greeting** (`220`): the server speaks first and names itself.
# - **EHLO**: the client introduces itself and asks which *extensions* the
#   server supports (RFC 5321 §4.1.1.1). The reply is a multi-line `250`:
#   `250-` means "more lines follow", `250 ` (a space) marks the last line.
# - **`STARTTLS`** in that list is the offer to encrypt (RFC 3207). Note where
#   it is: in a plaintext reply that anyone on the path can read, *and change*.
# - The client sends `STARTTLS`; the server answers `220 Ready to start TLS`.
#   That is the last SMTP line in the clear: the TLS handshake follows.
# - **EHLO again**, now inside TLS. RFC 3207 §4.2 requires the client to
#   forget everything it learned before TLS (a MUST: an attacker could have
#   altered it), and asks it to start with a new EHLO (a SHOULD). Notice that the second list no longer offers STARTTLS.
# - `MAIL FROM`, `RCPT TO` (the *envelope*), `DATA`, the message, a lone `.`,
#   and `QUIT`: all inside TLS. (Python's `smtplib` writes its commands in
#   lower case, `ehlo`, `mail FROM:`; SMTP commands are case-insensitive,
#   RFC 5321 §2.4.)

# %% [markdown]
# The two capability lists, parsed:

# %%
first, second = delivery.transcript.replies("ehlo")
print("before TLS:", smtp.parse_ehlo(first))
print("inside TLS:", smtp.parse_ehlo(second))

# %%
# Step through the same session, one line at a time, beside what an eavesdropper reads.
from helpers.widgets.transcript_stepper import transcript_stepper

transcript_stepper(delivery.transcript)

# %% [markdown]
# ## What TLS settled
#
# The handshake agreed on a protocol version and cipher, and the server sent
# its certificate chain: its own certificate first, then the certificate of
# the authority that issued it. This client *verified* the chain against the
# lab's root certificate authority and checked the name `mx1.example.com`.
# Most sending servers do not *enforce* the result: at their default settings
# (opportunistic TLS, RFC 7435) they may check the certificate and log the
# outcome (Postfix logs each session as Anonymous, Untrusted, Trusted or
# Verified), but deliver whatever it is. Large senders do enforce for domains
# that ask (Gmail for MTA-STS since 2019, Exchange Online for DANE since 2022;
# notebook 05). The stripping notebook (02) shows what not enforcing costs.

# %%
tls = delivery.transcript.tls
print(tls)
for depth, cert in enumerate(tls.chain):
    print(f"  depth {depth}: {cert.subject.rfc4514_string()}")
    print(f"           issued by {cert.issuer.rfc4514_string()}, "
          f"valid until {cert.not_valid_after_utc:%Y-%m-%d}")

# %% [markdown]
# ## As a picture
#
# The same session as a sequence diagram: time runs downwards, each arrow goes
# from the sender of a line to its receiver. Warm arrows are readable by anyone
# on the path; green ones are inside TLS.

# %%
figures.sequence_diagram(delivery.transcript, title="Delivery to mx1.example.com with STARTTLS")


# %% [markdown]
# *In words:* the sending MTA (left) and mx1.example.com (right), one arrow
# per line, time running downwards. The first five lines (the server's 220
# greeting, EHLO, the capability list with STARTTLS, the STARTTLS command and
# the server's "220 Ready to start TLS") are drawn in orange: in the clear,
# anyone on the path reads them. A band marks the TLS handshake. Every line
# after it (EHLO again, MAIL FROM, RCPT TO, DATA, the message, QUIT and the
# replies) is drawn in green: inside TLS, encrypted.
# %% [markdown]
# ## What an eavesdropper sees
#
# Now put a passive *tap* on the path to `mx1.example.com`: it relays every
# byte unchanged and records what it sees. Then deliver the same message again.

# %%
tap = lab.attack("mx1.example.com", "tap")
again = smtp.deliver("mx1.example.com", lab.net, message,
                     sender="alice@sender.example", recipients=["bob@example.com"])
print("delivered:", again.accepted)
tap

# %% [markdown]
# The tap read the greeting, the client's EHLO and the server's reply to it
# (the capability list), and the STARTTLS exchange. After `220 Ready to start TLS` it sees only TLS records.
# The first bytes after the switch are a TLS record header: `16` is a
# handshake record, `03 01` the record-layer version (TLS 1.0's number, kept
# in the first record for compatibility even when TLS 1.3 is negotiated).

# %%
first_secret = next(s for s in tap.log if not s.readable)
print("first bytes after STARTTLS:", first_secret.data[:3].hex(" "), "from the", first_secret.sender)
print("did the tap see the message text?", tap.saw("Tell nobody"))
print("did the tap see the recipient?   ", tap.saw("bob@example.com"))

# %% [markdown]
# So STARTTLS protected the envelope and the message *from a passive
# eavesdropper*. It did nothing to protect the plaintext part, where the offer
# to encrypt was made. That is the weakness the stripping attack (notebook 02)
# exploits, and MTA-STS (notebook 03) and DANE (notebook 04) repair.

# %%
lab.stop_attack()

# %% [markdown]
# ## Try it yourself
#
# **Exercise 1 (warm-up).** Which was the last line of the first delivery
# that a passive eavesdropper could read? Each line in `delivery.transcript.lines` has
# `.sender`, `.data` (the exact bytes) and `.encrypted`. Store that line in
# `last_readable`.

# %%
lines = delivery.transcript.lines
last_readable = None  # your answer: one of the lines
### BEGIN SOLUTION
last_readable = [line for line in lines if not line.encrypted][-1]
### END SOLUTION

# %% tags=["check"]
check_last_readable(last_readable, delivery.transcript)

# %% [markdown]
# **Exercise 2.** Write `parse_ehlo(reply)`: given the bytes of an EHLO reply,
# return a dict from each capability keyword (in upper case) to its list of
# parameters. The first line names the server: it is not a capability.
# Keywords are case-insensitive. For example, from
# `b"250-mx.example\r\n250-SIZE 33554432\r\n250 STARTTLS\r\n"` your function
# should return `{"SIZE": ["33554432"], "STARTTLS": []}`. (Writing your own is
# the point: the course's `smtp.parse_ehlo` does not count.)

# %%
def parse_ehlo(reply):
    ### BEGIN SOLUTION
    caps = {}
    for line in reply.decode("ascii").splitlines()[1:]:
        keyword, *params = line[4:].split()
        caps[keyword.upper()] = params
    return caps
    ### END SOLUTION

# %% tags=["check"]
check_parse_ehlo(parse_ehlo)

# %% [markdown]
# **Exercise 3.** Predict, then verify. The check puts a passive tap on the
# path to `mx1.example.com` and delivers `message` once more, with STARTTLS.
# For each item below, will the tap read it? Answer `True` or `False` for each
# in `prediction`, from what you saw in this notebook, *before* running the
# check; then the check tells you what the tap really read.

# %%
for item in TAP_QUESTIONS:
    print(item)
prediction = None  # your answer: {item: True or False, ...}
### BEGIN SOLUTION
prediction = {item: False for item in TAP_QUESTIONS}
prediction["the name the client gives in EHLO (sender.example)"] = True
prediction["the server's offer, STARTTLS"] = True
### END SOLUTION

# %% tags=["check"]
check_tap_prediction(prediction, lab, message)

# %% [markdown]
# ## Equivalent commands
#
# The same session by hand, with the tools mail administrators use. These
# commands use this notebook's lab, so they work from a terminal until the
# clean-up cell; `make lab-server` starts a lab of its own in a terminal and
# prints the same commands with its ports.
#
# - `openssl s_client -starttls smtp` speaks the plaintext part itself, then
#   shows the handshake and certificate chain and lets you type SMTP inside TLS;
# - `swaks --tls` sends a test message, printing the whole transcript.
#

# %%
print("\n".join(line for line in lab.commands("mx1.example.com").splitlines()
                if line.startswith(("openssl", "swaks"))))

# %% [markdown]
# ## Key points
#
# - SMTP between servers starts in plaintext; STARTTLS is an *offer* inside
#   the plaintext EHLO reply.
# - Everything up to the server's `220` to STARTTLS is readable (and
#   alterable) by anyone on the path; everything after is inside TLS.
# - After TLS starts the client must forget the first capability list (a MUST)
#   and should say EHLO again (a SHOULD; RFC 3207 §4.2).
# - STARTTLS alone stops a passive eavesdropper; it does not, by itself, stop
#   an active attacker: see notebooks 02 to 04.

# %% [markdown]
# ## Clean-up

# %%
lab.stop()

# %% [markdown] tags=["navigation"]
# [← 00 Start here](00-start-here.ipynb) · [Contents](README.md) · [02 The stripping attack, walked through →](02-stripping-attack.ipynb)
