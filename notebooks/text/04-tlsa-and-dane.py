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
# [← 03 MTA-STS, done right](03-mta-sts.ipynb) · [Contents](README.md) · [05 DANE or MTA-STS? →](05-dane-or-mta-sts.ipynb)

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
# > **Questions:** How does DNSSEC make a DNS answer trustworthy, or prove
# > that a record does not exist? What is in a TLSA record, and how is it
# > computed? What does a sender check for usage 3 and for usage 2? What if
# > DNSSEC says secure, insecure or bogus? How do certificate renewals break DANE?
# >
# > **Objectives:** follow a chain of trust (DS -> DNSKEY -> RRSIG) and tell
# > secure, insecure and bogus answers apart; compute a `3 1 1` TLSA record
# > from a certificate; tell which records survive a renewal; decide whether a
# > chain passes a record set; name the sender's action for secure, insecure
# > and bogus answers; plan a safe key rollover.
# >
# > **Time:** 45-60 min teaching (the upper end if DNSSEC is new to you) + 20 min
# > exercises
# >
# > **Prerequisites:** [01 The STARTTLS transcript](01-starttls-transcript.ipynb);
# > [03 MTA-STS](03-mta-sts.ipynb) helps for the comparison. No DNSSEC
# > knowledge needed: the first section teaches what this notebook uses.

# %%
import hashlib
import shutil
import subprocess

import dns.dnssec
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype

from cryptography.hazmat.primitives import serialization

from helpers import dane, dnssec, figures, smtp
from helpers.dane import TLSA, verify_chain
from helpers.exercises.nb04 import (DNSSEC_LOOKUPS, NSEC_QUESTIONS, check_dane_predictions,
                                    check_dnssec_statuses, check_nsec_answers, dane_cases,
                                    nsec_chain)
from helpers.lab import Lab

lab = Lab.start(seed=1)

# %% [markdown]
# ## DNSSEC in ten minutes
#
# DANE puts a key in DNS, so everything rests on DNS answers being genuine.
# Plain DNS answers travel over UDP without any protection: anyone on the path
# can forge one. **DNSSEC** (RFC 4033-4035) adds signatures. Four record types
# do the work:
#
# - **DNSKEY**: a zone's public key, published in the zone itself. Each key
#   has a **key tag**, a 16-bit number computed from it, so that signatures can
#   say which key made them.
# - **RRSIG**: a signature over one *RRset* (all records of one name and
#   type), naming the signing zone and the key tag. A resolver asks for them
#   with the DO ("DNSSEC OK") bit, `dig +dnssec`.
# - **DS**: in the *parent* zone, a digest of the child's DNSKEY, signed by
#   the parent. It is how a parent vouches for its child's key.
# - **NSEC**: a signed statement "after this name, the next name in the zone
#   is ...; this name has these types", which proves that something does
#   *not* exist. Many large zones (`.com`, `.net`, `.org`) use **NSEC3**
#   instead (RFC 5155): the same statement about *hashes* of names, so the
#   zone's names cannot be listed by walking it; with *opt-out*, an NSEC3
#   covers a whole range of unsigned delegations at once. The lab's zones
#   use NSEC; `helpers.dnssec` checks both.
#
# A question to the lab's DNS with the DO bit set: the address of
# `mx1.example.com`, and the signature that comes with it (made by
# `example.com.`'s key whose tag is in the RRSIG).

# %%
def ask(name, rdtype):
    """One DNS question to the lab's server with the DO bit, like dig +dnssec."""
    query = dns.message.make_query(name, rdtype, want_dnssec=True)
    return dns.query.udp(query, "127.0.0.1", port=lab.dns.port, timeout=2)

for rrset in ask("mx1.example.com", "A").answer:
    print(rrset)

# %% [markdown]
# Why believe that key? Follow it upwards: `example.com.` publishes its DNSKEY;
# the root zone publishes a DS record that is the digest of exactly that key,
# and signs the DS with the root's key. The root's key is the **trust
# anchor**: the one key the validating resolver is configured with (here the
# lab's root; on the internet, the real root key). So the chain reads:
# trust anchor -> root DNSKEY -> signs the DS of `example.com` -> which matches
# `example.com`'s DNSKEY -> which signed the A record.

# %%
for key in ask("example.com", "DNSKEY").answer[0]:
    print("example.com. DNSKEY, key tag", dns.dnssec.key_id(key))
for rrset in ask("example.com", "DS").answer:
    print(rrset)

