"""Checkers for notebook 03's "Try it yourself" exercises (see :mod:`helpers.exercises.core`)."""

from __future__ import annotations


from ..mtasts import MtaStsError, mx_matches, parse_policy
from .core import Passed, _answered, _fail, _true_or_false, checker

CORP_MX = ("mx1.corp.example", "mx2.corp.example", "backup.mail.corp.example")
_CORP_DECOYS = ("corp.example", "www.corp.example", "mx1.corp.example.evil.example",
                "evil.example", "x.backup.mail.corp.example",
                "mail.corp.example.attacker.example")


@checker
def check_policy_for_mx(text) -> Passed:
    """Exercise: an enforce policy allowing exactly the corp.example MX hosts."""
    _answered(text, "my_policy")
    if not isinstance(text, (str, bytes)):
        _fail("Give the policy file's text, as a string.")
    try:
        policy = parse_policy(text)
    except MtaStsError as e:
        _fail(f"The policy does not parse: {e}")
    if policy.mode != "enforce":
        _fail(f"Mode is {policy.mode!r}; the task asks for a policy that senders enforce.")
    missing = [h for h in CORP_MX if not policy.matches(h)]
    if missing:
        _fail(f"{missing[0]} is an MX of corp.example, but your policy does not allow it. "
              "Remember that '*' stands for exactly one label.")
    loose = [h for h in _CORP_DECOYS if policy.matches(h)]
    if loose:
        _fail(f"Your policy also allows {loose[0]!r}, which is not an MX of corp.example: "
              "make the patterns tighter.")
    for pattern in policy.mx:
        if pattern.startswith("*."):
            _fail(f"{pattern!r} allows every host one label below {pattern[2:]}, not only the "
                  "MX hosts: 'nothing else' rules out wildcards here.")
        if pattern.rstrip(".").lower() not in CORP_MX:
            _fail(f"Your policy also allows {pattern!r}, which is not an MX of corp.example.")
    if policy.max_age < 1209600:
        # RFC 8461 §3.2: max_age "typically in the range of weeks or greater";
        # a short one shrinks the protection to the first-contact gap (§10.2).
        _fail(f"max_age {policy.max_age} s is under two weeks: for an enforced policy RFC 8461 "
              "§3.2 expects weeks or more, or a sender that has not visited for a while is "
              "back at first contact (§10.2).")
    if policy.warnings:
        _fail(f"It parses, with a warning worth fixing: {policy.warnings[0]}")
    return Passed(f"Enforce policy allowing the {len(CORP_MX)} MX hosts and nothing else, "
                  f"cached for {policy.max_age // 86400} day(s).")


PREDICT_PATTERNS = ("*.mail.example.org", "mx.example.org")
PREDICT_HOSTS = ("mx.example.org", "eu.mail.example.org", "mail.example.org",
                 "a.eu.mail.example.org", "MX.EXAMPLE.ORG.", "mx.example.org.evil.example",
                 "backup.example.org")


@checker
def check_mx_prediction(prediction) -> Passed:
    """Exercise: predict which hosts the policy's mx patterns allow."""
    _answered(prediction, "prediction")
    if not isinstance(prediction, dict):
        _fail("Give a dict from each host name to True or False.")
    missing = [h for h in PREDICT_HOSTS if h not in prediction]
    if missing:
        _fail(f"Predict every host: {missing[0]!r} is missing.")
    for host in PREDICT_HOSTS:
        expected = any(mx_matches(p, host) for p in PREDICT_PATTERNS)
        if _true_or_false(prediction[host], repr(host)) != expected:
            why = {
                "mail.example.org": "does '*.' match the name it is attached to?",
                "a.eu.mail.example.org": "how many labels does '*' stand for?",
                "MX.EXAMPLE.ORG.": "how are case and a trailing dot treated?",
                "mx.example.org.evil.example": "is a name that merely starts with an mx "
                                               "pattern the same name?",
            }.get(host, "compare it with each pattern, label by label.")
            _fail(f"Look again at {host!r}: {why}")
    return Passed(f"All {len(PREDICT_HOSTS)} predictions are right.")
