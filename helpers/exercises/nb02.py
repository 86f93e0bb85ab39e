"""Checkers for notebook 02's "Try it yourself" exercises (see :mod:`helpers.exercises.core`)."""

from __future__ import annotations


from .core import Passed, _answered, _fail, _true_or_false, checker

PREDICT_ATTACKS = ("spoof MX", "first contact")


@checker
def check_matrix_prediction(prediction, matrix) -> Passed:
    """Exercise: for two attacks, predict for each sender policy whether the
    attacker gets to read the message."""
    _answered(prediction, "prediction")
    if not isinstance(prediction, dict):
        _fail("Give a dict: {(attack, policy): True or False, ...}.")
    for attack in PREDICT_ATTACKS:
        for policy in matrix.policies:
            if (attack, policy) not in prediction:
                _fail(f"Predict every pair: ({attack!r}, {policy!r}) is missing.")
            truth = matrix.cell(attack, policy).attacker_read
            if _true_or_false(prediction[(attack, policy)], f"({attack!r}, {policy!r})") != truth:
                hint = {
                    "spoof MX": "which senders check the MX name against something the "
                                "attacker cannot forge, and which validate DNSSEC?",
                    "first contact": "what does an MTA-STS sender do when it has no cached "
                                     "policy and cannot fetch one? Does DANE need a fetch?",
                }[attack]
                _fail(f"({attack!r}, {policy!r}) is not right: {hint}")
    return Passed("Right for every sender policy: now compare with the full matrix below.")


@checker
def check_found_secret(answer, attacker, secret: str) -> Passed:
    """Exercise: find the chunk of the attacker's log that holds the message text."""
    _answered(answer, "found")
    data = getattr(answer, "data", answer)
    if isinstance(data, str):
        data = data.encode()
    if not isinstance(data, bytes):
        _fail("Give one entry of attacker.log (or its .data bytes).")
    chunks = [s.data for s in attacker.log]
    if data not in chunks:
        _fail("That is not an entry of this attacker's log; look through attacker.log.")
    if secret.encode() not in data:
        _fail("That entry does not hold the message text; each entry's .data is bytes: "
              "search them for a few words of the message.")
    entry = attacker.log[chunks.index(data)]
    return Passed(f"The attacker read it from the {entry.sender}, in the {entry.channel}.")
