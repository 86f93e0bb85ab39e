"""A small sending MTA: resolve, choose the rules, connect, deliver, defer or bounce.

``Sender(net, policy=...)`` with one of four policies:

- ``opportunistic``: today's default (RFC 7435): TLS if offered, no
  certificate check, plaintext otherwise (also after a ``454`` to STARTTLS);
- ``mta-sts``: RFC 8461 with a §5.1 policy cache; ``enforce`` refuses an MX that
  fails, ``testing`` delivers and reports;
- ``dane``: RFC 7672 for MX hosts with DNSSEC-secure TLSA records;
- ``auto``: both, with DANE first: DANE for an MX that has secure TLSA
  records, else MTA-STS if the domain has a policy, else opportunistic. A DANE
  failure is never rescued by MTA-STS (RFC 8461 §2's one rule for the
  combination; the precedence beyond it is this course's choice, and real MTAs
  differ); DANE whose
  records are all unusable authenticates nothing, so an enforce policy applies.

Which rule applies to which MX is decided by :mod:`helpers.policy` (the
sender's decision tree); ``helpers.policy.trace`` shows that decision without
sending anything.

``send()`` tries the MX hosts in preference order and returns an
:class:`Outcome`: delivered over verified TLS, over unverified TLS, in the
clear, deferred or bounced, with the reason and every attempt's wire
transcript.

- *Deferred* (a temporary failure: a 4xx reply, no connection, a TLS or
  policy failure): the message stays in ``queue`` (nothing is lost) and
  ``retry()`` tries it again, until the queue lifetime (``queue_lifetime``,
  default 5 days as Postfix's ``maximal_queue_lifetime``) has passed: then it
  bounces, "deferred too long".
- *Bounced* (a permanent failure: a 5xx reply to MAIL, RCPT or DATA, RFC 5321
  §4.2.1; a null MX, RFC 7505; no mail server at all, RFC 5321 §5.1): the
  message leaves the queue at once, is never retried, and is returned to its
  sender (RFC 5321 §6.1), in ``returned``.

The MX walk has an overall ``deadline`` (seconds) and a cap on MX hosts tried
(``max_mx``): silent servers cannot hold a send for long. Time is the
``clock`` (``time.time`` by default; :class:`helpers.mtasts.ManualClock` for a
simulation in which days pass without waiting). Every TLS failure also yields a
TLS-RPT failure detail (RFC 8460 §4); a bounce adds none, as it is not one.
"""

from __future__ import annotations

import html
import re
import smtplib
import ssl
import time
from dataclasses import dataclass, replace

from . import dane, mtasts
from . import policy as _policy
from .net import Network, NetworkError
from .safetext import visible
from .smtp import RecordingSMTP, Transcript, quit_politely, session_timeout

POLICIES = _policy.MODES  # opportunistic, mta-sts, dane, auto
VERIFIED, UNVERIFIED, CLEAR, DEFERRED, BOUNCED = (
    "delivered with verified TLS", "delivered with unverified TLS", "delivered in the clear",
    "deferred", "bounced")
DELIVERED = (VERIFIED, UNVERIFIED, CLEAR)

#: Postfix's maximal_queue_lifetime (5 days): a message deferred that long bounces.
#: Big senders give up sooner on some failures: Exchange Online retries a DANE
#: failure for 24 hours, then returns the message with an NDR (Microsoft Learn,
#: "How SMTP DNS-based Authentication of Named Entities (DANE) works", 2022):
#: ``Sender(..., queue_lifetime=86400)`` models that.
QUEUE_LIFETIME = 5 * 86400.0
#: How long one send() may take in all, and how many MX hosts it tries (Postfix's
#: smtp_mx_address_limit is 5); the rest wait for the next retry.
DEADLINE, MAX_MX = 60.0, 5
_RETURNED = "returned to the sender (RFC 5321 §6.1), never retried"
# A host name as RFC 5321 §2.3.5 (RFC 1123 §2.1) allows it: LDH labels.
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)\Z")

# OpenSSL's verification codes, for TLS-RPT result types (RFC 8460 §4.3.1).
_X509_EXPIRED, _X509_HOSTNAME = 10, 62


