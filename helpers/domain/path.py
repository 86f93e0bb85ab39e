"""What a sending MTA does with mail for the domain: the path through its
decision, from the facts an inspection gathered (no I/O).

It follows the rules ``helpers.sender.Sender(net, "auto")`` applies (RFC 8461
§2, RFC 7672 §2.2, RFC 7435): per MX in preference order, DANE when the MX
answer is secure and the host has usable, secure TLSA records (a bogus lookup
skips the MX); else MTA-STS when a policy was fetched (enforce or testing);
else opportunistic TLS. Then what the STARTTLS probe showed decides the
outcome: verified, unverified (strippable), in the clear, or deferred.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import dane
from ..dnssec import BOGUS, ERROR, SECURE
from .facts import HostFacts, MxFacts, ProbeFacts, StsFacts
from .result import FAIL, INFO, OK, WARN, Check

VERIFIED, UNVERIFIED, CLEAR, DEFER, UNKNOWN = (
    "delivers with verified TLS", "delivers with unverified TLS", "delivers in the clear",
    "defers (mail stays queued)", "depends on the STARTTLS probe (not made)")


@dataclass(frozen=True)
class Step:
    mx: str
    rule: str
    outcome: str
    why: str

    def __str__(self) -> str:
        return f"{self.mx} [{self.rule}]: {self.outcome}: {self.why}"


def _outcome(rule: str, sts, host: str, probe: ProbeFacts | None, h: HostFacts | None, now):
    if probe is None or probe.skipped:
        return UNKNOWN, probe.skipped if probe else "not probed"
    offered = probe.starttls_offered
    if offered is None:
        return DEFER, "no SMTP session: " + (probe.session.error if probe.session else "")
    session = probe.session
    tls = session.transcript.tls if session else None
    if rule == "DANE":
        if not offered or tls is None:
            return DEFER, "TLSA records make STARTTLS mandatory, and it failed"
        result = dane.verify_chain(h.tlsa.records, list(tls.chain), [host, h.tlsa.base_name], now)
        if result.ok:
            return VERIFIED, result.reason
        if result.all_unusable:
            return UNVERIFIED, result.reason
        return DEFER, result.reason
    if rule.startswith("MTA-STS"):
        testing = sts.mode == "testing"
        if not sts.matches(host):
            if not testing:
                return DEFER, f"{host} is not an mx of the policy (RFC 8461 §4.1)"
        if not offered or tls is None:
            return (CLEAR, "no STARTTLS; mode testing delivers anyway") if testing else (
                DEFER, "STARTTLS is required by the policy")
        cert_ok = probe.verified is not None and probe.verified.accepted
        if not cert_ok:
            why = (probe.verified.error if probe.verified else "certificate not checked")
            return (UNVERIFIED, f"{why}; mode testing delivers anyway") if testing else (
                DEFER, why)
        if not sts.matches(host):
            return VERIFIED, "not an mx of the policy, but mode testing delivers (and reports)"
        return VERIFIED, "certificate valid for the MX name (RFC 8461 §4.2)"
    if not offered or tls is None:
        return CLEAR, "STARTTLS not offered"
    return UNVERIFIED, "STARTTLS offered; nothing published makes it required, so an " \
                       "attacker can strip it"


def sender_check(domain: str, mx: MxFacts, hosts: dict[str, HostFacts],
                 probes: dict[str, ProbeFacts], sts: StsFacts | None, now) -> Check:
    """The ``sender`` check: each MX's rule and outcome, in the order a sender tries them."""
    if mx.lookup.status in (BOGUS, ERROR):
        return Check("sender", "sender", FAIL, "a sender defers all mail",
                     f"the MX lookup is {mx.lookup.status}: {mx.lookup.reason}",
                     "RFC 7672 §2.2.1")
    if not mx.hosts or mx.null:
        return Check("sender", "sender", INFO if mx.null else FAIL,
                     "a sender bounces the mail" if mx.null else "a sender cannot deliver",
                     "no MX host to try", "RFC 5321 §5.1; RFC 7505")
    mx_secure = mx.lookup.status == SECURE
    policy = sts.policy if sts is not None and sts.policy is not None else None
    if policy is not None and policy.mode == "none":
        policy = None
    steps: list[Step] = []
    final = None
    for _, host in mx.hosts:
        h = hosts.get(host)
        t = h.tlsa if h is not None else None
        if mx_secure and t is not None and t.status in (BOGUS, ERROR):
            steps.append(Step(host, "DANE", DEFER, f"TLSA lookup {t.status}: never 'no TLSA'"))
            continue
        if mx_secure and t is not None and t.dane_applies:
            rule = "DANE"
        elif policy is not None:
            rule = f"MTA-STS {policy.mode}"
        else:
            rule = "opportunistic"
        outcome, why = _outcome(rule, policy, host, probes.get(host), h, now)
        steps.append(Step(host, rule, outcome, why))
        if outcome != DEFER:
            final = steps[-1]
            break
    evidence = tuple(str(s) for s in steps)
    rules = sorted({s.rule for s in steps})
    if final is None:
        return Check("sender", "sender", FAIL, "a sender defers: no MX takes the mail safely",
                     "the mail stays queued and bounces after days of retries",
                     "RFC 7672 §2.2; RFC 8461 §5", "fix what the failed checks above name",
                     "", evidence)
    fallback = " after another MX deferred" if len(steps) > 1 else ""
    if final.outcome == VERIFIED:
        return Check("sender", "sender", OK, f"a sender {final.outcome} ({final.rule}){fallback}",
                     "an on-path attacker can neither read nor redirect the mail",
                     "RFC 7672 §2.2; RFC 8461 §5", "", "", evidence)
    if final.outcome == UNKNOWN:
        return Check("sender", "sender", INFO, f"a sender applies {', '.join(rules)}",
                     "what happens then depends on the STARTTLS probe, which was not made",
                     "RFC 8461 §2", "", "", evidence)
    if final.outcome == UNVERIFIED:
        return Check("sender", "sender", WARN, f"a sender {final.outcome} ({final.rule})"
                     f"{fallback}", "encrypted, but an attacker can strip STARTTLS or present "
                     "its own certificate, and the sender cannot tell",
                     "RFC 7435; RFC 8461 §2", "publish MTA-STS (enforce) or, with DNSSEC, "
                     "DANE TLSA records", "", evidence)
    return Check("sender", "sender", FAIL, f"a sender {final.outcome} ({final.rule}){fallback}",
                 "anyone on the path can read the mail", "RFC 3207", "enable STARTTLS",
                 "", evidence)
