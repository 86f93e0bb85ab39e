"""Checkers for the notebooks' "Try it yourself" exercises.

Each checker takes the learner's answer, compares it with what the helpers
compute, and either returns a :class:`Passed` verdict or raises
:class:`ExerciseFailed` with a hint that points at the mistake without giving
the solution away. Raising is deliberate: in the generated learner notebooks a
check cell fails (visibly, in red) until the exercise is done.
"""

from __future__ import annotations

import datetime as _dt
import functools
import html
import sys
import textwrap
from dataclasses import dataclass

from .mtasts import MtaStsError, mx_matches, parse_policy
from .smtp import SERVER, Line, Transcript, parse_ehlo


class ExerciseFailed(AssertionError):
    """The answer is not right yet; the message says what to look at.

    In a notebook it is shown as the check's name, "Not yet" and the hint
    only: IPython calls ``_render_traceback_`` instead of printing the
    traceback, whose source lines (the checker's own code) would give the
    answer away. The cell still fails, so a learner sees red and a test
    running the learner copy sees the error.
    """

    check: str = "check"

    def _render_traceback_(self) -> list[str]:
        red, bold, reset = "\x1b[31m", "\x1b[1m", "\x1b[0m"
        hint = str(self).removeprefix("Not yet.").strip()
        lines = [f"{bold}{red}✗ {self.check}: Not yet.{reset}"]
        lines += ["  " + line for line in textwrap.wrap(hint, 88)]
        return lines


@dataclass(frozen=True)
class Passed:
    """A passed exercise: what was checked."""

    message: str

    def __str__(self) -> str:
        return f"Correct. {self.message}"

    def _repr_html_(self) -> str:
        return (f'<div style="border-left:4px solid #2b8a3e;padding:4px 8px">'
                f"<b>Correct.</b> {html.escape(self.message)}</div>")