@dataclass(frozen=True)
class FailureDetail:
    """One TLS-RPT failure (RFC 8460 §4.3-4.4): what failed, under which policy."""

    result_type: str
    policy_type: str  # sts | tlsa | no-policy-found
    policy_domain: str
    mx_host: str
    reason: str

    def __str__(self) -> str:
        return f"{self.result_type} ({self.policy_type} policy of {self.policy_domain}, " \
               f"MX {self.mx_host}): {self.reason}"


@dataclass(frozen=True)
class Attempt:
    """One MX tried: the rule applied, what happened, and the wire."""

    mx: str
    rule: str
    delivered: bool
    tls: str  # verified | unverified | none
    reason: str
    transcript: Transcript | None = None
    permanent: bool = False  # refused with a 5xx reply (RFC 5321 §4.2.1): bounce


@dataclass(frozen=True)
class Outcome:
    status: str
    reason: str
    recipient: str
    attempts: tuple[Attempt, ...]
    failures: tuple[FailureDetail, ...] = ()

    @property
    def delivered(self) -> bool:
        return self.status in DELIVERED

    @property
    def returned(self) -> bool:
        """Bounced: out of the queue, returned to its sender (RFC 5321 §6.1)."""
        return self.status == BOUNCED

    def __str__(self) -> str:
        lines = [f"{self.status.upper()}: {self.reason}"]
        for a in self.attempts:
            lines.append(f"  {a.mx} [{a.rule}]: {_result(a)} ({a.reason})")
        lines += [f"  TLS-RPT: {f}" for f in self.failures]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        colour = {VERIFIED: "#2b8a3e", UNVERIFIED: "#e67700", CLEAR: "#c92a2a",
                  DEFERRED: "#1971c2", BOUNCED: "#862e9c"}[self.status]
        rows = "".join(
            f"<tr><td><code>{html.escape(a.mx)}</code></td><td>{html.escape(a.rule)}</td>"
            f"<td>{_result(a)}</td>"
            f'<td style="text-align:left">{html.escape(a.reason)}</td></tr>'
            for a in self.attempts)
        failures = "".join(f"<li><code>{html.escape(f.result_type)}</code>: "
                           f"{html.escape(f.reason)}</li>" for f in self.failures)
        return (f'<p style="color:{colour}"><b>{html.escape(self.status)}</b>: '
                f"{html.escape(self.reason)}</p><table><tr><th>MX</th><th>rule</th>"
                f"<th>result</th><th>why</th></tr>{rows}</table>"
                + (f"<p>TLS-RPT failure details:</p><ul>{failures}</ul>" if failures else ""))


def _result(a: Attempt) -> str:
    return "delivered" if a.delivered else "refused for good" if a.permanent else "not delivered"


@dataclass
class Queued:
    recipient: str
    message: bytes
    tries: int = 1
    last_reason: str = ""
    queued_at: float = 0.0  # by the sender's clock


