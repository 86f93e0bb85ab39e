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
# [← 06 TLS reporting](06-tls-reporting.ipynb) · [Contents](README.md) · [08 Real MTAs →](08-real-mtas.ipynb)

# %% [markdown]
# # 07 · Check a domain
#
# Everything so far looked at one mechanism at a time. A real domain is all of
# them at once: its MX records and their DNSSEC status, TLSA records, the
# STARTTLS offer and certificate of each MX host, the MTA-STS record and
# policy, the TLS-RPT record, and, following from all that, what a sending MTA
# will actually do with the mail. This notebook puts the course's helpers
# together into one inspector, points it at every lab domain, then at your own
# domain and the domains you send mail to.

# %% [markdown]
# > **In this notebook**
# >
# > **Questions:** What does a complete check of a mail domain's transport
# > security look at, and in what order? How do you read its findings, and which
# > ones matter? What can an inspection *not* see?
# >
# > **Objectives:** inspect a domain and explain every check it reports; read a
# > table of many domains and find what is broken where; name the fix for a
# > failed check and verify it in the lab; inspect a real domain, or show a saved
# > inspection where the network is blocked.
# >
# > **Time:** 25 min teaching + 20 min exercises
# >
# > **Prerequisites:** [03 MTA-STS, done right](03-mta-sts.ipynb) and
# > [04 TLSA and DANE](04-tlsa-and-dane.ipynb).

# %%
from pathlib import Path

from helpers import domain
from helpers.dane import TLSA
from helpers.domain import Inspection
from helpers.exercises.nb07 import FIXES, check_broken, check_domain_clean, open_shops
from helpers.lab import Lab
from helpers.net import Network
from helpers.widgets.inspector import inspector

lab = Lab.start(seed=1)

# %% [markdown]
# ## Step 1: one domain, every layer
#
# `domain.inspect(name, net)` runs every check against a network: `lab.net`
# here, `Network.live()` for the internet. Each finding is a *check* with a
# status (`ok`, `info`, `warn`, `fail`, `skip`), the detail in plain words,
# the RFC section, a fix where there is one, and the terminal command that
# shows the same thing. `example.com` is the lab's well-run domain:

# %%
result = domain.inspect("example.com", lab.net)
result

# %% [markdown]
# Read it from the top, the way a sender meets it:
#
# - **MX** and **DNSSEC**: two MX hosts, and the answer is signed, so TLSA
#   records below it can count (RFC 7672 §2.2.1).
# - Per MX host: its **address**, its **TLSA** records (validated from the
#   trust anchor), the **STARTTLS** probe (EHLO, STARTTLS, QUIT: the inspector
#   never sends mail), the **certificate** as an MTA-STS sender checks it (name
#   and trusted chain), and the **DANE** match. `rollover` is `info`: only the
#   current key is published, so a key change must be prepared (notebook 04).
# - **MTA-STS**: record, policy, mode, `max_age`, and every MX against the
#   policy's `mx` lines.
# - **TLS-RPT**: where failure reports go.
# - **sender**: the path through the sender's decision tree (the same
#   `helpers.policy` code the course's `Sender` delivers through), and what
#   the probe says will happen at connection time:

# %%
print(result.check("sender"))

# %% [markdown]
# ### The five verdict words
#
# | status | means | examples |
# |---|---|---|
# | `ok` | checked, and right | a certificate valid for the MX name; `mode: enforce` |
# | `info` | a fact or an option: nothing is broken | the zone is not signed, so DANE cannot apply; only the current key has a TLSA record |
# | `warn` | a weakness an attacker can use, or something that will break | TLS that can be stripped; MTA-STS `testing`, which delivers even when the check fails (RFC 8461 §5); a certificate expiring in days |
# | `fail` | mail is exposed or lost because of it | no STARTTLS; a TLSA record that matches no key the server has; a policy whose `mx` lines leave out an MX |
# | `skip` | **not checked from here** | port 25 blocked on this network; a resolver that hides DNSSEC; `smtp=False` |
#
# A `skip` is not a pass. The verdict line counts skipped checks ("… 2 not
# checked here"), `result.complete` is `False`, and `python -m helpers
# inspect` exits with status 3 instead of 0, so that a look from a network that
# blocks port 25 never reads like a clean bill of health. Where something can
# be judged from DNS alone, it still is: a domain that publishes neither
# MTA-STS nor DANE gets `warn` on its `sender` line, probe or no probe.

