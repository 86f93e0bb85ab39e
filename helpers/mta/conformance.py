"""Postfix against the course's ``Sender``: the same domains, under the same
attacks, cell by cell, with every known divergence explained.

``run(lab, rig)`` applies each attack of :data:`ATTACKS` to every lab domain
at once, sends one message per domain through each Postfix set-up of
:data:`helpers.mta.config.SETUPS` (read back from Postfix's log) and through
the course's ``Sender`` with the matching policy, and returns the
:class:`Cell` list. :data:`EXPECTED` is the one table of divergences that are
understood: Postfix's own behaviour, the set-up's, or the course model's
(an entry with ``until`` is the course's and goes away when the model is
fixed). :func:`unexplained` lists the cells no entry explains.

:func:`record` writes a run to ``data/postfix-matrix.json`` (with the date and
the versions of Postfix, unbound and postfix-mta-sts-resolver); notebook 08
draws it where Postfix is not installed.
"""

from __future__ import annotations

import concurrent.futures
import datetime as _dt
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from . import config, maillog

ROGUE_MX = "mx.attacker.example"
MATRIX_FILE = Path(__file__).resolve().parents[2] / "data" / "postfix-matrix.json"


def _strip(lab):
    for host in list(lab.receivers):
        lab.attack(host, "strip")


def _refuse(lab):
    for host in list(lab.receivers):
        lab.attack(host, "refuse")


def _substitute(lab):
    for host in list(lab.receivers):
        lab.attack(host, "substitute")


def _spoof_mx(lab):
    for domain in lab.domains:
        if domain != "attacker.example":
            lab.forge_records(domain, domain, "MX", [f"10 {ROGUE_MX}."])


def _strip_tlsa_signatures(lab):
    lab.dns_attack("strip", rdtype="TLSA")


#: Attack name -> what it does to the lab (every domain at once). Notebook 02's
#: SMTP attacks, its spoofed MX, and one DNS-path attack (notebook 04).
ATTACKS = {
    "none": lambda lab: None,
    "strip": _strip,
    "refuse": _refuse,
    "substitute": _substitute,
    "spoof MX": _spoof_mx,
    "strip TLSA RRSIGs": _strip_tlsa_signatures,
}


@dataclass(frozen=True)
class Divergence:
    """A known, explained difference: Postfix set-ups ``setups`` on ``domains``
    under ``attacks`` give ``postfix`` where the course's Sender gives
    ``course`` ("*" or a tuple; outcome words of :mod:`helpers.mta.maillog`).
    ``owner``: whose behaviour it is (postfix, resolver, set-up, course);
    ``until``: for the course's own errors, the fix that removes it."""

    id: str
    setups: tuple[str, ...] | str
    domains: tuple[str, ...] | str
    attacks: tuple[str, ...] | str
    postfix: tuple[str, ...]
    course: tuple[str, ...]
    owner: str
    why: str
    until: str = ""

    def matches(self, cell: "Cell") -> bool:
        def within(value, allowed):
            return allowed == "*" or value in allowed
        return (within(cell.setup, self.setups) and within(cell.domain, self.domains)
                and within(cell.attack, self.attacks) and cell.postfix in self.postfix
                and cell.course in self.course)


_DELIVERED = ("verified", "unverified", "clear")
_SIGNED_SPOOFABLE = ("example.com", "dane-only.example", "dane-rollover.example",
                     "dnssec-bogus.example")

