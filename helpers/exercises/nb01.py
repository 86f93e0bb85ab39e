"""Checkers for notebook 01's "Try it yourself" exercises (see :mod:`helpers.exercises.core`)."""

from __future__ import annotations


from ..smtp import Line, SERVER, Transcript, parse_ehlo
from .core import Passed, _answered, _fail, _true_or_false, checker

_EHLO_CASES = (
    b"250-mx1.example.com\r\n250-SIZE 33554432\r\n250-8BITMIME\r\n250-STARTTLS\r\n250 HELP\r\n",
    b"250-mail.example.net Hello\r\n250-pipelining\r\n250-starttls\r\n250 SIZE 10240000\r\n",
    b"250 lonely.example.org\r\n",
    b"250-mx.example.org\r\n250-AUTH PLAIN LOGIN\r\n250-ENHANCEDSTATUSCODES\r\n250 CHUNKING\r\n",
)


@checker
def check_parse_ehlo(fn) -> Passed:
    """Exercise: write ``parse_ehlo(reply) -> dict`` (RFC 5321 §4.1.1.1)."""
    if not callable(fn):
        _fail("Define a function parse_ehlo(reply) and pass the function itself.")
    if fn is parse_ehlo:
        _fail("That is the course's own parse_ehlo from helpers.smtp: write yours.")
    for case in _EHLO_CASES:
        expected = parse_ehlo(case)
        try:
            got = fn(case)
        except NotImplementedError:
            _fail("parse_ehlo still raises NotImplementedError: write its body in the cell "
                  "above, run it, then this one.")
        except Exception as e:  # the learner's code: show what went wrong, where
            _fail(f"Your function raised {type(e).__name__}: {e} on the reply {case!r}.")
        if not isinstance(got, dict):
            _fail(f"Return a dict (keyword -> list of parameters), not {type(got).__name__}.")
        got = {str(k): list(v) for k, v in got.items()}
        name = case.split(b"\r\n")[0][4:].split()[0].decode()
        if any(name.lower() in k.lower() for k in got) or any(k[:3].isdigit() for k in got):
            _fail("The first line names the server; it is not a capability, and the reply "
                  "code with its separator ('250-' or '250 ') is not part of a keyword.")
        if not got and expected:
            _fail(f"Your function found no capabilities in {case!r}: each line after the "
                  "first holds one.")
        if {k.upper() for k in got} != set(expected):
            missing = set(expected) - {k.upper() for k in got}
            if missing:
                _fail(f"Some capabilities are missing for the reply {case!r}: mind the last "
                      "line, whose code is followed by a space, not a dash.")
            _fail("Your keys differ from the capabilities in the reply.")
        if set(got) != set(expected):
            _fail("Keywords are case-insensitive (RFC 5321 §2.4): 'starttls' and 'STARTTLS' "
                  "are the same; return them in upper case.")
        if got != expected:
            _fail("The keywords are right; check the parameters, e.g. SIZE's number, as a "
                  "list of strings.")
    return Passed(f"parse_ehlo handles {len(_EHLO_CASES)} replies, lower-case keywords and "
                  "single-line replies included.")


@checker
def check_last_readable(answer, transcript: Transcript) -> Passed:
    """Exercise: the last line of the session an eavesdropper could read."""
    _answered(answer, "last_readable")
    readable = transcript.readable()
    expected = readable[-1]
    if isinstance(answer, Line):
        answer = answer.data
    if isinstance(answer, str):
        answer = answer.encode()
    if not isinstance(answer, bytes):
        _fail("Give the line's bytes (a Line's .data), or the Line itself.")
    if answer.rstrip(b"\r\n") == expected.data.rstrip(b"\r\n"):
        return Passed("After the server's '220' to STARTTLS, only TLS records cross the wire.")
    encrypted = [line.data for line in transcript.lines if line.encrypted]
    if answer in encrypted:
        _fail("That line was sent inside TLS: an eavesdropper sees only ciphertext there. "
              "Look at each line's `encrypted` attribute.")
    clear = [line.data.rstrip(b"\r\n") for line in readable]
    if answer.rstrip(b"\r\n") in clear:
        later = clear.index(answer.rstrip(b"\r\n"))
        who = "the server" if readable[later + 1].sender == SERVER else "the client"
        _fail(f"That line was readable, but not the last: {who} sent another one in the "
              "clear after it.")
    _fail("That line is not in the transcript; use transcript.lines.")


TAP_QUESTIONS = {
    "the name the client gives in EHLO (sender.example)": "ehlo sender.example",
    "the server's offer, STARTTLS": "STARTTLS",
    "the envelope sender, alice@sender.example": "alice@sender.example",
    "the subject line, 'Subject: Lunch'": "Subject: Lunch",
    "the name of the CA that issued the server's certificate": "SMTP TLS Lab Issuing CA",
}
_TAP_HINTS = {
    "ehlo sender.example": "the client's first EHLO comes before STARTTLS.",
    "STARTTLS": "where is the offer to encrypt made, and where is the client's request?",
    "alice@sender.example": "MAIL FROM comes after the second EHLO: inside or outside TLS?",
    "Subject: Lunch": "headers are part of the message, sent after DATA.",
    "SMTP TLS Lab Issuing CA": "in TLS 1.3 (this lab's version) the server's certificate "
                               "travels encrypted, after the ServerHello.",
}


@checker
def check_tap_prediction(prediction, lab, message: str) -> Passed:
    """Exercise: predict what a passive tap reads of a STARTTLS delivery, then
    verify it in the lab (a tap on mx1.example.com, one real delivery)."""
    from ..smtp import deliver

    _answered(prediction, "prediction")
    if not isinstance(prediction, dict):
        _fail("Give a dict from each item to True (the tap reads it) or False.")
    missing = [q for q in TAP_QUESTIONS if q not in prediction]
    if missing:
        _fail(f"Predict every item: {missing[0]!r} is missing (copy the names printed above).")
    tap = lab.attack("mx1.example.com", "tap")
    try:
        deliver("mx1.example.com", lab.net, message, sender="alice@sender.example",
                recipients=["bob@example.com"])
        truth = {q: tap.saw(text) for q, text in TAP_QUESTIONS.items()}
    finally:
        lab.stop_attack("mx1.example.com")
    for question, text in TAP_QUESTIONS.items():
        if _true_or_false(prediction[question], repr(question)) != truth[question]:
            _fail(f"Not right for {question}: {_TAP_HINTS[text]}")
    read = sum(truth.values())
    return Passed(f"Verified with a tap in the lab: it read {read} of the {len(truth)} items, "
                  "all from before the TLS handshake.")