# %% [markdown]
# Independent lookups run at the same time, and the DNSSEC chain of trust is
# fetched once and shared, so an inspection takes about as long as its longest
# chain of *dependent* queries (MX, then each host's TLSA), not their sum.
# `make bench` measures it with 50 ms added to every DNS answer, as with a
# distant resolver: several times faster than one query after another.

# %%
print(f"{len(result.checks)} checks in {result.elapsed_ms:.0f} ms; {result.verdict}")

# %% [markdown]
# ## Step 2: every lab domain at once
#
# Each lab domain was built to teach one thing. Inspected together, one row per
# domain and one column per family of checks (the worst status in it), the
# table shows each teaching point as the one red or orange spot in its row.

# %%
results = domain.inspect_many(lab.domains, lab.net)
domain.table(results)

# %% [markdown]
# And by name, the checks each domain flags (`warn` or `fail`):

# %%
for r in results:
    print(f"{r.domain:<28} {', '.join(f'{c.id} ({c.status})' for c in r.flagged) or '-'}")

# %% [markdown]
# Two rows deserve a second look. `tls-required.example` refuses mail before
# STARTTLS, but that shows only after `MAIL FROM`, which the inspector never
# sends: it looks like `opportunistic.example`. Rightly so, as far as the
# sender's risk goes: requiring STARTTLS at the receiver does not stop an
# attacker who does the STARTTLS with the MX itself (notebook 02). And `sts-stale-id.example`
# looks perfect today; its fault appears only over time, so the inspector can
# compare with an earlier inspection. The operator moves the MX and edits the
# policy, but forgets to change the id in the TXT record:

# %%
before = domain.inspect("sts-stale-id.example", lab.net)
lab.apply_change("sts-stale-id.example")
after = domain.inspect("sts-stale-id.example", lab.net, previous=before)
print(after.check("mta-sts-id"))

# %% [markdown]
# Senders that cached the old policy keep it until `max_age` runs out, and
# refuse the new MX meanwhile (notebook 03).
#
# ## Step 3: what the network says is untrusted
#
# Record text, policy lines, SMTP banners and certificate names come from
# whoever controls the domain, or the path to it. The inspector shows them
# verbatim but escaped: a TXT record carrying HTML and a terminal escape
# sequence stays text, in a notebook as in a terminal.

# %%
lab.set_records("opportunistic.example", "_smtp._tls.opportunistic.example", "TXT",
                ['"v=TLSRPTv1; rua=mailto:<script>alert(1)</script>\\027[31m"'])
domain.inspect("opportunistic.example", lab.net).check("tlsrpt")

# %%
lab.reset()

# %% [markdown]
# ## Step 4: the inspector widget
#
# The same inspector as a small form: type a domain (the lab's domains are
# suggested; in live mode, a few large mail providers), press Enter or
# *Inspect*, and watch the checks arrive one by one. Switch to *live* to look
# at real domains. (Where widgets do not render, such as on a code-hosting
# site, this cell shows a placeholder.)

# %%
ins = inspector(lab)
ins

# %% [markdown]
# Code can drive the same widget: set the text (what Enter does), wait, read.

# %%
ins.domain.value = "sts-mx-mismatch.example"
ins.wait(30)
print(ins.result.check("mta-sts-mx"))

# %% [markdown]
# ## Step 5: when the network is the problem, not the domain
#
# A live inspection looks at the domain *through* the network you are on: its
# DNS resolver and its route to port 25. Both can be broken in ways that would
# make any domain look broken, so the inspector checks them first and says so
# instead of blaming the domain.
#
# **The resolver.** Before judging a domain, the inspector asks the resolver
# two questions whose answers are known: the root zone's SOA (the root always
# exists) and the root's DNSKEY records with their signature (a resolver asked
# with the DO bit must return RRSIGs, RFC 4035 §3.2.1). A captive portal or a
# filtering resolver that answers NXDOMAIN for everything fails the first;
# some home routers and middleboxes strip DNSSEC records and fail the second.
# The lab's DNS attacker can play both. First the filtering resolver:

