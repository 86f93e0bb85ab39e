"""What a sending MTA does with mail for the domain: the path through its
decision, from the facts an inspection gathered (no I/O).

The rule per MX comes from the sender's own decision tree,
:func:`helpers.policy.decide` (the code ``Sender(net, "auto")`` delivers
through), fed with the facts the inspection gathered; then what the STARTTLS
probe showed decides the outcome: verified, unverified (strippable), in the
clear, or deferred.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import dane, policy
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


def _outcome(node: str, sts, host: str, probe: ProbeFacts | None, h: HostFacts | None, now):
    """What happens at connection time under the rule ``node`` (a leaf of
    :data:`helpers.policy.TREE`), given what the probe saw."""
    if node in ("skip-dnssec", "skip-sts", "defer"):
        return DEFER, "the sender does not even connect"
    if probe is None or probe.skipped:
        return UNKNOWN, probe.skipped if probe else "not probed"
    offered = probe.starttls_offered
    if offered is None:
        return DEFER, "no SMTP session: " + (probe.session.error if probe.session else "")
    session = probe.session
    tls = session.transcript.tls if session else None
    if node in ("dane", "dane-encrypt"):
        if not offered or tls is None:
            return DEFER, "TLSA records make STARTTLS mandatory, and it failed"
        if node == "dane-encrypt":
            return UNVERIFIED, "no usable TLSA record: encrypted, any certificate accepted"
        result = dane.verify_chain(h.tlsa.records, list(tls.chain), [host, h.tlsa.base_name], now)
        return (VERIFIED, result.reason) if result.ok else (DEFER, result.reason)
    if node in ("sts-enforce", "sts-testing"):
        testing = node == "sts-testing"
        if not offered or tls is None:
            return (CLEAR, "no STARTTLS; mode testing delivers anyway") if testing else (
                DEFER, "STARTTLS is required by the policy")
        if not (probe.verified is not None and probe.verified.accepted):
            why = probe.verified.error if probe.verified else "certificate not checked"
            return (UNVERIFIED, f"{why}; mode testing delivers anyway") if testing else (
                DEFER, why)
        if not sts.matches(host):
            return VERIFIED, "not an mx of the policy, but mode testing delivers (and reports)"
        return VERIFIED, "certificate valid for the MX name (RFC 8461 §4.2)"
    if not offered or tls is None:
        return CLEAR, "STARTTLS not offered"
    return UNVERIFIED, "STARTTLS offered; nothing published makes it required, so an " \
                       "attacker can strip it"


def trace(domain: str, mx: MxFacts, hosts: dict[str, HostFacts],
          sts: StsFacts | None) -> policy.Trace:
    """The path through the sender's decision tree (``helpers.policy``) for an
    ``auto`` sender, from the facts the inspection already has (no new lookups)."""
    lk = mx.lookup
    if lk.status in (BOGUS, ERROR) or not mx.hosts:
        status, reason = (lk.status if lk.status in (BOGUS, ERROR) else "none"), lk.reason
    else:
        status = lk.status
        reason = f"{', '.join(h for _, h in mx.hosts)} ({lk.reason})"
    tlsa = tuple((h, hosts[h].tlsa) for _, h in mx.hosts
                 if h in hosts and status == SECURE)
    applies = sts.policy if sts is not None and sts.record is not None else None
    if sts is None:
        found = "not looked up"
    elif sts.record is None:
        found = f"no policy: {sts.record_error}"
    elif applies is None:
        found = f"no policy: {sts.policy_error}"
    else:
        found = f"policy fetched; mode {applies.mode}, id {sts.record.id}"
    return policy.decide(policy.Facts(domain, "auto", policy.MxFacts(status, mx.hosts, reason),
                                      tlsa, policy.StsFacts(applies, found)))


def sender_check(domain: str, mx: MxFacts, hosts: dict[str, HostFacts],
                 probes: dict[str, ProbeFacts], sts: StsFacts | None, now) -> Check:
    """The ``sender`` check: the path through the sender's decision tree
    (:func:`helpers.policy.decide`), then each MX's outcome given the probe,
    in the order a sender tries them."""
    if mx.null:
        return Check("sender", "sender", INFO, "a sender bounces the mail",
                     "null MX: the domain accepts no mail", "RFC 7505 §3")
    t = trace(domain, mx, hosts, sts)
    evidence = [f"? {s.question} -> {s.answer}" for s in t.steps]
    if t.outcome is not None:
        evidence.append(f"=> {policy.TREE[t.outcome].text}")
        return Check("sender", "sender", FAIL, "a sender defers all mail", t.why,
                     "RFC 7672 §2.2.1; RFC 5321 §5.1", "fix the MX records (or their DNSSEC)",
                     "", tuple(evidence))
    steps: list[Step] = []
    final = None
    for m in t.mx:
        evidence.append(f"MX {m.host}:")
        evidence += [f"  ? {s.question} -> {s.answer}" for s in m.steps]
        evidence.append(f"  => {m.rule.does}")
        outcome, why = _outcome(m.rule.node, m.rule.sts, m.host, probes.get(m.host),
                                hosts.get(m.host), now)
        evidence.append(f"  => {outcome}: {why}")
        steps.append(Step(m.host, m.rule.name, outcome, why))
        if outcome != DEFER:
            final = steps[-1]
            break
    evidence = tuple(evidence)
    rules = list(dict.fromkeys(s.rule for s in steps))
    if final is None:
        return Check("sender", "sender", FAIL, "a sender defers: no MX takes the mail safely",
                     "the mail stays queued and bounces after days of retries",
                     "RFC 7672 §2.2; RFC 8461 §5", "fix what the failed checks above name",
                     "", evidence)
    fallback = " after another MX deferred" if len(steps) > 1 else ""
    node = t.mx[len(steps) - 1].rule.node
    if node == "sts-testing" and final.outcome != CLEAR:
        # RFC 8461 §5: in testing mode a failed check still delivers, so what the
        # probe saw today is not what an attacker on the path would get.
        title = (f"a sender applies {final.rule}{fallback}: it delivers whatever the check "
                 "says" if final.outcome == UNKNOWN else
                 f"a sender {final.outcome} ({final.rule}){fallback}, but only while nobody "
                 "interferes")
        return Check("sender", "sender", WARN, title,
                     "MTA-STS mode testing never refuses delivery: an on-path attacker who "
                     "strips STARTTLS or presents its own certificate still gets the mail, "
                     "in the clear or to itself; the failure is only reported",
                     "RFC 8461 §5", "switch the policy to 'mode: enforce' (with a new id) "
                     "once TLS-RPT reports show no failures", "", evidence)
    if final.outcome == UNKNOWN and node == "opportunistic":
        # Judged from DNS alone: with nothing published, nothing makes TLS required.
        return Check("sender", "sender", WARN, "a sender delivers with unverified TLS at best "
                     f"(opportunistic){fallback}",
                     "no MTA-STS policy and no usable DANE records: an on-path attacker can "
                     "strip STARTTLS or present its own certificate, and the sender cannot "
                     "tell; the STARTTLS probe was not made, so even that TLS is unconfirmed",
                     "RFC 7435; RFC 8461 §2", "publish MTA-STS (enforce) or, with DNSSEC, "
                     "DANE TLSA records", "", evidence)
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
