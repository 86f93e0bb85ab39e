"""Checkers for notebook 08's "Try it yourself" exercises (see :mod:`helpers.exercises.core`)."""

from __future__ import annotations

from .core import Passed, _answered, _fail

#: Exercise 1 of notebook 08: (Postfix set-up, domain, attack) whose outcome the
#: learner predicts before looking it up in the recorded matrix.
PREDICT_CASES = (("encrypt", "opportunistic.example", "substitute"),
                 ("dane", "example.com", "substitute"),
                 ("sts", "sts-enforce.example", "strip"),
                 ("dane-only", "dane-insecure.example", "none"))

_WORDS = ("verified", "unverified", "clear", "deferred", "bounced")

# Why each case comes out as it does, in words that point at the idea, never at
# the answer (the hint for a wrong prediction).
_WHY = {
    PREDICT_CASES[0]: "encrypt insists on TLS, but which certificate check does it do?",
    PREDICT_CASES[1]: "every MX host of example.com has the attacker on its path; what does "
                      "a DANE-EE record say about the attacker's self-signed certificate?",
    PREDICT_CASES[2]: "sts-enforce.example has an enforce policy, and the socketmap turns it "
                      "into Postfix's secure level: what does secure do when STARTTLS vanishes?",
    PREDICT_CASES[3]: "dane-insecure.example's zone is not signed, so its TLSA records are not "
                      "DNSSEC-validated; dane-only has no fallback.",
}

#: Exercise 2: the goals, each with the one Postfix level that meets it.
GOALS = {
    "internet": "An MTA sending to the whole internet: authenticate with DANE wherever the "
                "receiver publishes DNSSEC-signed TLSA records, and never hold mail for "
                "domains that publish nothing.",
    "partner-dane": "A link to a partner whose zone is DNSSEC-signed with TLSA records: mail "
                    "must never go out unless DANE authenticates the server.",
    "legacy-relay": "A relay to an old smarthost with a self-signed certificate and no "
                    "DNSSEC: mail must never travel in the clear, and nothing can be verified.",
    "partner-ca": "A partner without DNSSEC, whose MX has a certificate from a public CA for "
                  "the partner's own domain name: authenticate it without trusting "
                  "the MX answer from DNS.",
}
_LEVELS = {"internet": "dane", "partner-dane": "dane-only", "legacy-relay": "encrypt",
           "partner-ca": "secure"}
_LEVEL_HINTS = {
    ("internet", "dane-only"): "dane-only never falls back: mail to every domain without "
                               "TLSA records would stay queued.",
    ("internet", "may"): "may never authenticates anything, even where TLSA records exist.",
    ("internet", "secure"): "secure needs a CA-signed certificate for every destination; most "
                            "of the internet would defer.",
    ("partner-dane", "dane"): "dane falls back to may when the TLSA records are missing or "
                              "the DNS answer is insecure: that is not 'never'.",
    ("legacy-relay", "may"): "may goes on in the clear when STARTTLS is missing or stripped.",
    ("legacy-relay", "verify"): "verify checks the certificate against a trusted CA: a "
                                "self-signed certificate fails.",
    ("legacy-relay", "secure"): "secure checks the certificate against a trusted CA: a "
                                "self-signed certificate fails.",
    ("partner-ca", "verify"): "verify checks the certificate against the MX name, which came "
                              "from an unsigned DNS answer an attacker can forge.",
    ("partner-ca", "encrypt"): "encrypt never checks the certificate at all.",
    ("partner-ca", "dane"): "the partner has no DNSSEC: dane finds no TLSA records and "
                            "falls back to may.",
}
KNOWN_LEVELS = ("none", "may", "encrypt", "dane", "dane-only", "fingerprint", "verify", "secure")


def check_postfix_prediction(prediction, cells) -> Passed:
    """Exercise: Postfix's outcome word for each case of PREDICT_CASES, checked
    against the recorded (or live) matrix ``cells``."""
    _answered(prediction, "prediction")
    if not isinstance(prediction, dict):
        _fail("Give a dict from each case (set-up, domain, attack) to one word: "
              + ", ".join(_WORDS) + ".")
    by = {(c.setup, c.domain, c.attack): c for c in cells}
    for case in PREDICT_CASES:
        if case not in prediction:
            _fail(f"Predict the case {case} too.")
        word = prediction[case]
        if not isinstance(word, str) or word.strip().lower() not in _WORDS:
            _fail(f"For {case}, give one of the words {', '.join(_WORDS)}.")
        if word.strip().lower() != by[case].postfix:
            _fail(f"Look again at {case}: {_WHY[case]}")
    return Passed("All four as Postfix logged them. The log line behind each is in the "
                  "matrix's reasons: 'Verified', 'Trusted' or 'Untrusted TLS connection "
                  "established', or status=deferred with the cause.")


def check_level_choice(choice) -> Passed:
    """Exercise: the Postfix smtp_tls_security_level meeting each goal of GOALS."""
    _answered(choice, "choice")
    if not isinstance(choice, dict):
        _fail("Give a dict from each goal's key (" + ", ".join(GOALS) + ") to a level name.")
    for goal in GOALS:
        if goal not in choice:
            _fail(f"Choose a level for the goal {goal!r} too.")
        level = choice[goal]
        if not isinstance(level, str) or level.strip().lower() not in KNOWN_LEVELS:
            _fail(f"For {goal!r}, give one of Postfix's levels: {', '.join(KNOWN_LEVELS)}.")
        level = level.strip().lower()
        if level != _LEVELS[goal]:
            hint = _LEVEL_HINTS.get((goal, level),
                                    "read the goal again: must mail ever wait, and what "
                                    "can be verified for that destination?")
            _fail(f"Not {level} for {goal!r}: {hint}")
    return Passed("Opportunistic where the whole internet is the destination (dane), "
                  "mandatory only where you know what the receiver publishes.")