class Sender:
    """A sending MTA over ``net`` applying one of :data:`POLICIES` (see the
    module docstring for ``queue_lifetime``, ``deadline``, ``max_mx``, ``clock``)."""

    def __init__(self, net: Network, policy: str = "opportunistic", *, clock=None,
                 helo: str = "sender.example", mail_from: str = "alice@sender.example",
                 queue_lifetime: float = QUEUE_LIFETIME, deadline: float = DEADLINE,
                 max_mx: int = MAX_MX):
        if policy not in POLICIES:
            raise ValueError(f"unknown sender policy {policy!r}; choose one of "
                             f"{', '.join(POLICIES)}")
        for name, value in (("queue_lifetime", queue_lifetime), ("deadline", deadline),
                            ("max_mx", max_mx)):
            if not value > 0:
                raise ValueError(f"{name} must be positive, not {value!r}")
        self.net, self.policy, self.helo, self.mail_from = net, policy, helo, mail_from
        self.clock = clock or time.time
        self.queue_lifetime, self.deadline, self.max_mx = queue_lifetime, deadline, int(max_mx)
        self.cache = mtasts.PolicyCache(clock=self.clock)
        self.queue: list[Queued] = []
        self.returned: list[tuple[Queued, Outcome]] = []  # bounced: back to the sender
        self.failures: list[FailureDetail] = []
        # (policy type, domain, mx, success): success as TLS-RPT counts it (RFC 8460 §4.3)
        self.sessions: list[tuple[str, str, str, bool]] = []
        self._attempt_failures = 0

    def __repr__(self) -> str:
        return (f"<Sender {self.policy}: {len(self.queue)} queued, "
                f"{len(self.returned)} returned>")

    # -- the public operations ------------------------------------------------------

    def send(self, message: bytes | str, recipient: str) -> Outcome:
        """Deliver ``message`` to ``recipient``, keep it queued, or bounce it.

        The message is queued first and leaves the queue only once a server
        has accepted it or it failed for good, so an interrupted send (Ctrl-C)
        leaves it queued."""
        if isinstance(message, str):
            message = message.encode("utf-8")
        item = Queued(recipient, message, 0, "not tried yet", self.clock())
        self.queue.append(item)
        return self._settle(item, self._deliver(message, recipient))

    def retry(self) -> list[Outcome]:
        """Try every queued message again; delivered and bounced ones leave the
        queue, one by one, so an interrupted retry neither loses nor repeats a
        message. A message still deferred after ``queue_lifetime`` bounces; it is
        tried once more first, which looks the MTA-STS record up again and
        fetches a policy with a new id (RFC 8461 §5: no permanent failure before
        checking for an updated policy)."""
        return [self._settle(item, self._deliver(item.message, item.recipient))
                for item in list(self.queue)]

    def _settle(self, item: Queued, outcome: Outcome) -> Outcome:
        if outcome.status == DEFERRED:
            item.tries += 1
            item.last_reason = outcome.reason
            waited = self.clock() - item.queued_at
            if waited < self.queue_lifetime:
                return outcome
            outcome = replace(outcome, status=BOUNCED, reason=(
                f"deferred too long: queued {_duration(waited)}, past the queue lifetime of "
                f"{_duration(self.queue_lifetime)}; {_RETURNED}. Last reason: {outcome.reason}"))
        self.queue = [q for q in self.queue if q is not item]
        if outcome.status == BOUNCED:
            self.returned.append((item, outcome))
        return outcome

    # -- planning: which rule for which MX ----------------------------------------------

    def _plan(self, domain: str) -> _policy.Trace:
        """Decide through :mod:`helpers.policy` (the one code path the trace,
        the figure and the inspector show); failures known before connecting
        (a policy fetch that failed) are reported here."""
        plan = _policy.trace(domain, self.net, self.policy, cache=self.cache)
        for report in plan.reports:
            self._report(*report)
        return plan

    # -- delivering -----------------------------------------------------------------------

    def _deliver(self, message: bytes, recipient: str) -> Outcome:
        try:
            return self._try_mx_hosts(message, recipient)
        except Exception as e:  # whatever went wrong, the message must not be lost
            return Outcome(DEFERRED, f"delivery failed unexpectedly ({type(e).__name__}: {e}); "
                           "the message stays queued", recipient, ())

    def _try_mx_hosts(self, message: bytes, recipient: str) -> Outcome:
        domain = recipient.rpartition("@")[2].rstrip(".").lower()
        start = len(self.failures)
        if self.net.stopped:
            return Outcome(DEFERRED, f"{self.net.stopped}; the message stays queued",
                           recipient, ())
        deadline = time.monotonic() + self.deadline  # real time: the network's waits
        plan = self._plan(domain)
        if plan.outcome == "bounce":  # null MX, or no mail server: no connection at all
            return Outcome(BOUNCED, f"{plan.why}; {_RETURNED}", recipient, (),
                           tuple(self.failures[start:]))
        if not plan.hosts:
            return Outcome(DEFERRED, plan.why, recipient, ())
        hosts, rules = plan.hosts, plan.rules
        attempts = []
        why_stopped = ""
        for i, host in enumerate(hosts):
            left = deadline - time.monotonic()
            if i == self.max_mx or left <= 0:
                why_stopped = (f"; {len(hosts) - i} more MX host(s) not tried: "
                               + (f"at most {self.max_mx} per try" if i == self.max_mx else
                                  f"the {self.deadline:g} s deadline of this try passed"))
                break
            attempt = self._attempt(domain, host, rules[host], message, recipient, left)
            attempts.append(attempt)
            if attempt.delivered:
                status = {"verified": VERIFIED, "unverified": UNVERIFIED, "none": CLEAR}[attempt.tls]
                return Outcome(status, f"{host}: {attempt.reason}", recipient, tuple(attempts),
                               tuple(self.failures[start:]))
            if attempt.permanent:  # a 5xx reply: the message failed for good
                return Outcome(BOUNCED, f"{host} refused it for good ({attempt.reason}); "
                               f"{_RETURNED}", recipient, tuple(attempts),
                               tuple(self.failures[start:]))
        last = attempts[-1].reason if attempts else "nothing tried"
        return Outcome(DEFERRED, "no MX host could take the message safely: it stays queued "
                       f"({last}){why_stopped}", recipient, tuple(attempts),
                       tuple(self.failures[start:]))

    def _report(self, result_type, policy_type, domain, mx, reason) -> None:
        self.failures.append(FailureDetail(result_type, policy_type, domain, mx, reason))

    def _attempt(self, domain, host, rule: _policy.Rule, message, recipient,
                 left: float) -> Attempt:
        """One MX: whatever goes wrong with it (an odd name, a certificate that
        cannot be parsed) fails this MX only, and the walk goes on."""
        if not _valid_host(host):
            return Attempt(host, rule.name, False, "none",
                           f"{visible(host) or '(empty)'} is not a valid server name "
                           "(RFC 5321 §2.3.5): not tried")
        try:
            return self._attempt_mx(domain, host, rule, message, recipient, left)
        except Exception as e:  # a bug or a malformed answer: this MX fails, not the walk
            return Attempt(host, rule.name, False, "none",
                           f"failed unexpectedly ({type(e).__name__}: {visible(str(e))})")

    def _attempt_mx(self, domain, host, rule: _policy.Rule, message, recipient,
                    left: float) -> Attempt:
        policy_type = rule.policy_type
        # A delivered session counts as successful for TLS-RPT only if no failure
        # was noted on the way (testing mode delivers, yet reports it failed).
        self._attempt_failures = len(self.failures)

        def fail(result_type, reason, transcript=None):
            if result_type is not None:
                self._report(result_type, policy_type, domain, host, reason)
                self.sessions.append((policy_type, domain, host, False))
            return Attempt(host, rule.name, False, "none", reason, transcript)

        if rule.kind == "skip" or rule.node == "skip-sts":  # decided in helpers.policy
            return fail(rule.skip_failure, rule.skip_reason)
        if rule.kind == "sts" and not rule.sts.matches(host):  # testing: report, go on
            self._report("validation-failure", "sts", domain, host,
                         f"{host} is not an mx of the MTA-STS policy (RFC 8461 §4.1)")
        timeout = min(session_timeout(self.net), left)  # within the send's deadline
        try:
            client = RecordingSMTP(host, self.net, local_hostname=self.helo, timeout=timeout)
        except (OSError, NetworkError, smtplib.SMTPException) as e:
            return Attempt(host, rule.name, False, "none", f"cannot connect: {visible(str(e))}")
        try:
            return self._converse(client, domain, host, rule, policy_type, message, recipient,
                                  fail)
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as e:
            # A 5xx to MAIL or DATA is final (RFC 5321 §4.2.1): the message
            # bounces. Other replies (a 5xx to EHLO, say) fail this MX only.
            permanent = 500 <= e.smtp_code <= 599
            return Attempt(host, rule.name, False, "none",
                           f"session failed: {e.smtp_code} {visible(_text(e.smtp_error))}",
                           client.transcript, permanent)
        except smtplib.SMTPRecipientsRefused as e:
            ((code, text),) = list(e.recipients.values())[:1] or [(0, b"")]
            return Attempt(host, rule.name, False, "none",
                           f"session failed: recipient refused with {code} "
                           f"{visible(_text(text))}", client.transcript, 500 <= code <= 599)
        except (OSError, smtplib.SMTPException) as e:
            return Attempt(host, rule.name, False, "none", f"session failed: {visible(str(e))}",
                           client.transcript)
        finally:
            client.close()

    def _converse(self, client, domain, host, rule, policy_type, message, recipient, fail):
        client.ehlo()
        testing = rule.kind == "sts" and rule.sts.mode == "testing"
        required = rule.kind in ("sts", "dane") and not testing
        if not client.has_extn("starttls"):
            if required:
                client.quit()
                return fail("starttls-not-supported",
                            f"{host} did not offer STARTTLS, which the {rule.name} policy "
                            "requires", client.transcript)
            if rule.kind != "opportunistic":
                self._report("starttls-not-supported", policy_type, domain, host,
                             f"{host} did not offer STARTTLS (testing: delivered anyway)")
            return self._send(client, host, rule, "none", message, recipient,
                              "STARTTLS not offered: sent in the clear")
        verify = rule.kind == "sts"
        context = self.net.ssl_context(verify=verify)
        try:
            client.starttls(context=context)
        except smtplib.SMTPResponseException as e:
            # The server (or an attacker) answered STARTTLS with an error.
            if required:
                client.quit()
                return fail("starttls-not-supported", f"STARTTLS refused with {e.smtp_code}: "
                            f"the {rule.name} policy requires TLS", client.transcript)
            if rule.kind != "opportunistic":
                self._report("starttls-not-supported", policy_type, domain, host,
                             f"STARTTLS refused with {e.smtp_code} (testing: delivered anyway)")
            client.ehlo()
            return self._send(client, host, rule, "none", message, recipient,
                              f"STARTTLS refused ({e.smtp_code}): sent in the clear")
        except ssl.SSLCertVerificationError as e:
            result_type = {_X509_EXPIRED: "certificate-expired",
                           _X509_HOSTNAME: "certificate-host-mismatch"}.get(
                               e.verify_code, "certificate-not-trusted")
            reason = f"certificate check failed: {e.verify_message}"
            if not testing:
                return fail(result_type, reason, client.transcript)
            self._report(result_type, "sts", domain, host, reason + " (testing: delivered anyway)")
            return self._opportunistic_again(host, rule, message, recipient)
        client.ehlo()
        tls = "verified" if verify else "unverified"
        note = "TLS with a verified certificate" if verify else "TLS, certificate not checked"
        if rule.kind == "dane":
            result = dane.verify_chain(rule.tlsa.records, client.transcript.tls.chain,
                                       [host, rule.tlsa.base_name])
            if not result.ok and not result.all_unusable:
                client.quit()  # never send the message to a server DANE rejects
                return fail("tlsa-invalid", f"DANE: {result.reason}", client.transcript)
            tls = "verified" if result.ok else "unverified"
            note = f"DANE: {result.reason}"
        return self._send(client, host, rule, tls, message, recipient, note)

    def _opportunistic_again(self, host, rule, message, recipient):
        client = RecordingSMTP(host, self.net, local_hostname=self.helo,
                               timeout=session_timeout(self.net))
        try:
            client.ehlo()
            client.starttls(context=self.net.ssl_context(verify=False))
            client.ehlo()
            return self._send(client, host, rule, "unverified", message, recipient,
                              "certificate failed, mode testing: delivered anyway over "
                              "unverified TLS")
        finally:
            client.close()

    def _send(self, client, host, rule, tls, message, recipient, note) -> Attempt:
        client.sendmail(self.mail_from, [recipient], message)
        # Accepted: the message is delivered (RFC 5321 §4.1.1.4, §6.1), whatever
        # happens to QUIT; counting a failed QUIT as a failure would send it twice.
        quit_politely(client)
        self.sessions.append((rule.policy_type, recipient.rpartition("@")[2], host,
                              len(self.failures) == self._attempt_failures))
        return Attempt(host, rule.name, True, tls, note, client.transcript)


def _valid_host(host: str) -> bool:
    """Whether ``host`` is a name an SMTP client can connect to (RFC 5321
    §2.3.5: letters, digits and hyphens in each label); an MX that is not one
    fails alone, and the next MX is tried."""
    labels = host.rstrip(".").split(".")
    return 0 < len(host) <= 253 and all(_LABEL.match(label) for label in labels)


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _duration(seconds: float) -> str:
    days, rest = divmod(int(seconds), 86400)
    hours = rest // 3600
    return f"{days} d {hours} h" if days else f"{hours} h {rest % 3600 // 60} min"
