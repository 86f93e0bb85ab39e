"""Checkers for notebook 00's "Try it yourself" exercises (see :mod:`helpers.exercises.core`)."""

from __future__ import annotations


from .core import Passed, _answered, _fail, _true_or_false, checker


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
    from ..lab import Lab

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