# %%
lab.dns_attack("empty", rcode="NXDOMAIN")  # every answer: "no such name"
print(domain.inspect("example.com", lab.net).error)

# %% [markdown]
# Nothing about `example.com` is judged: every check says `skip`, and the
# inspection could not run (exit status 2 from the terminal). Now a resolver
# that answers, but strips the signatures:

# %%
lab.reset()
lab.dns_attack("strip")  # every RRSIG removed on the way
stripped = domain.inspect("example.com", lab.net)
print(stripped.verdict)
for check_id in ("resolver", "dnssec", "tlsa:mx1.example.com", "mta-sts-mode", "sender"):
    c = stripped.check(check_id)
    print(f"{c.status:<5} {c.id}: {c.title}")
lab.reset()

# %% [markdown]
# What needs DNSSEC (its status, TLSA records and DANE, and the sender's path,
# which depends on them) is `skip`; MTA-STS, TLS-RPT and the STARTTLS probes do
# not need it and are still judged. The fix suggested is to inspect through
# another resolver, for example `Network.live("9.9.9.9")`.
#
# **Port 25.** When an MX host does not answer on port 25, the inspector tries
# a reference mail server that normally answers (the first MX of `gmail.com`:
# it only reads the greeting and says QUIT), as `python -m helpers doctor`
# does. If the reference does not answer either, the network blocks
# port 25: the STARTTLS checks say `skip` and name how, *silently dropped* (the
# connection times out, the usual home and cloud case) or *refused* (a TCP
# reset). If the reference answers, port 25 is open from here and the MX host
# itself is at fault: that is a `fail`.
#
# ## Step 6: your own domain, and the domains you send mail to
#
# Put your domain, and the domains of the people you write to, in the list and
# run the cell. It queries your DNS resolver and connects to each MX host on
# port 25 (EHLO, STARTTLS, QUIT only). Most home and cloud networks block
# outbound port 25: the STARTTLS checks then say `skip`, after a comparison
# with a well-known mail server that tells a blocked network from a broken
# MX. Before judging any domain, the inspector judges this network's resolver
# (step 5): behind one that is offline, filters, or strips DNSSEC data, every
# domain would otherwise seem to fail the same way. The output stored with
# this notebook was made on a machine without internet access whose resolver
# answers NXDOMAIN for everything: read it as what a captive portal's network
# looks like, with the blame put on the resolver, not on `example.org`.

# %% tags=["live", "nbval-skip"]
my_domains = ["example.org"]  # your domain, then the domains you send mail to
live_results = domain.inspect_many(my_domains, Network.live(), timeout=20)
domain.table(live_results)

# %% tags=["live", "nbval-skip"]
for r in live_results:
    print(r, end="\n\n")

# %% [markdown]
# Teaching a workshop where the room's network blocks DNS or port 25? Inspect
# beforehand, save the result as JSON, and show the saved copy in the room: it
# reads exactly like a fresh one (`python -m helpers inspect --json DOMAIN`
# does the same from a terminal). Here with a lab inspection:

# %%
saved = Path(lab.directory) / "dane-rollover.example.json"
saved.write_text(domain.inspect("dane-rollover.example", lab.net).to_json())
shown = Inspection.from_json(saved.read_text())
print(shown.verdict)
shown.flagged

# %% [markdown]
# ## Try it yourself
#
# **Exercise 1.** A hosting company has just set up three shops in the lab:
# `open_shops(lab)` deploys them (they are not in the table above). Each has
# DNSSEC, DANE and an MTA-STS policy in `enforce`, and each is broken in one
# place. For each, find the check that fails because of the fault itself (its
# id, as the inspection prints it; not `sender`, and not a check that fails
# only because another one does) and the letter of the fix below that clears
# it. Answer with a dict: domain -> (check id, letter).

# %%
shops = open_shops(lab)
print("broken:", ", ".join(shops))
for letter, fix in FIXES.items():
    print(f"{letter}: {fix}")
