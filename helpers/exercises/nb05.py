"""Checkers for notebook 05's "Try it yourself" exercises (see :mod:`helpers.exercises.core`)."""

from __future__ import annotations


from .core import Passed, _answered, _fail

#: Exercise 1 of notebook 05: (domain, sender mode) whose path the learner predicts.
PATH_CASES = (("example.com", "mta-sts"), ("sts-enforce.example", "dane"))


def check_path_prediction(prediction, lab) -> Passed:
    """Exercise: the path (node ids of helpers.policy.TREE) of each case, checked
    against ``helpers.policy.trace``."""
    from ..policy import TREE, trace

    _answered(prediction, "prediction")
    if not isinstance(prediction, dict):
        _fail("Give a dict from each domain to its path: a list of node ids such as "
              "['mx', 'tlsa', 'dane'].")
    for domain, mode in PATH_CASES:
        if domain not in prediction:
            _fail(f"Predict every domain: {domain!r} is missing.")
        guess = prediction[domain]
        if not isinstance(guess, (list, tuple)) or not all(isinstance(n, str) for n in guess):
            _fail(f"The path of {domain!r} should be a list of node ids (strings).")
        unknown = [n for n in guess if n not in TREE]
        if unknown:
            _fail(f"{unknown[0]!r} is not a node of the tree; the nodes are "
                  f"{', '.join(TREE)}.")
        truth = trace(domain, lab.net, mode).path()
        if tuple(guess) == truth:
            continue
        if mode == "mta-sts" and "tlsa" in guess:
            _fail(f"{domain}: does a sender that implements only MTA-STS look up TLSA?")
        if mode == "dane" and ("match" in guess or "sts-testing" in guess):
            _fail(f"{domain}: does a sender that implements only DANE fetch MTA-STS policies?")
        if "mx" in truth and "tlsa" in truth and "tlsa" not in guess:
            _fail(f"{domain}: is the MX answer of this domain DNSSEC-signed?")
        if "tlsa" in guess and "tlsa" not in truth:
            _fail(f"{domain}: TLSA counts only below a DNSSEC-secure MX answer: is this "
                  "domain's zone signed, and does this sender validate it?")
        if guess and guess[-1] != truth[-1]:
            _fail(f"{domain}: the path starts right but ends at another rule; "
                  "follow the answers one question at a time.")
        _fail(f"{domain}: the path is not right yet; start at 'mx' and follow the answers "
              "this sender would get.")
    return Passed("Both paths are the ones trace() takes.")


#: Exercise 2 of notebook 05: three operators, described in words, and their answers.
OPERATOR_PROFILES = {
    "a": ("A small company runs its own MX (Postfix). Its DNS host signs the zone and "
          "serves TLSA records; a renewal hook updates the TLSA records with each new key. "
          "It has no web server for mta-sts.<domain>. It wants reports.",
          dict(dnssec=True, own_mx=True, https=False, automate_tlsa=True, reports=True)),
    "b": ("A shop uses a large mail provider that publishes no TLSA records; its DNS host "
          "cannot sign the zone; its web host can serve https://mta-sts.<domain>/ with a "
          "valid certificate. It wants reports.",
          dict(dnssec=False, own_mx=False, provider_dane=False, https=True, reports=True)),
    "c": ("A university runs its own MX hosts, signs its zone, serves HTTPS for "
          "mta-sts.<domain>, automates TLSA updates and reads reports.",
          dict(dnssec=True, own_mx=True, https=True, automate_tlsa=True, reports=True)),
}
MECHANISMS = ("DANE", "MTA-STS", "TLS-RPT")