#: Every divergence between Postfix and the course's Sender that is understood.
#: A cell that differs and matches none of these fails the conformance test.
EXPECTED: tuple[Divergence, ...] = (
    Divergence(
        "encrypt-bounce", ("encrypt", "dane-only"), ("tls-required.example",), ("strip", "refuse"),
        ("deferred",), ("bounced",), "set-up",
        "With STARTTLS stripped, encrypt and dane-only defer before MAIL FROM (TLS is "
        "required but not offered); the course's opportunistic sender goes on in the "
        "clear and gets the receiver's 530, a bounce.",
    ),
    Divergence(
        "sts-mx-pattern", ("sts", "auto"), ("sts-mx-mismatch.example",), "*",
        ("verified",), ("deferred",), "postfix",
        "The policy lists *.sts-mx-mismatch.example; the MX is mx.eu.sts-mx-mismatch.example, "
        "two labels deeper. RFC 8461 §4.1: a wildcard covers one label, so the course "
        "refuses that MX. postfix-mta-sts-resolver turns the pattern into "
        "match=.sts-mx-mismatch.example, which Postfix 3.7 matches at any depth, and "
        "Postfix's secure level checks certificate names, never the MX name against the "
        "policy (smtp_tls_enforce_sts_mx_patterns arrived in Postfix 3.10).",
    ),
    Divergence(
        "sts-overrides-dane", ("auto",), ("example.com",), ("strip TLSA RRSIGs",),
        ("verified",), ("deferred",), "resolver",
        "With the TLSA signatures stripped the TLSA answer is bogus: RFC 7672 §2.2 skips "
        "that MX and RFC 8461 §2 forbids MTA-STS to rescue a failing DANE, so the course "
        "defers. The socketmap's 'secure' answer replaces Postfix's dane level for the "
        "whole destination, so Postfix never looks up TLSA and delivers through MTA-STS "
        "(postfix-mta-sts-resolver issue 67, 'MTA-STS overrides DANE').",
    ),
    Divergence(
        "sts-testing", ("sts", "auto"), ("sts-testing.example",), "*",
        ("unverified",), ("verified",), "resolver",
        "postfix-mta-sts-resolver answers NOTFOUND for a testing policy (strict_testing: "
        "false), so Postfix applies its default level and checks nothing (Trusted TLS); "
        "the course's testing sender validates and reports. Same delivery, over TLS.",
    ),
    Divergence(
        "encrypt-no-clear", ("encrypt",), "*", "*", ("deferred",), ("clear",), "set-up",
        "encrypt is mandatory TLS: where the course's opportunistic sender falls back to "
        "the clear (no STARTTLS offered, or stripped), Postfix defers.",
    ),
    Divergence(
        "dane-only-mandatory", ("dane-only",), "*", "*", ("deferred",),
        ("unverified", "clear"), "set-up",
        "dane-only is mandatory DANE: without DNSSEC-secure, usable TLSA records Postfix "
        "defers ('non DNSSEC destination'), where the course's (opportunistic) DANE sender "
        "falls back to opportunistic TLS (RFC 7672 §2.2).",
    ),
    Divergence(
        "validating-resolver", ("may", "encrypt", "sts"), _SIGNED_SPOOFABLE, ("spoof MX",),
        ("deferred",), _DELIVERED, "set-up",
        "Postfix's resolver validates: a forged MX in a signed zone is bogus and comes back "
        "as SERVFAIL, so even opportunistic Postfix defers; the course's opportunistic and "
        "MTA-STS senders do not validate DNS and deliver to the forged MX.",
    ),
)


@dataclass(frozen=True)
class Cell:
    """One domain, attack and Postfix set-up, with the course's Sender beside it."""

    domain: str
    attack: str
    setup: str
    postfix: str
    course: str
    postfix_host: str = ""
    course_host: str = ""
    postfix_reason: str = ""
    course_reason: str = ""
    divergence: str = ""  # the EXPECTED entry explaining a difference

    @property
    def course_policy(self) -> str:
        return config.SETUPS[self.setup].course

    @property
    def agree(self) -> bool:
        """Same outcome word, and, if delivered, both to the attacker's MX or neither."""
        return _key(self.postfix, self.postfix_host) == _key(self.course, self.course_host)

    def letters(self) -> str:
        """'V/V', 'B/D'...: Postfix's outcome, then the course's (att: delivered to
        the attacker's MX)."""
        def one(word, host):
            return word[0].upper() + ("(att)" if _key(word, host)[1] else "")
        return f"{one(self.postfix, self.postfix_host)}/{one(self.course, self.course_host)}"


