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
# [Contents](README.md) · [01 The STARTTLS transcript →](01-starttls-transcript.ipynb)

# %% [markdown]
# # 00 · Start here
#
# Welcome. This course takes you from *what STARTTLS looks like on the wire* to
# *I can check and harden a real domain*: how mail between servers is encrypted,
# how an attacker on the path defeats that, and how MTA-STS (RFC 8461), DANE
# (RFC 7672) and TLS-RPT (RFC 8460) stop them. Every claim is shown by running
# real protocol code.

# %% [markdown]
# > **In this notebook**
# >
# > **Questions:** How do I use this course? What is the lab, and how is it
# > different from the real internet? Is my machine ready?
# >
# > **Objectives:** start and stop the lab; find where a lab server listens;
# > tell lab mode from live mode; run the environment check and act on its hints.
# >
# > **Time:** 10 min teaching + 10 min exercises
# >
# > **Prerequisites:** none. Python basics; no SMTP knowledge needed.

# %% [markdown]
# ## How to use the course
#
# Each notebook answers a few questions, in short sections: a little prose
# saying *why*, then a cell showing *that*. Run the cells from top to bottom
# (Shift-Enter). Each notebook has **Try it yourself** exercises; the cell after
# each exercise *checks* your answer and gives a hint when it is not right yet.
#
# - **Self-study:** open the notebooks in `notebooks/learner/`. They are the
#   same as these, with the exercise solutions and all outputs removed: run
#   them, and where you see `raise NotImplementedError("your code here")`,
#   write your code. The notebooks in `notebooks/` contain the solutions, if
#   you get stuck.
# - **Workshop:** the instructor presents from `notebooks/`; learners work in
#   `notebooks/learner/`. The notebooks in `notebooks/` are stored with their
#   outputs, which are what a run gives, so you can read ahead before running
#   anything.
#
# The notebooks, in order, with their time estimates, are listed in the
# [contents](README.md).

# %% [markdown]
# ## The lab: a small internet on your machine
#
# Real mail servers, DNS and HTTPS are where the lessons are, but you cannot
# attack somebody else's mail, and most networks block the SMTP port anyway.
# So the course brings its own internet: **the lab**. It starts, in the
# background of this notebook, real servers speaking the real protocols on
# the loopback address 127.0.0.1:
#
# - a DNS server with DNSSEC-signed zones (and some unsigned ones);
# - an HTTPS server for MTA-STS policies;
# - an SMTP server (a receiving MTA) for every mail exchanger (MX) host;
# - on request, an attacker on the path between a sender and an MX.
#
# Its keys come from a *seed*: with the same seed you get the same
# certificates, the same DNS signatures and the same outputs as printed here.

# %%
from helpers import doctor
from helpers.exercises import check_signed_domains, check_smtp_endpoint
from helpers.lab import Lab
from helpers.net import Network

lab = Lab.start(seed=1)
lab

# %% [markdown]
# Each server got a port from the operating system, so port numbers differ
# from run to run (and so do the lab's temporary folder and timings);
# everything else, keys and signatures included, is the same every time.
# Running the cell again replaces the lab cleanly.

# %% [markdown]
# ## The network object
#
# Helpers never open sockets or ask DNS on their own: they take a `Network`,
# which says which nameserver to ask, which certificate authorities to trust,
# and where each host's services are. `lab.net` routes everything to the lab.

# %%
print(lab.net)
lab.net.smtp_endpoint("mx1.example.com")

# %% [markdown]
# The same helper run with `Network.live()` talks to the real internet: the
# system's resolver, the system's trust store, port 25 for SMTP and 443 for
# HTTPS. Only the network differs, never the code, so what you learn in the lab
# is exactly what runs against real domains.

# %%
live = Network.live()
live.smtp_port, live.https_port, live.is_lab

# %% [markdown]
# ## The lab's domains
#
# Each lab domain is a *scenario*: one situation the course teaches. The
# running example is `example.com`, protected by both MTA-STS and DANE. The
# others are there to be broken, stripped and compared.

# %%
for s in lab.scenarios.values():
    print(f"{s.domain:<28} {'DNSSEC' if s.signed else '      '}  {s.teaches}")

# %% [markdown]
# A first question to the lab's DNS: which servers receive mail for
# `example.com`? MX records answer that (RFC 5321 §5.1); the lower preference
# is tried first.

# %%
for mx in sorted(lab.net.resolver().resolve("example.com", "MX"), key=lambda r: r.preference):
    print(mx.preference, mx.exchange)

# %% [markdown]
# ## Is this machine ready?
#
# The environment check looks at Python, the packages, and whether the lab
# works here. From a terminal, in the course folder: `make doctor` (or
# `.venv/bin/python -m helpers doctor`).

# %%
doctor.run(live=False)

# %% [markdown]
# With `live=True` it also checks the internet: whether DNS answers with real
# data and whether outbound port 25 is open. Many networks (home providers,
# cloud machines, campuses) block port 25, so live probes of mail servers may
# not work where you are; every lesson still works in the lab. The output
# stored with this cell (in `notebooks/`) was recorded on a machine without
# internet access: yours may differ, which is why tests skip this cell.

# %% tags=["nbval-skip", "live"]
doctor.run(live=True)

# %% [markdown]
# ## Try it yourself
#
# **Exercise 1.** Where does the SMTP server of `mx2.example.com` listen in this
# lab? Store the `(address, port)` pair in `mx2_endpoint`.

# %%
mx2_endpoint = None  # your answer: (address, port)
### BEGIN SOLUTION
mx2_endpoint = lab.net.smtp_endpoint("mx2.example.com")
### END SOLUTION

# %% tags=["check"]
check_smtp_endpoint(mx2_endpoint, lab)

# %% [markdown]
# **Exercise 2.** Which lab domains are DNSSEC-signed? Make a list of their
# names in `signed`. Each scenario in `lab.scenarios.values()` has the
# attributes `domain` and `signed`.

# %%
signed = None  # your answer: a list of domain names
### BEGIN SOLUTION
signed = [s.domain for s in lab.scenarios.values() if s.signed]
### END SOLUTION

# %% tags=["check"]
check_signed_domains(signed, lab)

# %% [markdown]
# ## Equivalent commands
#
# The lab is real, so the usual tools work against it. The commands below use
# this notebook's lab (its ports and folder), so they work from a terminal
# while the lab runs, that is, until the clean-up cell. For a lab of its own in
# a terminal, run `make lab-server` (or `.venv/bin/python -m helpers lab`): it
# prints the same commands with its own ports.

# %%
print(lab.commands())

# %% [markdown]
# ## Key points
#
# - The lab is a real, small internet on 127.0.0.1: DNS with DNSSEC, HTTPS,
#   SMTP servers and attackers, started with `Lab.start(seed=...)`.
# - Same seed, same keys, same outputs: only port numbers, the lab's temporary
#   folder and timings change.
# - Every helper takes a `Network`: `lab.net` for the lab, `Network.live()` for
#   the internet; the code is the same.
# - Outbound port 25 is often blocked; the lab never needs it.
# - Exercises are checked: a failing check gives a hint, not the answer.

# %% [markdown]
# ## Clean-up
#
# Stop the lab's servers (the next notebook starts its own).

# %%
lab.stop()

# %% [markdown] tags=["navigation"]
# [Contents](README.md) · [01 The STARTTLS transcript →](01-starttls-transcript.ipynb)