def checker(fn):
    """Mark ``fn`` as an exercise checker: a failure names it and hides the
    traceback (see :class:`ExerciseFailed`)."""
    @functools.wraps(fn)
    def check(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ExerciseFailed as e:
            e.check = fn.__name__
            # No chained context either: the learner's data is in the message.
            raise e.with_traceback(None) from None
    return check


def _fail(hint: str) -> None:
    error = ExerciseFailed(f"Not yet. {hint}")
    # Name the check even in a checker without @checker: the nearest caller
    # whose name starts with "check_".
    frame = sys._getframe(1)
    while frame is not None and not frame.f_code.co_name.startswith("check_"):
        frame = frame.f_back
    if frame is not None:
        error.check = frame.f_code.co_name
    raise error


def _true_or_false(value, what: str) -> bool:
    if not isinstance(value, bool):
        _fail(f"Answer {what} with True or False (not {value!r}).")
    return value


def _answered(answer, name: str) -> None:
    if answer is None:
        _fail(f"`{name}` is still None: replace `raise NotImplementedError(...)` in the "
              "cell above with your code, run that cell, then this one.")


# -- notebook 00 ------------------------------------------------------------------


@checker
def check_smtp_endpoint(answer, lab, host: str = "mx2.example.com") -> Passed:
    """Exercise: where does ``host``'s SMTP server listen in the lab?"""
    _answered(answer, "mx2_endpoint")
    expected = lab.net.smtp_endpoint(host)
    if not isinstance(answer, tuple) or len(answer) != 2:
        _fail("Give a pair (address, port), as the Network returns it.")
    if answer[0] != expected[0]:
        _fail("The address is not right: every lab server listens on the loopback address.")
    if answer[1] == lab.net.smtp_endpoint("mx1.example.com")[1] and host != "mx1.example.com":
        _fail(f"That is the port of mx1.example.com; ask the network about {host}.")
    if answer[1] != expected[1]:
        _fail("The port is not right; ask the lab's network (lab.net) rather than guessing.")
    return Passed(f"{host} listens on {expected[0]}, port chosen by the OS at lab start.")


@checker
def check_signed_domains(answer, lab) -> Passed:
    """Exercise: which lab domains are DNSSEC-signed?"""
    _answered(answer, "signed")
    expected = {s.domain for s in lab.scenarios.values() if s.signed}
    try:
        given = {str(d).rstrip(".").lower() for d in answer}
    except TypeError:
        _fail("Give a list or set of domain names (strings).")
    unknown = given - set(lab.scenarios)
    if unknown:
        _fail(f"{sorted(unknown)[0]!r} is not a lab domain; the catalogue is lab.scenarios.")
    if given - expected:
        _fail(f"{len(given - expected)} of your domains are not signed: look at each "
              "scenario's `signed` attribute rather than at its name.")
    if expected - given:
        _fail(f"{len(expected - given)} signed domain(s) are missing from your answer.")
    return Passed(f"{len(expected)} lab domains are DNSSEC-signed; the others are "
                  "'insecure': DANE cannot apply to them.")



SEED_QUESTIONS = (
    "the port of mx1.example.com's SMTP server",
    "the lab's temporary folder",
    "mx1.example.com's certificate (its SHA-256 fingerprint)",
    "the TLSA record published for mx1.example.com",
    "the DNSSEC signature (RRSIG) over example.com's MX records",
)


def _seed_facts(lab) -> dict[str, object]:
    import hashlib

    import dns.message
    import dns.query
    from cryptography.hazmat.primitives.serialization import Encoding

    query = dns.message.make_query("example.com", "MX", want_dnssec=True)
    answer = dns.query.udp(query, "127.0.0.1", port=lab.dns.port, timeout=5)
    rrsig = next(r for r in answer.answer if r.rdtype == 46)  # RRSIG
    cert = lab.certificate("mx1.example.com").cert.public_bytes(Encoding.DER)
    tlsa = lab.net.resolver().resolve("_25._tcp.mx1.example.com", "TLSA")
    return dict(zip(SEED_QUESTIONS, (
        lab.net.smtp_endpoint("mx1.example.com")[1], str(lab.directory),
        hashlib.sha256(cert).hexdigest(), sorted(r.to_text() for r in tlsa),
        sorted(r.to_text() for r in rrsig))))


@checker
def check_same_seed(prediction, lab) -> Passed:
    """Exercise: predict what a second lab with the same seed shares with this
    one, then verify it by starting that second lab."""
    from .lab import Lab

    _answered(prediction, "prediction")
    if not isinstance(prediction, dict):
        _fail("Give a dict from each item to True (the same in both labs) or False.")
    missing = [q for q in SEED_QUESTIONS if q not in prediction]
    if missing:
        _fail(f"Predict every item: {missing[0]!r} is missing (copy the names printed above).")
    mine = _seed_facts(lab)
    with Lab(seed=lab.seed) as other:
        theirs = _seed_facts(other)
    for question in SEED_QUESTIONS:
        same = mine[question] == theirs[question]
        if _true_or_false(prediction[question], repr(question)) != same:
            _fail(f"Not right for {question}: what comes from the seed, and what does the "
                  "operating system choose when a lab starts?")
    return Passed("Verified with a second lab of the same seed: keys, certificates, records "
                  "and signatures are identical; ports and the folder are not.")

# -- notebook 01 ------------------------------------------------------------------

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
    from .smtp import deliver

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

# -- notebook 03 ------------------------------------------------------------------

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
    if policy.max_age < 86400:
        _fail(f"max_age {policy.max_age} s is under a day: a cached policy would expire "
              "almost at once, leaving senders unprotected between visits.")
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


# -- notebook 04 ------------------------------------------------------------------

DNSSEC_LOOKUPS = (
    ("_25._tcp.mx2.example.com", "TLSA"),
    ("mx2.example.com", "TLSA"),
    ("_mta-sts.sts-enforce.example", "TXT"),
    ("dnssec-bogus.example", "MX"),
    ("_25._tcp.mx.dnssec-bogus.example", "TLSA"),
)
_DNSSEC_HINTS = {
    "secure": "does the zone have a DS in its parent, and are the signatures on this "
              "answer intact? A proven 'no such record' counts too.",
    "insecure": "is this zone signed at all? Look for its DS in the parent.",
    "bogus": "which RRset's signature is broken in that zone? Bogus belongs to one "
             "answer, not to the whole zone.",
}


@checker
def check_dnssec_statuses(prediction, lab) -> Passed:
    """Exercise: the DNSSEC status (RFC 4035 §4.3) of each of DNSSEC_LOOKUPS."""
    from .dnssec import resolve

    _answered(prediction, "statuses")
    if not isinstance(prediction, (list, tuple)) or len(prediction) != len(DNSSEC_LOOKUPS):
        _fail(f"Give a list of {len(DNSSEC_LOOKUPS)} statuses, one per lookup, in order.")
    for i, ((name, rdtype), guess) in enumerate(zip(DNSSEC_LOOKUPS, prediction)):
        if not isinstance(guess, str) or guess.lower() not in ("secure", "insecure", "bogus"):
            _fail(f"Answer lookup {i + 1} with 'secure', 'insecure' or 'bogus' (not {guess!r}).")
        truth = resolve(name, rdtype, lab.net).status
        if guess.lower() != truth:
            _fail(f"Lookup {i + 1} ({name} {rdtype}) is not {guess.lower()}: "
                  f"{_DNSSEC_HINTS[guess.lower()]}")
    return Passed(f"All {len(DNSSEC_LOOKUPS)} statuses are right: a proven absence is "
                  "secure, an unsigned zone insecure, and bogus is one broken answer.")


@checker
def check_tlsa_record(answer, lab, host: str = "mx2.example.com") -> Passed:
    """Exercise: the ``3 1 1`` TLSA record of ``host``'s certificate."""
    from .dane import TLSA, DaneError

    _answered(answer, "my_tlsa")
    cert = lab.certificate(host).cert
    expected = TLSA.from_cert(cert)
    try:
        given = answer if isinstance(answer, TLSA) else TLSA.parse(str(answer))
    except DaneError as e:
        _fail(f"That is not a TLSA record: {e}. Write it as '3 1 1 <hex>'.")
    if given == expected:
        return Passed(f"{expected} is the record of {host}'s key; it matches what DNS publishes.")
    if given.data == TLSA.from_cert(cert, 3, 0, 1).data:
        _fail("You hashed the whole certificate (selector 0); selector 1 hashes only the "
              "public key, as DER SubjectPublicKeyInfo.")
    if (given.usage, given.selector, given.matching_type) != (3, 1, 1):
        _fail("The task asks for a 3 1 1 record: DANE-EE, SubjectPublicKeyInfo, SHA-256.")
    if given.data == TLSA.from_cert(lab.certificate("mx1.example.com").cert).data:
        _fail("That is mx1's key: use the certificate of mx2.example.com.")
    if len(given.data) != 32:
        _fail(f"A SHA-256 digest is 32 bytes (64 hex digits); yours is {len(given.data)} bytes.")
    _fail("The digest differs: hash the DER SubjectPublicKeyInfo (not PEM text, not the "
          "raw key point) with SHA-256.")


# The cases are judged at a fixed date, so their verdicts never drift with the clock.
_CASES_NOW = _dt.datetime(2026, 11, 29, tzinfo=_dt.timezone.utc)


def dane_cases():
    """The situations of notebook 04's second exercise: (text, records, chain, name)."""
    from .dane import TLSA
    from .lab.pki import pki_for

    pki = pki_for(1)
    host = "mx2.example.com"
    cert = pki.leaf((host,))
    issuer = pki.issuing.cert
    old = pki.leaf((host,), key_label=host + "#old")
    return (
        ("3 1 1 of the server's key; the server's certificate expired last year",
         [TLSA.from_cert(cert.cert)], [pki.leaf((host,), expired=True).cert, issuer], host),
        ("2 1 1 of the issuing CA; the server's certificate names only mx9.example.com",
         [TLSA.from_cert(issuer, 2)], [pki.leaf(("mx9.example.com",), key_label=host).cert,
                                       issuer], host),
        ("3 0 1 of the server's certificate; since then it was renewed with the same key",
         [TLSA.from_cert(cert.cert, 3, 0, 1)], [pki.leaf((host,), generation=1).cert, issuer],
         host),
        ("1 1 1 (PKIX-EE) of the server's key is the only record",
         [TLSA.from_cert(cert.cert, 1)], [cert.cert, issuer], host),
        ("3 1 1 of the old key and 3 1 1 of the new key; the server uses the new key",
         [TLSA.from_cert(old.cert), TLSA.from_cert(cert.cert)], [cert.cert, issuer], host),
        ("2 1 1 of the issuing CA; the server sends its own certificate only, not the CA's",
         [TLSA.from_cert(issuer, 2)], [cert.cert], host),
    )


_DANE_HINTS = (
    "which certificate checks does DANE-EE (usage 3) skip?",
    "what does a DANE-TA (usage 2) match require of the server certificate's names?",
    "selector 0 hashes the whole certificate: is a renewed certificate the same bytes?",
    "which usages can an SMTP sender use at all (RFC 7672 §3.1.3)?",
    "how many of the records must match?",
    "where must a DANE-TA anchor certificate be found when the record hashes it?",
)


@checker
def check_dane_predictions(prediction) -> Passed:
    """Exercise: for each case, does DANE authenticate the server?"""
    from .dane import verify_chain

    _answered(prediction, "prediction")
    cases = dane_cases()
    if not isinstance(prediction, (list, tuple)) or len(prediction) != len(cases):
        _fail(f"Give a list of {len(cases)} True/False values, one per case, in order.")
    for i, ((_, records, chain, host), guess) in enumerate(zip(cases, prediction)):
        truth = verify_chain(records, chain, [host], now=_CASES_NOW).ok
        if _true_or_false(guess, f"case {i + 1}") != truth:
            _fail(f"Case {i + 1} is not right: {_DANE_HINTS[i]}")
    return Passed(f"All {len(cases)} verdicts are right.")



# -- notebook 02 ------------------------------------------------------------------

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


# -- notebook 06 ------------------------------------------------------------------
# (imports inside the checkers keep this block self-contained)

CORP_RUA = ("mailto:tls-reports@corp.example", "https://tlsrpt.corp.example/v1")


def check_failure_rate(answer, report) -> Passed:
    """Exercise: the share of all sessions in ``report`` that failed."""
    _answered(answer, "failure_rate")
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        _fail("Give the failure rate as a number between 0 and 1 (a float).")
    ok, failed = report.successful, report.failed
    expected = failed / (ok + failed)
    if abs(answer - expected) < 1e-6:
        return Passed(f"{failed} failed of {ok + failed} sessions: {expected:.1%}.")
    if abs(answer - expected * 100) < 1e-4:
        _fail("That is a percentage; give a fraction between 0 and 1.")
    only_first = report.policies[0].failed / (report.policies[0].successful
                                              + report.policies[0].failed)
    if abs(answer - only_first) < 1e-6:
        _fail("That counts only the first policy: the report has more than one entry in "
              "'policies', and every session counts.")
    if ok and abs(answer - failed / ok) < 1e-6:
        _fail("Divide by all sessions (successful plus failed), not by the successful ones.")
    details = sum(f.count for p in report.policies for f in p.failures)
    if abs(answer - details / (ok + failed)) < 1e-6 and details != failed:
        _fail("Use the summary counts (total-failure-session-count), not the failure details.")
    _fail("Add up total-successful-session-count and total-failure-session-count over every "
          "policy, then divide the failures by the total.")


def check_attack_days(answer, agg) -> Passed:
    """Exercise: the days an attacker stripped STARTTLS, from the reports alone."""
    import datetime as dt

    _answered(answer, "attack_days")
    if isinstance(answer, (str, dt.date)):
        answer = [answer]
    try:
        days = {d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d)) for d in answer}
    except (TypeError, ValueError):
        _fail("Give a list of dates (datetime.date, or strings like '2026-06-01').")
    stripped = agg.per_result_type().get("starttls-not-supported", {})
    expected = {d for d, n in stripped.items() if n}
    others = {d for t, counts in agg.per_result_type().items()
              if t != "starttls-not-supported" for d, n in counts.items() if n}
    if days & (others - expected):
        _fail("One of your days had failures, but not of the kind stripping causes: which "
              "result type says 'the server did not offer STARTTLS'?")
    if days - expected:
        _fail(f"Nothing was reported as starttls-not-supported on {min(days - expected)}.")
    if expected - days:
        _fail("The attacker was on the path on more than one day: look at every day's "
              "starttls-not-supported count.")
    return Passed(f"Stripping on {', '.join(sorted(d.isoformat() for d in expected))}: only "
                  "the sender that applies MTA-STS noticed, and said so in its reports.")


