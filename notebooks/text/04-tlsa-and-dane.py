# ---
# jupyter:
#   jupytext:
#     formats: ipynb,text//py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] tags=["navigation"]
# [← 03 MTA-STS, done right](03-mta-sts.ipynb) · [Contents](README.md)

# %% [markdown]
# # 04 · TLSA and DANE
#
# DANE (RFC 7672) is the strongest protection SMTP has: the receiving domain
# publishes, in DNSSEC-signed DNS, *which key* its mail server uses. A sender
# that finds such a TLSA record requires TLS and checks the key; an attacker
# can neither strip STARTTLS nor present another certificate, and there is no
# first-contact gap as with MTA-STS. Its failures are operational: broken
# DNSSEC and, above all, a certificate renewed with a new key while DNS still
# names the old one.

# %% [markdown]
# > **In this notebook**
# >
# > **Questions:** What is in a TLSA record, and how is it computed? What does a
# > sender check for usage 3 and for usage 2? What if DNSSEC says secure,
# > insecure or bogus? How do certificate renewals break DANE?
# >
# > **Objectives:** compute a `3 1 1` TLSA record from a certificate; tell which
# > records survive a renewal; decide whether a chain passes a record set; name
# > the sender's action for secure, insecure and bogus answers; plan a safe key
# > rollover.
# >
# > **Time:** 30 min teaching + 20 min exercises
# >
# > **Prerequisites:** [01 The STARTTLS transcript](01-starttls-transcript.ipynb);
# > [03 MTA-STS](03-mta-sts.ipynb) helps for the comparison.

# %%
import hashlib
import shutil
import subprocess

from cryptography.hazmat.primitives import serialization

from helpers import dane, dnssec, figures, smtp
from helpers.dane import TLSA, verify_chain
from helpers.exercises import check_dane_predictions, check_tlsa_record, dane_cases
from helpers.lab import Lab

lab = Lab.start(seed=1)

# %% [markdown]
# ## A TLSA record, by hand
#
# `example.com`'s first MX publishes `3 1 1 <hex>` at `_25._tcp.mx1.example.com`
# (port 25, TCP). The three numbers say: usage **3**, *DANE-EE*: the record
# names the server's own certificate or key; selector **1**, *SPKI*: the
# SubjectPublicKeyInfo, i.e. the public key with its algorithm, not the whole
# certificate; matching type **1**, *SHA2-256*: a SHA-256 digest of it
# (RFC 6698 §2.1, names from RFC 7218). Step by step, from the certificate
# `mx1.example.com` serves:

# %%
cert = lab.certificate("mx1.example.com").cert
spki = cert.public_key().public_bytes(serialization.Encoding.DER,
                                      serialization.PublicFormat.SubjectPublicKeyInfo)
print(f"1. DER SubjectPublicKeyInfo: {len(spki)} bytes, starting {spki[:12].hex(' ')}")
digest = hashlib.sha256(spki).hexdigest()
print(f"2. SHA-256, in hex ({len(digest)} characters): {digest}")
print(f"3. the record: 3 1 1 {digest}")

# %% [markdown]
# What the lab's DNS publishes, and what `TLSA.from_cert` computes, agree:

# %%
published = [r.to_text() for r in lab.net.resolver().resolve("_25._tcp.mx1.example.com", "TLSA")]
print("DNS:       ", published)
print("from_cert: ", str(TLSA.from_cert(cert)))
print("same:      ", published == [f"3 1 1 {digest}"])

# %% [markdown]
# Operators usually compute it with `openssl`; the pipeline gives the same digest:

# %%
pipeline = "openssl x509 -pubkey -noout | openssl pkey -pubin -outform DER | sha256sum"
if shutil.which("openssl"):
    run = subprocess.run(pipeline, shell=True, input=lab.certificate("mx1.example.com").cert_pem,
                         capture_output=True, timeout=20)
    print(run.stdout.decode().split()[0] == digest, run.stdout.decode().split()[0])
else:
    print("openssl is not installed here; on Debian/Ubuntu: apt-get install openssl")

# %% [markdown]
# ## Every combination, and what survives a renewal
#
# Usage 2 (*DANE-TA*) names a certificate authority in the chain instead of the
# server; selector 0 hashes the whole certificate; matching type 2 is SHA-512,
# type 0 the data itself. Which records keep matching when the certificate is
# renewed? With the **same key**, only the SPKI records of the server survive;
# with a **new key** (many automated renewals make one every time), every
# DANE-EE record breaks, and DANE-TA records of an unchanged issuer survive.