# %% [markdown]
# `helpers.dnssec.resolve` does this walk for one lookup and records each step:

# %%
dnssec.resolve("mx1.example.com", "A", lab.net).chain

# %% [markdown]
# **Proving absence.** What if an attacker simply drops the TLSA record from an
# answer? In a signed zone that does not work: "no such record" must come with
# signed NSEC records. Asked for a name that does not exist, the server answers
# NXDOMAIN plus NSEC records saying which names exist around it; asked for a
# type a name does not have, the NSEC at that name lists the types it has.

# %%
answer = ask("nothere.example.com", "A")
print(dns.rcode.to_text(answer.rcode()))
for rrset in answer.authority:
    if rrset.rdtype == dns.rdatatype.NSEC:
        print(rrset)
print(dnssec.resolve("nothere.example.com", "A", lab.net))

# %% [markdown]
# Read the first NSEC as: "in the zone's sorted order (DNS sorts names label by
# label from the right), the name after `_25._tcp.mx2.example.com` is
# `ns1.example.com`". `nothere.example.com` would sort between the two, so it
# does not exist; the second NSEC, at the zone's top, rules out a wildcard
# (`*.example.com`) that could have answered instead. Both are signed: an
# attacker cannot make them up.

# %% [markdown]
# **Four outcomes**, which the rest of this notebook uses. RFC 4035 §4.3 names
# four states: secure, insecure, bogus and *indeterminate* (no trust anchor to
# decide with; the lab's sender always has one). This course uses the first
# three and adds a fourth, *lookup error*, following RFC 7672 §2.1.1, which
# groups bogus answers and failed lookups together as what a DANE sender must
# not treat as "no records":
#
# - **secure**: every signature up to the trust anchor verifies (the records,
#   or the proof that there are none);
# - **insecure**: a signed NSEC (or NSEC3, often opt-out) in the parent
#   proves the zone has *no* DS: the zone is not signed, so its answers are
#   ordinary, unprotected DNS;
# - **bogus**: a signature, key or proof that should be there is missing or
#   wrong: an attack, or a broken zone;
# - **error** (*lookup error*): no usable answer at all (a timeout, SERVFAIL).
#   Different from bogus: nothing was proven wrong; nothing was proven at all.
#   A real MTA that relies on a validating recursive resolver usually cannot
#   tell the two apart: the resolver answers SERVFAIL for both. It does not
#   need to, since both mean "defer".

# %%
for name, rdtype in (("mx.dane-insecure.example", "A"),
                     ("_25._tcp.mx.dnssec-bogus.example", "TLSA")):
    print(dnssec.resolve(name, rdtype, lab.net), end="\n\n")

# %% [markdown]
# **Why the MX host's address must be secure too.** DANE protects a chain of
# names: the domain's MX record names the MX host; the host's address record
# (possibly through a CNAME) fixes the name at which the TLSA record is looked
# up. If any link is insecure, an attacker can substitute a name there, and
# so choose which TLSA record the sender consults: one in a zone the attacker
# signs itself. So this course's sender uses TLSA records only when the MX
# *and* the address answers are secure, and an MX whose address answer is bogus
# cannot be used at all. For the address answer that is the rule (RFC 7672
# §2.2); for the MX answer it is a choice. RFC 7672 §2.2.1 lets a sender use
# DANE even after an insecure MX lookup (a MAY), and Postfix 3.6 and later does
# so by default (`smtp_tls_dane_insecure_mx_policy = dane`, logged as "Trusted"
# rather than "Verified", since the MX name could have been forged). In that
# weaker model DANE still defeats stripping and certificate substitution on the
# MX host.
#
# The validator follows such chains into other signed zones: each CNAME, and
# each NSEC or NSEC3 proving that the end of the chain has no records, is
# checked with the keys of the zone it belongs to (RFC 4035 §5.3.1). A DNAME
# (RFC 6672), which renames a whole subtree, is checked as a signed record;
# the CNAME a server synthesises from it carries no signature, so the validator
# recomputes it from the DNAME instead of trusting it (RFC 6672 §5.3).
#
# **Exercise (DNSSEC).** Before running anything: what status does each of
# these lookups get? Store `"secure"`, `"insecure"` or `"bogus"` for each, in
# order, in `statuses`. Then check, and compare with `dnssec.resolve`.

# %%
for number, (name, rdtype) in enumerate(DNSSEC_LOOKUPS, start=1):
    print(f"{number}. {name} {rdtype}")