def _key(word: str, host: str) -> tuple[str, bool]:
    return word, word in _DELIVERED and host == ROGUE_MX


def explain(cell: Cell) -> Cell:
    """``cell`` with the id of the EXPECTED entry that explains it, if it differs."""
    if cell.agree:
        return cell
    for entry in EXPECTED:
        if entry.matches(cell):
            return Cell(**{**asdict(cell), "divergence": entry.id})
    return cell


def mark(divergence_id: str) -> str:
    """The short name of an EXPECTED entry in figures and tables: D1, D2..."""
    ids = [e.id for e in EXPECTED]
    return f"D{ids.index(divergence_id) + 1}" if divergence_id in ids else "??"


def unexplained(cells) -> list[Cell]:
    """The cells where Postfix and the course differ and no EXPECTED entry says why."""
    return [c for c in cells if not c.agree and not c.divergence]


def unused(cells) -> list[Divergence]:
    """EXPECTED entries (other than pending course fixes) no cell needed."""
    used = {c.divergence for c in cells}
    return [e for e in EXPECTED if e.id not in used and not e.until]


# -- reading a run ---------------------------------------------------------------------

def summary(cells) -> str:
    """A text table: per set-up and attack, how many domains agree (the figure's words)."""
    setups = list(dict.fromkeys(c.setup for c in cells))
    attacks = list(dict.fromkeys(c.attack for c in cells))
    width = max(len(a) for a in attacks) + 2
    lines = ["set-up     " + "".join(f"{a:>{width}}" for a in attacks)]
    for setup in setups:
        row = []
        for attack in attacks:
            here = [c for c in cells if c.setup == setup and c.attack == attack]
            row.append(f"{sum(c.agree for c in here)}/{len(here)}")
        lines.append(f"{setup:<11}" + "".join(f"{r:>{width}}" for r in row))
    agree = sum(c.agree for c in cells)
    lines.append(f"{agree} of {len(cells)} cells agree; the other {len(cells) - agree} are "
                 f"{len(unexplained(cells))} unexplained and these explained divergences:")
    for entry in EXPECTED:
        here = [c for c in cells if c.divergence == entry.id]
        if here:
            lines.append(f"  {mark(entry.id):<3} {entry.id:<20} x{len(here):<3} ({entry.owner}) "
                         f"e.g. {here[0].setup} "
                         f"{here[0].domain} {here[0].attack}: Postfix {here[0].postfix}, "
                         f"course {here[0].course}")
    return "\n".join(lines)


# -- running ---------------------------------------------------------------------------

def _course_word(status: str) -> str:
    from helpers import sender
    words = {sender.VERIFIED: maillog.VERIFIED, sender.UNVERIFIED: maillog.UNVERIFIED,
             sender.CLEAR: maillog.CLEAR, sender.DEFERRED: maillog.DEFERRED}
    if status in words:
        return words[status]
    if "bounce" in status:  # the sender model's bounced outcome (issue 20)
        return maillog.BOUNCED
    raise ValueError(f"unknown Sender outcome {status!r}")


def course_cell(lab, policy: str, domain: str) -> tuple[str, str, str]:
    """(word, host delivered to, reason) of a fresh course ``Sender`` for ``domain``."""
    from helpers.sender import Sender
    outcome = Sender(lab.net, policy).send(
        "From: conformance@sender.example\r\nSubject: course conformance\r\n\r\n"
        "The same message Postfix sends.\r\n", f"postmaster@{domain}")
    host = next((a.mx for a in outcome.attempts if a.delivered), "")
    return _course_word(outcome.status), host, outcome.reason


