"""Checkers for notebook 04's "Try it yourself" exercises (see :mod:`helpers.exercises.core`)."""

from __future__ import annotations


import datetime as _dt

from .core import Passed, _answered, _fail, _true_or_false, checker

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
    from ..dnssec import resolve

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


#: Exercise 1: questions to answer from example.com's NSEC chain alone.
NSEC_QUESTIONS = (
    ("mail.example.com", "A"),
    ("mx1.example.com", "TLSA"),
    ("_25._tcp.mx2.example.com", "TLSA"),
    ("example.com", "TLSA"),
    ("www.example.com", "MX"),
)
NSEC_ANSWERS = ("exists", "no such name", "no such type")


def nsec_chain(lab, zone: str = "example.com") -> list[str]:
    """The NSEC records of ``zone`` in the lab, in chain order from its top:
    each one's owner, next name and type list, as dig shows them. (Walking a
    zone this way is possible for anyone: NSEC5 and NSEC3 exist because of it.)"""
    import dns.name

    resolver, name, seen, lines = lab.net.resolver(), dns.name.from_text(zone), set(), []
    while name not in seen:
        seen.add(name)
        rdata = resolver.resolve(name, "NSEC")[0]
        lines.append(f"{name} NSEC {rdata.to_text()}")
        name = rdata.next
    return lines


def _nsec_truth(lab, name: str, rdtype: str) -> str:
    """What the lab's signed zone really says (RFC 4035 §3.1.3: NXDOMAIN or
    NODATA, each with its NSEC proof)."""
    import dns.resolver

    try:
        lab.net.resolver().resolve(name, rdtype)
    except dns.resolver.NXDOMAIN:
        return "no such name"
    except dns.resolver.NoAnswer:
        return "no such type"
    return "exists"


@checker
def check_nsec_answers(answer, lab) -> Passed:
    """Exercise: for each of NSEC_QUESTIONS, what example.com's NSEC records prove."""
    _answered(answer, "proofs")
    if not isinstance(answer, (list, tuple)) or len(answer) != len(NSEC_QUESTIONS):
        _fail(f"Give a list of {len(NSEC_QUESTIONS)} answers, one per question, in order.")
    for number, ((name, rdtype), given) in enumerate(zip(NSEC_QUESTIONS, answer), start=1):
        given = str(given).strip().lower()
        if given not in NSEC_ANSWERS:
            _fail(f"Answer {number}: say one of {', '.join(map(repr, NSEC_ANSWERS))}.")
        truth = _nsec_truth(lab, name, rdtype)
        if given == truth:
            continue
        if truth == "no such type":
            _fail(f"Question {number}: is there an NSEC whose owner is {name} itself? An NSEC "
                  "exists only at a name that exists; then its type list decides.")
        if truth == "exists":
            _fail(f"Question {number}: find the NSEC whose owner is {name}, and read the "
                  "types it lists.")
        if given == "no such type":
            _fail(f"Question {number}: no NSEC has {name} as its owner. Sort it among the "
                  "owners, label by label from the right: which NSEC's range covers it?")
        _fail(f"Question {number}: place {name} in the chain, label by label from the "
              "right (digits, then '_', then letters), and remember that the last NSEC's "
              "next name wraps around to the zone's top.")
    return Passed("Each answer read from signed NSEC records: a validator proves absence "
                  "the same way, and an attacker without the zone's key cannot change it.")


# The cases are judged at a fixed date, so their verdicts never drift with the clock.
_CASES_NOW = _dt.datetime(2026, 11, 29, tzinfo=_dt.timezone.utc)


def dane_cases():
    """The situations of notebook 04's second exercise: (text, records, chain, name)."""
    from ..dane import TLSA
    from ..lab.pki import pki_for

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
    from ..dane import verify_chain

    _answered(prediction, "prediction")
    cases = dane_cases()
    if not isinstance(prediction, (list, tuple)) or len(prediction) != len(cases):
        _fail(f"Give a list of {len(cases)} True/False values, one per case, in order.")
    for i, ((_, records, chain, host), guess) in enumerate(zip(cases, prediction)):
        truth = verify_chain(records, chain, [host], now=_CASES_NOW).ok
        if _true_or_false(guess, f"case {i + 1}") != truth:
            _fail(f"Case {i + 1} is not right: {_DANE_HINTS[i]}")
    return Passed(f"All {len(cases)} verdicts are right.")
