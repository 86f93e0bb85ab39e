"""Reading Postfix's log in the course's words.

Postfix logs one line per delivery attempt of each recipient (``status=``,
postconf(5) ``maillog_file``), and, at ``smtp_tls_loglevel = 1``, one line per
TLS session saying how far the peer was authenticated (Postfix TLS_README,
"Client-side TLS activity logging"):

- ``Verified TLS connection established to HOST[ADDR]:25``: the certificate
  matched the policy (DANE TLSA, or a CA chain and the name at ``verify``/``secure``);
- ``Trusted``: a chain to a trusted CA, but the name was not checked;
- ``Untrusted``: no trusted chain; ``Anonymous``: no certificate at all.

:func:`read` maps every recipient's last status line to one of the course's
outcome words: **verified** (sent, Verified TLS), **unverified** (sent over
Trusted, Untrusted or Anonymous TLS), **clear** (sent, no TLS line for that
relay), **deferred** (a 4xx or a TLS/policy failure: the message stays queued),
**bounced** (a 5xx reply, RFC 5321 §4.2.1: returned to the sender, §6.1).
The TLS line carries no queue ID: it is tied to its status line by the smtp(8)
process ID and the relay, which is exact because the course's set-up runs one
delivery per process (``max_use = 1``).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

VERIFIED, UNVERIFIED, CLEAR, DEFERRED, BOUNCED = (
    "verified", "unverified", "clear", "deferred", "bounced")
WORDS = (VERIFIED, UNVERIFIED, CLEAR, DEFERRED, BOUNCED)

_PROCESS = re.compile(r"\b(?P<prog>postfix(?:/[\w.-]+)*)\[(?P<pid>\d+)\]: (?P<text>.*)$")
_TLS = re.compile(r"^(?P<trust>Verified|Trusted|Untrusted|Anonymous) TLS connection "
                  r"established to (?P<relay>\S+?):? ")
_STATUS = re.compile(r"^(?P<qid>[0-9A-Za-z]+): to=<(?P<rcpt>[^>]*)>, (?:orig_to=<[^>]*>, )?"
                     r"relay=(?P<relay>[^,]+), .*?status=(?P<status>sent|deferred|bounced|expired)"
                     r" \((?P<why>.*)\)$")


@dataclass(frozen=True)
class Delivery:
    """One recipient's outcome as Postfix logged it last."""

    recipient: str
    queue_id: str
    outcome: str  # one of WORDS
    relay: str  # "mx1.example.com[127.0.2.1]:25", or "none"
    tls: str  # Verified | Trusted | Untrusted | Anonymous | "" (no TLS)
    reason: str  # the text in brackets after status=
    line: str  # the status line itself

    @property
    def relay_host(self) -> str:
        return self.relay.split("[", 1)[0]

    def __str__(self) -> str:
        via = f" via {self.relay}" if self.relay != "none" else ""
        tls = f", {self.tls} TLS" if self.tls else ""
        return f"{self.recipient}: {self.outcome}{via}{tls} ({self.reason})"

    def _repr_html_(self) -> str:
        return (f"<p><code>{html.escape(self.recipient)}</code>: <b>{html.escape(self.outcome)}"
                f"</b></p><pre>{html.escape(self.line)}</pre>")


def outcome_word(status: str, tls: str) -> str:
    """The course's word for a Postfix ``status=`` and the TLS trust logged for it."""
    if status == "sent":
        if not tls:
            return CLEAR
        return VERIFIED if tls == "Verified" else UNVERIFIED
    if status in ("bounced", "expired"):  # expired: the queue lifetime ran out, then bounced
        return BOUNCED
    if status == "deferred":
        return DEFERRED
    raise ValueError(f"unknown Postfix status={status!r}: expected sent, deferred, bounced "
                     "or expired (Postfix's delivery status values)")


def read(text: str) -> dict[str, Delivery]:
    """recipient -> its last :class:`Delivery` in the log ``text``."""
    tls_seen: dict[tuple[str, str], str] = {}  # (pid, relay) -> trust, for the open session
    out: dict[str, Delivery] = {}
    for line in text.splitlines():
        m = _PROCESS.search(line)
        if m is None:
            continue
        pid, body = m["pid"], m["text"]
        t = _TLS.match(body)
        if t is not None:
            tls_seen[(pid, t["relay"])] = t["trust"]
            continue
        s = _STATUS.match(body)
        if s is None:
            continue
        relay = s["relay"]
        tls = tls_seen.get((pid, relay), "") if s["status"] == "sent" else ""
        out[s["rcpt"].lower()] = Delivery(s["rcpt"].lower(), s["qid"],
                                          outcome_word(s["status"], tls), relay, tls,
                                          s["why"], line)
    return out
