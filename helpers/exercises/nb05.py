"""Checkers for notebook 05's "Try it yourself" exercises (see :mod:`helpers.exercises.core`)."""

from __future__ import annotations


from .core import Passed, _answered, _fail, checker

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


#: Exercise 2 of notebook 05: shop.example moves its one MX host from mx1 to
#: mx2 while its MTA-STS policy is in ``enforce``. The steps, shuffled.
MIGRATION_STEPS = {
    "a": "change the MX record from mx1.shop.example to mx2.shop.example",
    "b": "publish a new id in the _mta-sts.shop.example TXT record",
    "c": "serve a policy listing only mx2.shop.example, then publish a new id",
    "d": "serve a policy listing both mx1.shop.example and mx2.shop.example",
    "e": "wait until the max_age of the policy served before has passed",
}
_MIGRATION = "dbeac"


@checker
def check_migration_order(order) -> Passed:
    """Exercise: the order of MIGRATION_STEPS in which no enforcing sender ever
    defers (RFC 8461 §3.3, §5.1, §8)."""
    _answered(order, "order")
    if isinstance(order, str):
        order = list(order.replace(",", " ").split()) if " " in order or "," in order \
            else list(order)
    try:
        order = [str(step).strip().lower() for step in order]
    except TypeError:
        _fail("Give the letters in order, as a list such as ['a', 'b', ...] or a string.")
    if sorted(order) != sorted(MIGRATION_STEPS):
        _fail(f"Use each of the letters {', '.join(MIGRATION_STEPS)} exactly once.")
    at = {step: order.index(step) for step in order}
    if at["a"] < at["d"]:
        _fail("When the MX record changes, which policy lists the new host? An enforcing "
              "sender refuses an MX its policy does not list (RFC 8461 §4.1).")
    if at["b"] < at["d"]:
        _fail("A sender that sees a new id fetches the policy at once: what does it get if "
              "the file has not changed yet, and when will it look again?")
    if at["b"] != at["d"] + 1:
        _fail("The id names one instance of the policy (RFC 8461 §3.1): while the file "
              "changes under the old id, a sender comparing ids sees nothing new.")
    if at["e"] < at["d"]:
        _fail("The wait protects senders that hold the policy served before the change: "
              "when can it start?")
    if at["a"] < at["e"]:
        _fail("A sender that fetched the old policy just before your change need not look at "
              "the id again until that policy's max_age runs out (RFC 8461 §5.1 makes the "
              "check optional): until then it refuses the new host.")
    if at["c"] < at["a"]:
        _fail("Removing mx1 from the policy while the MX record still names it leaves "
              "enforcing senders with no MX they may use.")
    assert "".join(order) == _MIGRATION, order  # the rules above leave only this order
    return Passed("d, b, e, a, c: every sender's policy lists the MX it is given at each "
                  "moment, so no message waits; the last step tidies the policy up.")


#: Exercise 3 of notebook 05: the new lab domain and its MX host. The hosting
#: provider renews the MX's key without notice (the checker uses a label the
#: learner is never shown) from a public CA that rotates its intermediates.
DESIGN_DOMAIN, DESIGN_MX = "my-shop.example", "mx.my-shop.example"
_RENEWED = DESIGN_MX + "#renewed-without-notice"


@checker
def check_record_design(records, lab) -> Passed:
    """Exercise: records for DESIGN_DOMAIN with which neither a ``dane`` nor an
    ``mta-sts`` sender ever defers, before or after the provider renews the MX's
    key, and the ``mta-sts`` sender authenticates the MX (RFC 8461 §5, RFC 7671
    §8, RFC 7672 §2.2). Deploys it in ``lab`` (after ``lab.reset()``), sends real
    mail, renews the key, sends again, and resets the lab."""
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
    tlsa = records.of(f"_25._tcp.{DESIGN_MX}", "TLSA")
    if any(str(r).split()[0] == "2" for r in tlsa):
        _fail("A 2 x x record pins the provider's CA, and that CA rotates its intermediate "
              "certificates (notebook 04): what happens to every DANE sender at the next "
              "rotation?")
    if records.policy is None:
        _fail("The mta-sts sender must authenticate the MX: what does it need to find?")
    mode = records.policy.split("mode: ", 1)[1].split()[0]
    if mode != "enforce":
        _fail(f"A policy in {mode} mode delivers whatever the check says (RFC 8461 §5): "
              "an attacker could still read the mail. Which mode makes the sender refuse?")
    senders = {m: Sender(lab.net, m) for m in ("dane", "mta-sts")}
    outcomes = {}
    lab.reset()
    try:
        lab.add_domain(records)
        for when in ("today", "after the renewal"):
            if when != "today":
                lab.renew_key(DESIGN_MX, _RENEWED)
            outcomes[when] = {m: s.send(f"Subject: design check\r\n\r\n{when}\r\n",
                                        f"bob@{DESIGN_DOMAIN}") for m, s in senders.items()}
    finally:
        lab.reset()
    for when, sent in outcomes.items():
        dane_out, sts_out = sent["dane"], sent["mta-sts"]
        if not dane_out.delivered:
            if when == "today":
                _fail(f"The dane sender did not deliver today ({dane_out.reason}): does every "
                      "TLSA record match the key the MX host serves?")
            _fail(f"The dane sender delivered today, but not {when} ({dane_out.reason}): "
                  "which of your records names the key, and who would update it in time "
                  "when nobody announces the next one?")
        if sts_out.status != VERIFIED:
            _fail(f"The mta-sts sender did not deliver with verified TLS {when} "
                  f"({sts_out.reason}).")
    return Passed("Neither sender deferred, before or after a renewal nobody announced, and "
                  "the mta-sts sender verified the MX both times: where keys change without "
                  "notice, MTA-STS (WebPKI names, not keys) survives; DANE would need "
                  "automation that publishes the next key first.")
