"""Checkers for notebook 07's "Try it yourself" exercises (see :mod:`helpers.exercises.core`)."""

from __future__ import annotations


from .core import Passed, _answered, _fail

#: Exercise 1: three shops, deployed by :func:`open_shops`, each broken in
#: one place that the notebook's table (which shows the catalogue) never shows.
BROKEN_DOMAINS = ("shop-a.example", "shop-b.example", "shop-c.example")
FIXES = {
    "A": "renew the MX certificate (and automate renewals)",
    "B": "publish the TLSA record of the key the MX serves now",
    "C": "list the MX host in the policy's mx lines, and change the id",
    "D": "sign the zone with DNSSEC",
    "E": "enable STARTTLS on the MX",
}
_RIGHT_FIX = {"certificate": "A", "dane": "B", "mta-sts-mx": "C", "tlsa": "D",
              "starttls": "E"}


def open_shops(lab) -> tuple[str, ...]:
    """Exercise 1 of notebook 07: deploy BROKEN_DOMAINS in ``lab`` (after
    ``lab.reset()``, so the cell can be run again), each with DNSSEC, DANE and
    an MTA-STS policy in ``enforce``, and each broken in one place. Which place
    is the exercise: the inspector finds it."""
    from .. import publish

    lab.reset()
    issuer = lab.pki.issuing.cert

    def host(name, preference=10):
        return publish.MxHost(name, preference, cert=lab.issue_certificate(name).cert)

    # shop-a: its backup MX is renewed with a new key, and no record names it.
    lab.add_domain(publish.generate("shop-a.example", [host("mx1.shop-a.example"),
                                                       host("mx2.shop-a.example", 20)],
                                    mode="enforce"))
    lab.renew_key("mx2.shop-a.example", "mx2.shop-a.example#2")
    # shop-b: the policy names a host the MX records do not.
    lab.add_domain(publish.generate("shop-b.example", [host("mail.shop-b.example")],
                                    mode="enforce", policy_mx=["mx.shop-b.example"]))
    # shop-c: its one MX does not offer STARTTLS.
    c = publish.MxHost("mx.shop-c.example", 10, cert=lab.issue_certificate("mx.shop-c.example").cert,
                       issuer=issuer)
    lab.add_domain(publish.generate("shop-c.example", [c], mode="enforce"), starttls="none")
    return BROKEN_DOMAINS


def check_broken(answer, lab) -> Passed:
    """Exercise: for each of BROKEN_DOMAINS, the id of the check that fails (not
    ``sender``, which only follows from it) and the letter of the fix in FIXES."""
    from ..domain import inspect

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
        # Without STARTTLS there is no certificate to match a TLSA record: the
        # dane check fails because the starttls check does, not the other way.
        if kind == "dane" and any(c.id.startswith("starttls") for c in failing):
            _fail(f"{name}: {check_id!r} fails, but only because another check fails first: "
                  "which one, once fixed, would let it pass?")
        if letter not in FIXES:
            _fail(f"{name}: choose the fix among the letters {', '.join(FIXES)}.")
        if _RIGHT_FIX.get(kind) != letter:
            _fail(f"{name}: fix {letter} ({FIXES[letter]}) would not clear {check_id!r}; "
                  "read that check's 'fix' line.")
    return Passed("Each failure named, with the fix that clears it: an inspection "
                  "tells what to change, not only that something is wrong.")


def check_domain_clean(lab, name: str = "dane-rollover.example") -> Passed:
    """Exercise: after your change in the lab, ``name``'s inspection flags nothing."""
    from ..domain import inspect

    result = inspect(name, lab.net)
    if result.error:
        _fail(f"The inspection could not run: {result.error}")
    flagged = [f"{c.id} ({c.status}: {c.title})" for c in result.flagged]
    if flagged:
        _fail(f"{name} still has: {'; '.join(flagged)}.")
    return Passed(f"{name} is clean: {result.verdict}. That repairs the outage; now do "
                  "what would have prevented it: publish the *next* key's 3 1 1 as well, at "
                  "least two TTLs before the next key change (RFC 7671 §8.1).")