# %%
pki = lab.pki
current = pki.leaf(("mx1.example.com",)).cert
renewed_same_key = pki.leaf(("mx1.example.com",), generation=1).cert
renewed_new_key = pki.leaf(("mx1.example.com",), key_label="mx1.example.com#2").cert
dane.renewal_table(current, renewed_same_key, renewed_new_key, pki.issuing.cert)

# %%
# Choose a certificate, usage, selector and matching type: the record, and what survives a renewal.
from helpers.widgets.tlsa_calculator import tlsa_calculator

tlsa_calculator(current, pki.issuing.cert, renewed_same_key, renewed_new_key)

# %% [markdown]
# ## What the sender checks (RFC 7672 §3)
#
# SMTP uses TLSA records in its own way:
#
# - **DANE-EE (3)**: the server's certificate or key must match. Its names and
#   dates are *not* checked: the DNSSEC-signed record is the whole proof.
# - **DANE-TA (2)**: the named authority must be in the chain the server sends;
#   the server's certificate must chain to it, be unexpired and carry the MX
#   host name.
# - **PKIX-TA (0) and PKIX-EE (1)** are unusable for SMTP (§3.1.3), like records
#   with a digest of the wrong length. If every record is unusable, the sender
#   still requires TLS, but cannot authenticate.
#
# The chain `mx1.example.com` really serves, against a few record sets:

# %%
served = smtp.probe("mx1.example.com", lab.net, verify=False).transcript.tls.chain
issuer_ta = TLSA.from_cert(pki.issuing.cert, usage=2)
for records in ([TLSA.from_cert(cert)], [issuer_ta], ["1 1 1 " + digest],
                [TLSA.from_cert(renewed_new_key)]):
    print(verify_chain(records, served, ["mx1.example.com"]), end="\n\n")

# %% [markdown]
# ## Why the record can be trusted: DNSSEC
#
# A TLSA record is only as good as the DNS answer that carried it. A sender
# validates it up to a trust anchor it already has: the root key (here, the
# lab's root). Each zone's keys are vouched for by a DS record in its parent,
# signed by the parent's keys.

# %%
lookup = dane.lookup_tlsa("mx1.example.com", lab.net)
lookup

# %%
figures.chain_of_trust(lookup, cert)

# %% [markdown]
# Now play the attacker on the DNS path: answer with a TLSA record for the
# attacker's own key. Without the zone's private key the attacker cannot sign
# it, so the genuine signature no longer fits and validation fails: the
# answer is **bogus**. (A forgery in an *unsigned* zone would go unnoticed.)

# %%
attacker_key = pki.leaf(("mx1.example.com",), key_label="attacker", self_signed=True).cert
lab.forge_records("example.com", "_25._tcp.mx1.example.com", "TLSA",
                  [str(TLSA.from_cert(attacker_key))])
forged = dane.lookup_tlsa("mx1.example.com", lab.net)
print(forged)
figures.chain_of_trust(forged, cert)

# %% [markdown]
# A cleverer forger signs its record itself, with the key of a signed zone it
# does own (`dane-only.example`, say). The signature is valid, but made by the
# wrong zone: a record may only be signed by the zone that holds it
# (RFC 4035 §5.3.1), so this is bogus too.

# %%
lab.forge_records("example.com", "_25._tcp.mx1.example.com", "TLSA",
                  [str(TLSA.from_cert(attacker_key))], signed_with="dane-only.example")
print(dane.lookup_tlsa("mx1.example.com", lab.net))

# %%
lab.reset()

# %% [markdown]
# ## Secure, insecure, bogus: what the sender does
#
# - **secure** with usable records: TLS is mandatory and the chain must match,
#   else the message stays queued;
# - **secure** with no TLSA records, or **insecure** (an unsigned zone): DANE does
#   not apply; MTA-STS or opportunistic TLS decide;
# - **bogus** or a lookup error: the sender cannot tell whether DANE applies, so
#   it defers, and never falls back to plaintext.

# %%
for host in ("mx1.example.com", "mx.dane-insecure.example", "mx.dnssec-bogus.example"):
    found = dane.lookup_tlsa(host, lab.net)
    chain = smtp.probe(host, lab.net, verify=False).transcript.tls.chain
    result = verify_chain(found.records, chain, [host]) if found.records else None
    print(f"{host:<26} {found.status:<9} -> {dane.sender_action(found, result).action}")

# %% [markdown]
# ## The rollover story
#
# `dane-rollover.example` renewed its MX certificate with a **new key** and
# forgot DNS. Every DANE sender now refuses it: the outage lasts until someone
# notices, and the mail piles up in queues.

