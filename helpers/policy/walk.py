"""Walking the sender's tree: :func:`decide` (pure logic) and :func:`trace`.

For every MX of a domain, from looked-up :class:`~helpers.policy.facts.Facts`
to the :class:`~helpers.policy.result.Rule` it ends at: DANE first when the
MX answer is DNSSEC-secure (RFC 7672 §2.2), never rescued by MTA-STS (RFC
8461 §2) unless DANE authenticates nothing; else the MTA-STS policy and its
mx list (RFC 8461 §4.1, §5); else opportunistic TLS (RFC 7435).
"""

from __future__ import annotations

from dataclasses import replace

from .. import dane, mtasts
from ..dnssec import BOGUS, ERROR, SECURE
from ..net import Network
from .facts import Facts, gather
from .result import MxPath, Rule, Step, Trace
from .tree import (B_BOGUS, B_ENFORCE, B_FAILED, B_INSECURE, B_NO, B_NO_ADDRESS, B_NO_MX,
                   B_NOPOLICY, B_NULL_MX, B_SECURE, B_TESTING, B_UNUSABLE, B_USABLE, B_YES,
                   MODES, NOT_ASKED, TREE, _tlsa_branch, _uses_dane, _uses_sts)


# -- pure logic: walking the tree --------------------------------------------------------

def _step(node: str, answer: str, found: str) -> Step:
    n = TREE[node]
    if answer not in dict(n.branches):
        raise ValueError(f"{answer!r} is not an answer of {node!r}")
    return Step(node, n.text, answer, found, n.rfc)


def _rule(node: str, name: str, **extra) -> Rule:
    n = TREE[node]
    return Rule(node, name, n.kind, n.text, n.on_failure, n.rfc, n.accepts, **extra)


def decide(facts: Facts) -> Trace:
    """Walk :data:`TREE` for every MX of ``facts.domain`` (pure logic)."""
    mode, mx = facts.mode, facts.mx
    if mode not in MODES:
        raise ValueError(f"unknown sender mode {mode!r}; choose one of {', '.join(MODES)}")
    domain = facts.domain
    if mx.status == "null":
        return Trace(domain, mode, (_step("mx", B_NULL_MX, mx.reason),), (), "bounce", mx.reason)
    steps: tuple[Step, ...] = ()
    node = "mx"
    if mx.implicit or mx.status == "none":
        steps, node = (_step("mx", B_NO_MX, f"no MX records for {domain}"),), "implicit"
        if mx.status == "none":
            step = _step(node, B_NO_ADDRESS, mx.reason)
            return Trace(domain, mode, steps + (step,), (), "bounce", mx.reason)
    if mx.status in (BOGUS, ERROR) or not mx.hosts:
        step = _step(node, B_FAILED, mx.reason)
        return Trace(domain, mode, steps + (step,), (), "defer", mx.reason)
    mx_steps = steps + (_step(node, B_SECURE if mx.status == SECURE else B_INSECURE, mx.reason),)
    tlsa = dict(facts.tlsa)
    sts = facts.sts
    reports = []
    if sts is not None and sts.failure is not None:
        reports.append((sts.failure[0], "sts", domain, f"mta-sts.{domain}", sts.failure[1]))
    paths = []
    for preference, host in mx.hosts:
        steps, rule = _walk_mx(mode, mx.status, host, tlsa.get(host), sts)
        paths.append(MxPath(host, preference, tuple(steps), rule))
    return Trace(domain, mode, mx_steps, tuple(paths), reports=tuple(reports))


def _canonical(lookup: dane.TlsaLookup | None) -> dane.TlsaLookup | None:
    """The lookup with its records in a fixed order, DANE-EE first: any usable
    record may match (RFC 7672 §2.2), but DNS returns an RRset in no particular
    order, and the sender should report the same match every time."""
    if lookup is None or len(lookup.records) < 2:
        return lookup
    ordered = sorted(lookup.records, key=lambda r: (-r.usage, r.selector, r.matching_type,
                                                    r.data))
    return replace(lookup, records=tuple(ordered))


def _walk_mx(mode, mx_status, host, lookup, sts) -> tuple[list[Step], Rule]:
    steps: list[Step] = []
    lookup = _canonical(lookup)
    if mx_status == SECURE:
        if not _uses_dane(mode):
            found = f"{NOT_ASKED}: this sender does not implement DANE"
        elif lookup is None:
            found = f"{NOT_ASKED}"
        else:
            found = lookup.reason + "".join(f"; {r} ({r.mnemonic})" for r in lookup.records)
        branch = _tlsa_branch(lookup) if _uses_dane(mode) else B_NONE
        steps.append(_step("tlsa", branch, found))
        if branch == B_USABLE:
            return steps, _rule("dane", "DANE", tlsa=lookup)
        if branch == B_BOGUS:
            return steps, _rule("skip-dnssec", "DANE", tlsa=lookup, skip_reason=lookup.reason,
                                skip_failure="dnssec-invalid" if lookup.status == BOGUS else None)
        if branch == B_UNUSABLE:
            policy = sts.policy if sts is not None else None
            enforce = policy is not None and policy.mode == "enforce"
            found = (f"{NOT_ASKED}: this sender does not implement MTA-STS" if not _uses_sts(mode)
                     else sts.found if sts is not None else NOT_ASKED)
            steps.append(_step("unusable", B_YES if enforce else B_NO, found))
            if not enforce:
                return steps, _rule("dane-encrypt", "DANE (no usable TLSA)", tlsa=lookup)
            return steps + [_match_step(policy, host)], _match_rule(policy, host,
                                                                    "MTA-STS enforce")
    # An insecure MX answer comes straight here: TLSA is not looked up. RFC 7672 §2.2.1
    # would allow it (a MAY; Postfix >= 3.6 does); not doing it is this course's choice.
    if not _uses_sts(mode):
        steps.append(_step("sts", B_NOPOLICY, f"{NOT_ASKED}: this sender does not implement "
                                              "MTA-STS"))
        return steps, _rule("opportunistic", "opportunistic")
    policy = sts.policy if sts is not None else None
    found = sts.found if sts is not None else NOT_ASKED
    if policy is None or policy.mode == "none":
        steps.append(_step("sts", B_NOPOLICY, found))
        return steps, _rule("opportunistic", "opportunistic")
    if policy.mode == "testing":
        steps.append(_step("sts", B_TESTING, found))
        return steps, _rule("sts-testing", "MTA-STS testing", sts=policy)
    steps.append(_step("sts", B_ENFORCE, found))
    return steps + [_match_step(policy, host)], _match_rule(policy, host, "MTA-STS enforce")


def _match_step(policy: mtasts.Policy, host: str) -> Step:
    ok = policy.matches(host)
    patterns = ", ".join(policy.mx)
    return _step("match", B_YES if ok else B_NO,
                 f"{host} {'matches' if ok else 'matches none of'}: {patterns}")


def _match_rule(policy: mtasts.Policy, host: str, name: str) -> Rule:
    if policy.matches(host):
        return _rule("sts-enforce", name, sts=policy)
    return _rule("skip-sts", name, sts=policy,
                 skip_reason=f"{host} is not an mx of the MTA-STS policy (RFC 8461 §4.1)",
                 skip_failure="validation-failure")


def trace(domain: str, net: Network, mode: str = "auto", *,
          cache: mtasts.PolicyCache | None = None) -> Trace:
    """The path of ``domain`` through the sender's tree, for a sender of ``mode``."""
    return decide(gather(domain, net, mode, cache))