statuses = None  # your answer: ["secure" / "insecure" / "bogus", ...]
### BEGIN SOLUTION
statuses = ["secure", "secure", "insecure", "secure", "bogus"]
### END SOLUTION

# %% tags=["check"]
check_dnssec_statuses(statuses, lab)

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
# renewed? With the **same key**, the server's SPKI records (selector 1)
# survive and its full-certificate records (selector 0) break, while the
# DANE-TA records of the issuer, which did not change, survive too; with a
# **new key** (many automated renewals make one every time), every DANE-EE
# record breaks, and DANE-TA records of an unchanged issuer still survive.

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
#   the server's certificate must chain to it, be unexpired and carry one of
#   the sender's reference names: the MX host name (and, per RFC 7672 §3.2.2,
#   also the recipient domain when the MX answer was secure, and the names a
#   CNAME expands to).
# - **PKIX-TA (0) and PKIX-EE (1)** are unusable for SMTP (§3.1.3), like records
#   with a digest of the wrong length. If every record is unusable, the sender
#   still requires TLS, but cannot authenticate; if the domain also has an MTA-STS
#   `enforce` policy, a sender that implements both applies it (notebook 05).
#   A record that dnspython refuses to parse (a `3 1 1` digest one byte
#   short) still counts: the signed set exists, so TLS stays mandatory (§2.2)
#   and an attacker who strips STARTTLS gets nothing.
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
# *In words:* the chain from the top. The trust anchor (the root's DS record,
# configured in the sender) matches the root's DNSKEY, which signs the root
# zone's keys; each record below is verified with the key above it: the
# root's NSEC, example.com's DS, example.com's DNSKEY (which matches that DS),
# mx1.example.com's A record, then the TLSA record at
# `_25._tcp.mx1.example.com`. Last, the SHA2-256 hash of the server
# certificate's public key equals the TLSA data. Every link holds: secure.
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
# *In words:* the same chain, every link verified down to mx1.example.com's
# A record; then the forged TLSA record fails: its signature (RRSIG) does not
# verify. The lookup is **bogus**, which a sender must never treat as "no
# TLSA" (RFC 7672 §2.2).
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
# The fix is **current + next** (RFC 7671 §8.1): publish `3 1 1` for the next
# key next to the current one **at least two TTLs before** the new key goes
# live, check that *every* authoritative server (the secondaries too) serves
# it, then switch the key, and then remove the old record. With a TLSA TTL of
# 3600, a record published at 10:00 may be missing from caches until 11:00, and
# two TTLs (12:00) leave room for a slow secondary. The first cell below
# repairs the outage that way.
#
# A **`2 1 1` for the issuing CA** is often offered as the alternative, and the
# second cell shows it working here, because the lab's CA is one whose key we
# know. Read it with three caveats. (1) It only helps with a CA whose key you
# can predict: your own CA, or a root the server sends in its chain (RFC 7672
# §3.1.2). Public CAs rotate their intermediates: since June 2024 Let's Encrypt
# issues from a rotating set (R10-R14, E5-E9) and explicitly discourages
# pinning them (letsencrypt.org, 19 March and 12 April 2024), so a `2 1 1` on
# today's intermediate breaks on a later renewal. (2) With a public CA, `2 1 1`
# accepts *any* certificate that CA issues for the MX name, which is weaker than
# `3 1 1`. (3) The RRset the cell leaves, an old `3 1 1` that matches nothing
# plus the `2 1 1`, is what RFC 7671 §8 forbids: every usage/selector/matching
# type combination in the RRset must match the current chain. After a key
# change, replace the stale `3 1 1` at once.

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
# ## What a DNS attacker can try
#
# An attacker on the DNS path cannot forge a signature, but it can drop,
# swap and replay *genuine* signed records. The lab plays that attacker
# (`lab.dns_attack`). Three classic tricks, which a validator must be built
# to resist: claim the zone is unsigned by showing the SOA of an unsigned zone;
# "prove" the TLSA name absent with the parent's NSEC at the zone cut (RFC 6840
# §4.1 forbids it); strip every signature. The validator walks down from the
# trust anchor and believes only what it proves, so each ends as **bogus**,
# in a handful of questions, and never as "insecure" or "absent".

# %%
from helpers.lab.dnsattack import Genuine