def run(lab, rig, attacks=tuple(ATTACKS), domains=None, setups=tuple(config.SETUPS),
        log=print) -> list[Cell]:
    """The matrix: for each attack, every domain through every Postfix set-up
    and through the course's Sender with the set-up's policy."""
    domains = tuple(domains or lab.domains)
    cells: list[Cell] = []
    policies = tuple(dict.fromkeys(config.SETUPS[s].course for s in setups))
    for attack in attacks:
        lab.reset()
        rig.fresh()  # after the reset: unbound and the daemon start with empty caches
        ATTACKS[attack](lab)
        # One policy lookup per domain first, so every transport gets the daemon's
        # cached answer (two simultaneous first lookups once gave different answers).
        if any(config.SETUPS[s].sts for s in setups):
            for domain in domains:
                rig.policy(domain)
        pairs = [(s, d) for s in setups for d in domains]
        recipients = dict(zip(rig.submit_all(pairs, attack), pairs))
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            futures = {(p, d): pool.submit(course_cell, lab, p, d)
                       for p in policies for d in domains}
            course = {k: f.result() for k, f in futures.items()}
        postfix = rig.wait(recipients, timeout=90)
        for recipient, (setup, domain) in recipients.items():
            got = postfix[recipient.lower()]
            word, host, reason = course[(config.SETUPS[setup].course, domain)]
            cells.append(explain(Cell(domain, attack, setup, got.outcome, word,
                                      got.relay_host if got.relay != "none" else "", host,
                                      got.reason, reason)))
        log(f"{attack}: {sum(c.agree for c in cells if c.attack == attack)} of "
            f"{len(recipients)} cells agree")
    lab.reset()
    return cells


# -- recording and reading ---------------------------------------------------------------

def record(cells, versions: dict, path: str | Path = MATRIX_FILE, *, seed: int | None = None,
           today: _dt.date | None = None) -> Path:
    """Write a run as JSON: date, versions, set-ups, attacks, the divergence
    table's explanations and every cell."""
    path = Path(path)
    used = {c.divergence for c in cells}
    data = {
        "date": (today or _dt.date.today()).isoformat(),
        "versions": versions,
        "lab_seed": seed,
        "setups": {name: {"level": s.level, "mta_sts": s.sts, "course_policy": s.course,
                          "meaning": s.meaning} for name, s in config.SETUPS.items()
                   if any(c.setup == name for c in cells)},
        "attacks": list(dict.fromkeys(c.attack for c in cells)),
        "divergences": {e.id: {"owner": e.owner, "why": e.why, "until": e.until}
                        for e in EXPECTED if e.id in used},
    }
    # One cell per line, as a row under "columns": a diff of two recordings
    # shows the cells that changed.
    data["columns"] = list(_COLUMNS)
    head = json.dumps(data, indent=1)[:-2]
    rows = ",\n".join("  " + json.dumps(list(_short(c).values()), ensure_ascii=False)
                       for c in cells)
    path.write_text(f'{head},\n "cells": [\n{rows}\n ]\n}}\n')
    return path


_COLUMNS = tuple(Cell.__dataclass_fields__)


def _short(cell: Cell) -> dict:
    """The cell as recorded: the reasons only where the two differ, shortened."""
    out = asdict(cell)
    for key in ("postfix_reason", "course_reason"):
        out[key] = "" if cell.agree else out[key][:200]
    return out


def record_run(path: str | Path | None = None, *, attacks=None, seed: int = 7,
               log=print) -> tuple[list[Cell], Path]:
    """Start a standard-ports lab and the Postfix rig, run the matrix, record it."""
    from helpers.lab import Lab

    from .postfix import PostfixRig, versions
    with Lab(seed=seed, standard_ports=True) as lab, PostfixRig(lab) as rig:
        cells = run(lab, rig, attacks=tuple(attacks or ATTACKS), log=log)
    return cells, record(cells, versions(), path or MATRIX_FILE, seed=seed)


def load(path: str | Path = MATRIX_FILE) -> tuple[list[Cell], dict]:
    """The cells and the metadata (date, versions...) of a recorded run."""
    data = json.loads(Path(path).read_text())
    columns = data.pop("columns")
    cells = [Cell(**dict(zip(columns, row))) for row in data.pop("cells")]
    return cells, data
