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
# - **Self-study:** run `make lab`. The first time, it copies the learner
#   notebooks into `my-work/` in the course folder and opens JupyterLab
#   there: those copies are *yours*. They are the course without the exercise
#   solutions and without outputs: run them, and where you see
#   `raise NotImplementedError("your code here")`, write your code, and save.
#   **Run All stops at the first unsolved exercise**: that placeholder, and a
#   check that fails, both raise an error, on purpose. Solve it, then carry on
#   with *Run Selected Cell and All Below* (the Run menu).
#   `make lab` never overwrites a file in `my-work/`, and git ignores that
#   folder, so course updates (`git pull`) never touch your answers. If the
#   course updates a notebook you already have, `make lab` says so; rename
#   your copy and start `make lab` again to get the new one.
# - **Solutions:** the notebooks in `notebooks/` (one folder up from
#   `my-work/` in JupyterLab's file browser, or `make solutions`) contain the
#   solutions and are stored with their outputs, so you can read ahead. Work
#   in `my-work/`, not there: those files belong to the course.
# - **Workshop:** the instructor presents from `notebooks/` (`make solutions`);
#   learners run `make lab` and work in `my-work/`.
#
# The notebooks, in order, with their time estimates, are listed in the
# contents (the link at the top of every notebook leads to the list of the
# copies next to it).

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
# Its keys come from a *seed*: with the same seed you get the same keys and
# certificates, the same DNS records and DNSSEC signatures, and the same
# outputs as printed here.

# %%
from helpers import doctor
from helpers.exercises.nb00 import SEED_QUESTIONS, check_same_seed, check_smtp_endpoint
from helpers.lab import Lab
from helpers.net import Network
from helpers.tables import Table

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
Table(("domain", "DNSSEC", "what it teaches"),
      [(s.domain, "signed" if s.signed else "", s.teaches) for s in lab.scenarios.values()])

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
# **Exercise 1 (warm-up).** Where does the SMTP server of `mx2.example.com`
# listen in this lab? Store the `(address, port)` pair in `mx2_endpoint`.

# %%
mx2_endpoint = None  # your answer: (address, port)
### BEGIN SOLUTION
mx2_endpoint = lab.net.smtp_endpoint("mx2.example.com")
### END SOLUTION

# %% tags=["check"]
check_smtp_endpoint(mx2_endpoint, lab)

# %% [markdown]
# **Exercise 2.** Predict, then verify. Suppose a colleague starts a lab with
# the same seed on their machine (or you start a second one here). Which of
# the items below are the same in both labs? Answer `True` (the same) or
# `False` (different) for each, in `prediction`, from what this notebook
# said about the seed. The check then starts a second lab with the same seed
# and compares, item by item.

# %%
for item in SEED_QUESTIONS:
    print(item)
prediction = None  # your answer: {item: True or False, ...}
### BEGIN SOLUTION
prediction = {item: True for item in SEED_QUESTIONS}
prediction["the port of mx1.example.com's SMTP server"] = False
prediction["the lab's temporary folder"] = False
### END SOLUTION

# %% tags=["check"]
check_same_seed(prediction, lab)

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
# - Exercises are checked: a failing check says "Not yet" and gives a hint,
#   not the answer. Your own copies live in `my-work/`.

# %% [markdown]
# ## Clean-up
#
# Stop the lab's servers (the next notebook starts its own).

# %%
lab.stop()

# %% [markdown] tags=["navigation"]
# [Contents](README.md) · [01 The STARTTLS transcript →](01-starttls-transcript.ipynb)
