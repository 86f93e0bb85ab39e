"""Checkers for notebook 02's "Try it yourself" exercises (see :mod:`helpers.exercises.core`)."""

from __future__ import annotations


from .core import Passed, _answered, _fail, _true_or_false, checker

PREDICT_ATTACKS = ("spoof MX", "first contact")
#: The mid-notebook exercise: the attacks run against tls-required.example.
RECEIVER_ATTACKS = ("strip", "substitute")


@checker
def check_receiver_prediction(prediction, lab) -> Passed:
    """Exercise: against tls-required.example (MAIL refused before STARTTLS),
    predict for each of RECEIVER_ATTACKS whether an opportunistic sender's
    message reaches the mailbox and whether the attacker reads it. The check
    runs both attacks in the lab and compares (RFC 3207 §4)."""
    from ..attacks import MESSAGE, SECRET, set_up
    from ..sender import Sender

    _answered(prediction, "receiver_prediction")
    if not isinstance(prediction, dict) or set(prediction) != set(RECEIVER_ATTACKS):
        _fail(f"Give a dict with one entry per attack: {', '.join(RECEIVER_ATTACKS)}, each a "
              "pair (delivered, attacker_read).")
    try:
        for attack in RECEIVER_ATTACKS:
            given = prediction[attack]
            if not (isinstance(given, tuple) and len(given) == 2):
                _fail(f"{attack!r}: give a pair (delivered, attacker_read) of True/False.")
            delivered = _true_or_false(given[0], f"{attack!r} delivered")
            read_it = _true_or_false(given[1], f"{attack!r} attacker_read")
            read = set_up(lab, attack, "tls-required.example")
            outcome = Sender(lab.net, "opportunistic").send(MESSAGE, "bob@tls-required.example")
            truth = (outcome.delivered, read(SECRET))
            if (delivered, read_it) == truth:
                continue
            if attack == "strip":
                _fail("'strip' is not right: the strip attacker only rewrites the EHLO reply "
                      "and passes everything else on. What does the MX answer when MAIL "
                      "arrives before STARTTLS, and who sees that answer?")
            _fail("'substitute' is not right: that attacker ends the sender's SMTP session "
                  "itself and opens its own to the MX. Which of the two sessions does the "
                  "MX's rule apply to, and can it tell who is on the other end?")
    finally:
        lab.reset()
    return Passed("The receiver's rule only binds the session that reaches it: an attacker "
                  "who does STARTTLS with the MX itself satisfies it and reads everything.")


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