# %%
host = "mx.dane-rollover.example"
served = smtp.probe(host, lab.net, verify=False).transcript.tls.chain
before = dane.lookup_tlsa(host, lab.net)
print(dane.sender_action(before, verify_chain(before.records, served, [host])))

# %% [markdown]
# Two fixes. **Publish the next key before switching** (`3 1 1` for the current
# key *and* for the next one, then remove the old one after the switch). Or
# publish **`2 1 1` for the issuing CA** as well, which survives key changes as
# long as the CA stays the same (RFC 7671 §8).

# %%
rrname = f"_25._tcp.{host}"
old_record = str(before.records[0])
new_record = str(TLSA.from_cert(served[0]))
lab.set_records("dane-rollover.example", rrname, "TLSA", [old_record, new_record])
fixed = dane.lookup_tlsa(host, lab.net)
print("current + next:", dane.sender_action(fixed, verify_chain(fixed.records, served, [host])))

lab.set_records("dane-rollover.example", rrname, "TLSA",
                [old_record, str(TLSA.from_cert(pki.issuing.cert, usage=2))])
fixed = dane.lookup_tlsa(host, lab.net)
print("old + 2 1 1:   ", dane.sender_action(fixed, verify_chain(fixed.records, served, [host])))
lab.reset()

# %% [markdown]
# ## Try it yourself
#
# **Exercise 1.** Compute the `3 1 1` TLSA record of `mx2.example.com`'s
# certificate (`lab.certificate("mx2.example.com").cert`) and store it, as text
# `"3 1 1 <hex>"`, in `my_tlsa`. Compute it; do not copy it from DNS.

# %%
my_tlsa = None  # your answer: "3 1 1 <hex>"
### BEGIN SOLUTION
mx2 = lab.certificate("mx2.example.com").cert
mx2_spki = mx2.public_key().public_bytes(serialization.Encoding.DER,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)
my_tlsa = "3 1 1 " + hashlib.sha256(mx2_spki).hexdigest()
### END SOLUTION

# %% tags=["check"]
check_tlsa_record(my_tlsa, lab)

# %% [markdown]
# **Exercise 2.** For each situation below, is the server authenticated by
# DANE? Answer with a list of six `True`/`False` values in `prediction`, in
# order, from the rules above (you may check with `verify_chain` afterwards).

# %%
for number, (situation, *_) in enumerate(dane_cases(), start=1):
    print(f"{number}. {situation}")
prediction = None  # your answer: [True or False, ...] for cases 1 to 6
### BEGIN SOLUTION
prediction = [True, False, False, False, True, False]
### END SOLUTION

# %% tags=["check"]
check_dane_predictions(prediction)

# %% [markdown]
# ## Equivalent commands
#
# Against this notebook's lab while it runs (or a terminal lab: `make lab-server`):
# `dig +dnssec` shows the TLSA record with its RRSIG; `delv` validates it from
# the trust anchor; `openssl s_client` checks a server against TLSA data, with
# `-dane_ee_no_namechecks` for SMTP's rule that DANE-EE ignores names.

# %%
port, smtp_port = lab.dns.port, lab.net.smtp_endpoint("mx1.example.com")[1]
print(f"dig @127.0.0.1 -p {port} +dnssec TLSA _25._tcp.mx1.example.com")
print(f"delv @127.0.0.1 -p {port} -a {lab.trust_anchor_file} +root=. TLSA _25._tcp.mx1.example.com")
print(f"openssl s_client -starttls smtp -connect 127.0.0.1:{smtp_port} -verify_return_error "
      f"-dane_tlsa_domain mx1.example.com -dane_ee_no_namechecks "
      f"-dane_tlsa_rrdata '3 1 1 {digest}'")

# %% [markdown]
# ## Key points
#
# - `3 1 1` is the SHA-256 of the server's DER SubjectPublicKeyInfo; it survives
#   renewals that keep the key.
# - For SMTP, DANE-EE ignores names and dates; DANE-TA checks both; usages 0
#   and 1 are unusable.
# - TLSA counts only when DNSSEC-secure; insecure means no DANE, bogus means
#   defer, never plaintext.
# - Renewing with a new key without updating DNS is the classic DANE outage:
#   publish the next key first, or add a `2 1 1` for the issuer.

# %% [markdown]
# ## Clean-up

# %%
lab.stop()

# %% [markdown] tags=["navigation"]
# [← 03 MTA-STS, done right](03-mta-sts.ipynb) · [Contents](README.md)