def check_tlsrpt_record(text) -> Passed:
    """Exercise: a _smtp._tls record sending reports by mail and by HTTPS."""
    from .tlsrpt import TlsRptError, parse_record

    _answered(text, "my_record")
    if not isinstance(text, str):
        _fail("Give the TXT record's text, as a string.")
    try:
        record = parse_record(text)
    except TlsRptError as e:
        _fail(f"The record does not parse: {e}")
    missing = [u for u in CORP_RUA if u not in record.rua]
    if missing:
        _fail(f"Reports should also go to {missing[0]!r}: list both URIs in rua=, "
              "separated by a comma.")
    extra = [u for u in record.rua if u not in CORP_RUA]
    if extra:
        _fail(f"{extra[0]!r} is not one of the two destinations asked for.")
    if record.warnings:
        _fail(f"It parses, with a warning worth fixing: {record.warnings[0]}")
    return Passed("Reports will be mailed and POSTed: "
                  + ", ".join(record.rua) + ".")
# -- notebook 07 ------------------------------------------------------------------

BROKEN_DOMAINS = ("sts-expired.example", "dane-rollover.example", "sts-mx-mismatch.example")
FIXES = {
    "A": "renew the MX certificate (and automate renewals)",
    "B": "publish the TLSA record of the key the MX serves now",
    "C": "list the MX host in the policy's mx lines, and change the id",
    "D": "sign the zone with DNSSEC",
    "E": "enable STARTTLS on the MX",
}
_RIGHT_FIX = {"certificate": "A", "dane": "B", "mta-sts-mx": "C", "tlsa": "D",
              "starttls": "E"}