target = "_25._tcp.mx.dane-only.example"
tricks = {
    "foreign SOA":  lambda: (lab.dns_attack("empty", target, "TLSA"),
                             lab.dns_attack("replay", "dane-only.example", "SOA", subtree=True,
                                            of="dane-insecure.example", of_type="SOA")),
    "parent's NSEC": lambda: lab.dns_attack("serve", target, "TLSA", rcode="NXDOMAIN", authority=[
        Genuine("dane-only.example", "dane-only.example", "SOA"),
        Genuine("", "dane-only.example", "NSEC")]),
    "no RRSIGs":    lambda: lab.dns_attack("strip"),
}
for trick, start in tricks.items():
    start()
    found = dnssec.resolve(target, "TLSA", lab.net)
    print(f"{trick:<14} {found.status:<7} after {found.queries} questions: {found.reason}")
    lab.stop_dns_attack()

# %% [markdown]
# Combined with STARTTLS stripping on the SMTP path, a DANE sender gives
# nothing away: it defers, reports `dnssec-invalid` (TLS-RPT), keeps the
# message, and delivers it once the attacks stop.

# %%
from helpers.sender import Sender

tricks["foreign SOA"]()
lab.attack("mx.dane-only.example", "strip")
sender = Sender(lab.net, "dane")
print(sender.send("Subject: hi\r\n\r\nsecret\r\n", "bob@dane-only.example"))
lab.reset()
print(sender.retry()[0].status, "- still queued:", len(sender.queue))

# %% [markdown]
# ## Try it yourself
#
# **Exercise 1.** Below is every NSEC record of `example.com`, in chain order
# (anyone can walk a zone's NSEC chain like this, one question at a time).
# From these records alone, what does the zone prove for each question: that
# the records `"exists"`, that there is `"no such name"` (NXDOMAIN), or that
# the name exists with `"no such type"` (NODATA)? Store the five answers, in
# order, in `proofs`. DNS sorts names label by label from the right, each
# label compared as lowercase bytes (digits, then `_`, then letters; a
# shorter label before a longer one it begins).

# %%
for record in nsec_chain(lab):
    print(record)
print()
for number, (name, rdtype) in enumerate(NSEC_QUESTIONS, start=1):
    print(f"{number}. {name} {rdtype}")
proofs = None  # your answer: ["exists" / "no such name" / "no such type", ...]
### BEGIN SOLUTION
proofs = ["no such name", "no such type", "exists", "no such type", "no such name"]
### END SOLUTION

# %% tags=["check"]
check_nsec_answers(proofs, lab)

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
print(f"dig @127.0.0.1 -p {port} +dnssec DS example.com   # and DNSKEY, A mx1.example.com, ...")
print(f"dig @127.0.0.1 -p {port} +dnssec A nothere.example.com   # NXDOMAIN with NSEC proofs")
print(f"dig @127.0.0.1 -p {port} +dnssec TLSA _25._tcp.mx1.example.com")
print(f"delv @127.0.0.1 -p {port} -a {lab.trust_anchor_file} +root=. TLSA _25._tcp.mx1.example.com")
print(f"openssl s_client -starttls smtp -connect 127.0.0.1:{smtp_port} -verify_return_error "
      f"-dane_tlsa_domain mx1.example.com -dane_ee_no_namechecks "
      f"-dane_tlsa_rrdata '3 1 1 {digest}'")

# %% [markdown]
# ## Key points
#
# - DNSSEC: a chain of signatures from the trust anchor (DS -> DNSKEY -> RRSIG)
#   makes an answer, or a signed NSEC proof of absence, *secure*; an unsigned
#   zone is *insecure*; a broken signature is *bogus*.
# - `3 1 1` is the SHA-256 of the server's DER SubjectPublicKeyInfo; it survives
#   renewals that keep the key.
# - For SMTP, DANE-EE ignores names and dates; DANE-TA checks both; usages 0
#   and 1 are unusable.
# - TLSA counts only when DNSSEC-secure; insecure means no DANE, bogus means
#   defer, never plaintext.
# - Renewing with a new key without updating DNS is the classic DANE outage:
#   publish the next key's `3 1 1` at least two TTLs ahead, on every
#   authoritative server, then switch, then drop the old record (RFC 7671 §8.1).
#   `2 1 1` on a public CA's intermediate breaks when the CA rotates it.

# %% [markdown]
# ## Clean-up

# %%
lab.stop()

# %% [markdown] tags=["navigation"]
# [← 03 MTA-STS, done right](03-mta-sts.ipynb) · [Contents](README.md) · [05 DANE or MTA-STS? →](05-dane-or-mta-sts.ipynb)