def check_operator_picks(picks) -> Passed:
    """Exercise: which mechanisms should each operator publish? Checked against
    ``helpers.policy.recommend``."""
    from ..recommend import recommend

    _answered(picks, "picks")
    if not isinstance(picks, dict):
        _fail("Give a dict from each operator ('a', 'b', 'c') to a set of mechanisms, "
              "e.g. {'MTA-STS', 'TLS-RPT'}.")
    for key, (_, answers) in OPERATOR_PROFILES.items():
        if key not in picks:
            _fail(f"Pick for every operator: {key!r} is missing.")
        given = picks[key]
        if isinstance(given, str) or not all(isinstance(m, str) for m in given):
            _fail(f"Operator {key!r}: give a set of names such as {{'DANE', 'TLS-RPT'}}.")
        given = {m.strip().upper() for m in given}
        unknown = given - set(MECHANISMS)
        if unknown:
            _fail(f"Operator {key!r}: {sorted(unknown)[0]!r} is not one of {MECHANISMS}.")
        truth = set(recommend(**answers).mechanisms)
        if given == truth:
            continue
        if "TLS-RPT" not in given:
            _fail(f"Operator {key!r}: which record costs one TXT line and is worth "
                  "publishing in every case?")
        if "DANE" in given and "DANE" not in truth:
            _fail(f"Operator {key!r}: who can publish TLSA records for the MX hosts, and "
                  "does DANE work without DNSSEC?")
        if "DANE" in truth and "DANE" not in given:
            _fail(f"Operator {key!r}: the zone is signed and the TLSA records can be kept "
                  "up to date: what stops DANE?")
        if "MTA-STS" in given and "MTA-STS" not in truth:
            _fail(f"Operator {key!r}: where would the MTA-STS policy file be served from?")
        _fail(f"Operator {key!r}: an HTTPS host is available: which senders does MTA-STS "
              "reach that DANE does not?")
    return Passed("All three picks match the recommendation.")


#: Exercise 3 of notebook 05: the new lab domain and its MX host.
DESIGN_DOMAIN, DESIGN_MX = "my-shop.example", "mx.my-shop.example"


def check_record_design(records, lab) -> Passed:
    """Exercise: a record set for DESIGN_DOMAIN that a ``dane`` and an ``mta-sts``
    sender both deliver to with verified TLS. Deploys it in ``lab`` (after
    ``lab.reset()``, which removes an earlier deployment) and sends real mail."""
    from ..publish import RecordSet
    from ..sender import VERIFIED, Sender

    _answered(records, "my_records")
    if not isinstance(records, RecordSet):
        _fail("Give the RecordSet that helpers.publish.generate(...) returns.")
    if records.domain != DESIGN_DOMAIN:
        _fail(f"The records are for {records.domain!r}; the task's domain is "
              f"{DESIGN_DOMAIN!r}.")
    if [h for _, h in records.mx] != [DESIGN_MX]:
        _fail(f"The domain's one MX host is {DESIGN_MX!r}.")
    lab.reset()
    try:
        lab.add_domain(records)
        outcomes = {mode: Sender(lab.net, mode).send(
            f"Subject: design check\r\n\r\nto {mode}\r\n", f"bob@{DESIGN_DOMAIN}")
            for mode in ("dane", "mta-sts")}
    finally:
        lab.reset()
    dane_out, sts_out = outcomes["dane"], outcomes["mta-sts"]
    if dane_out.status != VERIFIED:
        if not records.of(f"_25._tcp.{DESIGN_MX}", "TLSA"):
            _fail("The dane sender found no TLSA record for the MX host: give MxHost the "
                  "certificate the host serves (lab.issue_certificate).")
        _fail(f"The dane sender did not deliver with verified TLS ({dane_out.reason}): does a "
              "TLSA record match the key the MX host serves?")
    if sts_out.status != VERIFIED:
        if records.policy is None:
            _fail("The mta-sts sender found no policy: choose an MTA-STS mode.")
        _fail(f"The mta-sts sender did not deliver with verified TLS ({sts_out.reason}).")
    mode = records.policy.split("mode: ", 1)[1].split()[0]
    note = "" if mode == "enforce" else (f" Your policy is in {mode} mode: it protects "
                                         "nothing until you switch to enforce.")
    return Passed("Deployed in the lab: the dane sender (" + dane_out.attempts[-1].reason
                  + ") and the mta-sts sender both delivered with verified TLS." + note)