broken = None  # your answer: {"shop-a.example": ("...", "?"), ...}
### BEGIN SOLUTION
# domain.inspect(name, lab.net).flagged for each shop: shop-c's dane check fails
# only because its MX offers no STARTTLS (no certificate to match).
broken = {
    "shop-a.example": ("dane:mx2.shop-a.example", "B"),
    "shop-b.example": ("mta-sts-mx", "C"),
    "shop-c.example": ("starttls:mx.shop-c.example", "E"),
}
### END SOLUTION

# %% tags=["check"]
check_broken(broken, lab)

# %% [markdown]
# **Exercise 2.** Fix `dane-rollover.example` in the lab: its MX now serves a
# new key, and its TLSA record still names the old one. Publish the right
# `3 1 1` record with `lab.set_records(domain, owner, "TLSA", [...])` (the
# owner is `_25._tcp.mx.dane-rollover.example`; `lab.certificate(host).cert`
# is the certificate the MX serves) until the inspection flags nothing.
# (`lab.reset()` first: it removes the shops and restores the catalogue.)

# %%
lab.reset()
### BEGIN SOLUTION
served = lab.certificate("mx.dane-rollover.example").cert
lab.set_records("dane-rollover.example", "_25._tcp.mx.dane-rollover.example", "TLSA",
                [str(TLSA.from_cert(served, 3, 1, 1))])
### END SOLUTION

# %% tags=["check"]
check_domain_clean(lab, "dane-rollover.example")

# %% [markdown]
# ## Equivalent commands
#
# Every check carries the command that shows the same thing from a terminal
# (`dig`, `delv`, `openssl s_client`, `curl`); against this notebook's lab while
# it runs, or a terminal lab (`make lab-server`). The whole inspection is also a
# command: `python -m helpers inspect DOMAIN ...` (live), with `--lab` for the
# lab, `--json` to save, `--no-smtp` where port 25 is blocked. Its exit status
# is 0 when every check ran and none failed, 1 when one failed, 2 when the
# inspection could not run (not a domain name, an unusable resolver), and 3
# when none failed but some could not be made from here (`skip`). With `--lab`
# the lab stops when the command ends, so the commands it printed no longer
# answer: add `--keep-lab` to keep it running until Ctrl-C.
#
# Every value in a command is quoted for the shell (MX host names come from
# DNS and may hold `;`, `&` or backquotes), and each command checks what its
# check checked: the `dane:` line runs `openssl s_client` with
# `-dane_tlsa_domain` and the TLSA records as `-dane_tlsa_rrdata`.

# %%
fixed = domain.inspect("dane-rollover.example", lab.net)
for check_id in ("mx", "tlsa:mx.dane-rollover.example", "dane:mx.dane-rollover.example",
                 "mta-sts-record", "tlsrpt"):
    print(fixed.check(check_id).command)

# %% [markdown]
# ## Key points
#
# - A domain's mail security is a chain: MX (and its DNSSEC), each MX host's
#   TLSA, STARTTLS and certificate, MTA-STS, TLS-RPT; the sender's path through
#   them decides whether mail is verified, strippable, in the clear or deferred.
# - `fail` means mail is exposed or held back; `warn` a weakness an attacker
#   can use (MTA-STS `testing` is one: it delivers whatever the check says);
#   read the fix and the RFC section, and check with the command shown.
# - Some faults need memory (a policy changed without a new id) or mail (a
#   server that requires TLS): an inspection shows what one look can show.
# - Everything a domain publishes is attacker-controlled text: escape it.
# - `skip` means "not checked from here", never "fine": the verdict counts it.
#   A blocked port 25 or a resolver that filters or strips DNSSEC is named as
#   this network's problem, not the domain's.
# - Live checks never send mail; where port 25 is blocked they say so and
#   still check the rest; saved inspections replay where the network is closed.

# %% [markdown]
# ## Clean-up

# %%
lab.stop()

# %% [markdown] tags=["navigation"]
# [← 06 TLS reporting](06-tls-reporting.ipynb) · [Contents](README.md) · [08 Real MTAs →](08-real-mtas.ipynb)