def check_broken(answer, lab) -> Passed:
    """Exercise: for each of BROKEN_DOMAINS, the id of the check that fails (not
    ``sender``, which only follows from it) and the letter of the fix in FIXES."""
    from .domain import inspect

    _answered(answer, "broken")
    if not isinstance(answer, dict) or set(answer) != set(BROKEN_DOMAINS):
        _fail(f"Give a dict with one entry per domain: {', '.join(BROKEN_DOMAINS)}.")
    for name in BROKEN_DOMAINS:
        given = answer[name]
        if not (isinstance(given, tuple) and len(given) == 2):
            _fail(f"For {name} give a pair: (check id, fix letter), e.g. ('dnssec', 'D').")
        check_id, letter = str(given[0]), str(given[1]).upper()
        failing = [c for c in inspect(name, lab.net, smtp=True).checks
                   if c.status == "fail" and c.id != "sender"]
        ids = {c.id for c in failing} | {c.id.split(":")[0] for c in failing}
        if check_id == "sender":
            _fail(f"{name}: 'sender' fails because of another check; name that one.")
        if check_id not in ids:
            _fail(f"{name}: {check_id!r} is not the check that fails; look for the status "
                  "'fail' in its inspection.")
        kind = check_id.split(":")[0]
        if letter not in FIXES:
            _fail(f"{name}: choose the fix among the letters {', '.join(FIXES)}.")
        if _RIGHT_FIX.get(kind) != letter:
            _fail(f"{name}: fix {letter} ({FIXES[letter]}) would not clear {check_id!r}; "
                  "read that check's 'fix' line.")
    return Passed("Each failure named, with the fix that clears it: an inspection "
                  "tells what to change, not only that something is wrong.")


def check_domain_clean(lab, name: str = "dane-rollover.example") -> Passed:
    """Exercise: after your change in the lab, ``name``'s inspection flags nothing."""
    from .domain import inspect

    result = inspect(name, lab.net)
    if result.error:
        _fail(f"The inspection could not run: {result.error}")
    flagged = [f"{c.id} ({c.status}: {c.title})" for c in result.flagged]
    if flagged:
        _fail(f"{name} still has: {'; '.join(flagged)}.")
    return Passed(f"{name} is clean: {result.verdict}. The same fix works on a real "
                  "zone: publish the new record first, then change the key.")
# -- notebook 05 ------------------------------------------------------------------

#: Exercise 1 of notebook 05: (domain, sender mode) whose path the learner predicts.
PATH_CASES = (("example.com", "mta-sts"), ("sts-enforce.example", "dane"))


def check_path_prediction(prediction, lab) -> Passed:
    """Exercise: the path (node ids of helpers.policy.TREE) of each case, checked
    against ``helpers.policy.trace``."""
    from .policy import TREE, trace

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
    from .recommend import recommend

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
    from .publish import RecordSet
    from .sender import VERIFIED, Sender

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
