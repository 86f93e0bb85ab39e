"""The sending MTA's decision: which rule applies to each MX of a domain.

One data structure, :data:`TREE`, holds the sender's decision tree (RFC 7672
§2.2-2.3, RFC 8461 §2, §4-5): questions (nodes) with their answers (branches)
leading to further questions or to a rule (leaves). The same tree is

- *walked* by :func:`decide` (pure logic over looked-up :class:`Facts`),
- *used* by :class:`helpers.sender.Sender` (it delivers through
  :func:`trace`: one code path),
- *drawn* by :func:`helpers.figures.decision_tree`, with a path highlighted,
- *shown* by the domain inspector.

The API
-------
``trace(domain, net, mode="auto", *, cache=None) -> Trace``
    Looks up what the tree needs (MX and its DNSSEC status, TLSA per MX,
    the MTA-STS record and policy, through ``cache`` if given, a
    :class:`helpers.mtasts.PolicyCache`) on ``net`` and decides. ``mode`` is the
    sender's policy: ``auto`` (DANE, else MTA-STS, else opportunistic),
    ``dane``, ``mta-sts`` or ``opportunistic``; a question a sender of that
    mode does not ask is answered "not asked" and takes the branch a missing
    record would. No mail is sent, no SMTP connection is made.

``gather(domain, net, mode, cache=None) -> Facts`` and ``decide(facts) -> Trace``
    the two halves of ``trace``: I/O, then pure logic (tests feed ``decide``
    hand-made facts).

:class:`Trace` (immutable; ``__str__`` and escaped ``_repr_html_``):
    ``domain``, ``mode``; ``steps``: the domain-wide questions asked (the MX
    lookup), each a :class:`Step`; ``mx``: one :class:`MxPath` per MX host in
    preference order (``host``, ``preference``, ``steps``: the questions asked
    for that MX, ``rule``: the :class:`Rule` it ends at); ``outcome``: the
    domain-level leaf when the MX lookup itself ends the walk (``None``
    otherwise); ``why``: that reason; ``reports``: TLS-RPT failure details
    known before any connection (a failed policy fetch: RFC 8460 §4.3), as
    ``(result_type, policy_type, policy_domain, mx_host, reason)`` tuples.
    Helpers: ``hosts``, ``rules`` (host -> Rule), ``rule(host)``,
    ``path(host=None)`` (the node ids visited), ``edges(host=None)`` (the
    tree's edges taken, for the figure), ``summary``.

:class:`Step`: ``node`` (id in :data:`TREE`), ``question``, ``answer`` (the
branch label taken), ``found`` (what the lookup returned, untrusted text),
``rfc``.

:class:`Rule`: ``node`` (leaf id), ``name`` (shown in the sender's attempts),
``kind`` (``dane``, ``sts``, ``opportunistic`` or ``skip``), ``does`` (what
the sender does), ``on_failure`` (what a failure at connection time means:
defer, report, or deliver in the clear), ``rfc``, ``policy_type`` (for
TLS-RPT), ``accepts`` (the TLS levels with which delivery is allowed:
``verified``, ``unverified``, ``none``), and for the sender ``sts``, ``tlsa``,
``skip_reason``, ``skip_failure``.

DANE that authenticates nothing
-------------------------------
RFC 8461 §2 forbids only letting MTA-STS *override a failing* DANE
validation. When an MX's DNSSEC-secure TLSA records are all unusable (e.g.
``1 1 1``: PKIX usages are unusable for SMTP, RFC 7672 §3.1.3), DANE asks for
encryption but authenticates nothing, so there is nothing to fail: an
``enforce`` MTA-STS policy then applies (STARTTLS plus a WebPKI certificate
for the MX name), which is stricter. Without an enforce policy, DANE's
"encrypt, do not authenticate" stays.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, replace

import dns.exception
import dns.resolver

from . import dane, mtasts
from .dnssec import BOGUS, ERROR, INSECURE, SECURE, resolve
from .net import Network, NetworkError

MODES = ("opportunistic", "mta-sts", "dane", "auto")
NOT_ASKED = "not asked"


@dataclass(frozen=True)
class Node:
    """A question of the tree (``branches``: answer label -> next node id) or,
    without branches, a leaf: the rule a sender applies."""

    id: str
    text: str
    rfc: str
    branches: tuple[tuple[str, str], ...] = ()
    kind: str = ""  # leaves: dane | sts | opportunistic | skip | defer | bounce
    on_failure: str = ""
    accepts: tuple[str, ...] = ()

    @property
    def leaf(self) -> bool:
        return not self.branches


def _q(id, text, rfc, *branches) -> Node:
    return Node(id, text, rfc, tuple(branches))


def _leaf(id, text, rfc, kind, on_failure, accepts=()) -> Node:
    return Node(id, text, rfc, (), kind, on_failure, tuple(accepts))


# Branch labels, shared by decide() and the figure.
B_SECURE, B_INSECURE, B_FAILED = "secure", "insecure or not validated", "bogus or failed"
B_NO_MX, B_NULL_MX, B_NO_ADDRESS = "no MX records", "null MX (0 .)", "no address either"
B_USABLE, B_UNUSABLE, B_NONE, B_BOGUS = ("secure, usable records", "secure, all unusable",
                                         "none, insecure or not asked", "bogus or failed")
B_YES, B_NO = "yes", "no"
B_ENFORCE, B_TESTING, B_NOPOLICY = "enforce", "testing", "none, absent or not asked"

TREE: dict[str, Node] = {n.id: n for n in (
    _q("mx", "MX lookup: is the answer DNSSEC-secure?", "RFC 7672 §2.2.1",
       (B_SECURE, "tlsa"), (B_INSECURE, "sts"), (B_FAILED, "defer"), (B_NO_MX, "implicit"),
       (B_NULL_MX, "bounce")),
    # No MX records: the domain itself is the MX (RFC 5321 §5.1); DANE then
    # asks for TLSA at _25._tcp.<domain>, if its address records are secure.
    _q("implicit", "No MX records: the domain itself is the MX. Its address?",
       "RFC 5321 §5.1",
       (B_SECURE, "tlsa"), (B_INSECURE, "sts"), (B_FAILED, "defer"), (B_NO_ADDRESS, "bounce")),
    _leaf("bounce", "Bounce: the domain has no mail server", "RFC 7505 §3", "bounce",
          "no connection; returned to the sender at once, never retried"),
    _q("tlsa", "TLSA at _25._tcp.<MX>: DNSSEC status and records?", "RFC 7672 §2.2",
       (B_USABLE, "dane"), (B_UNUSABLE, "unusable"), (B_NONE, "sts"), (B_BOGUS, "skip-dnssec")),
    _q("unusable", "DANE authenticates nothing: an enforce MTA-STS policy?", "RFC 8461 §2",
       (B_YES, "match"), (B_NO, "dane-encrypt")),
    _q("sts", "MTA-STS policy (cached, or fetched over HTTPS)?", "RFC 8461 §3, §5.1",
       (B_ENFORCE, "match"), (B_TESTING, "sts-testing"), (B_NOPOLICY, "opportunistic")),
    _q("match", "Is this MX in the policy's mx list?", "RFC 8461 §4.1",
       (B_YES, "sts-enforce"), (B_NO, "skip-sts")),
    _leaf("defer", "Defer: no MX answer to trust", "RFC 7672 §2.2.1", "defer",
          "no connection; the message stays queued"),
    _leaf("dane", "DANE: TLS required, certificate must match a TLSA record",
          "RFC 7672 §2.2, §3", "dane",
          "no STARTTLS or no match: defer (report starttls-not-supported or tlsa-invalid); "
          "never rescued by MTA-STS or plaintext", ("verified",)),
    _leaf("dane-encrypt", "DANE, no usable record: TLS required, not authenticated",
          "RFC 7672 §2.2", "dane",
          "no STARTTLS: defer (report starttls-not-supported); any certificate is accepted",
          ("verified", "unverified")),
    _leaf("skip-dnssec", "Skip this MX: its DNSSEC lookup is bogus or failed",
          "RFC 7672 §2.2", "skip",
          "no connection (report dnssec-invalid if bogus); next MX, else stay queued"),
    _leaf("sts-enforce", "MTA-STS enforce: TLS with a WebPKI certificate for the MX",
          "RFC 8461 §4.2, §5", "sts",
          "no STARTTLS or a bad certificate: defer (report starttls-not-supported or "
          "certificate-*)", ("verified",)),
    # kind "sts": the sender refuses such an MX itself, reporting under the sts policy.
    _leaf("skip-sts", "Skip this MX: the policy does not list it", "RFC 8461 §4.1, §5",
          "sts", "no connection (report validation-failure); next MX, else stay queued"),
    _leaf("sts-testing", "MTA-STS testing: check, deliver anyway, report", "RFC 8461 §5",
          "sts", "failures are reported (TLS-RPT); delivered anyway, even in the clear",
          ("verified", "unverified", "none")),
    _leaf("opportunistic", "Opportunistic: TLS if offered, certificate unchecked",
          "RFC 7435, RFC 3207", "opportunistic",
          "no STARTTLS or a 454: delivered in the clear, nothing reported",
          ("unverified", "none")),
)}


# -- results -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Step:
    """One question asked, the branch taken, and what the lookup found."""

    node: str
    question: str
    answer: str
    found: str
    rfc: str

    def __str__(self) -> str:
        return f"{self.question} -> {self.answer}: {self.found} ({self.rfc})"


@dataclass(frozen=True)
class Rule:
    """The leaf an MX ends at: what the sender does, and for the sender the
    policy or TLSA records it enforces."""

    node: str
    name: str
    kind: str
    does: str
    on_failure: str
    rfc: str
    accepts: tuple[str, ...] = ()
    sts: mtasts.Policy | None = None
    tlsa: dane.TlsaLookup | None = None
    skip_reason: str = ""
    skip_failure: str | None = None

    @property
    def policy_type(self) -> str:
        """The TLS-RPT policy type (RFC 8460 §4.1) reported under this rule."""
        if self.kind == "sts":
            return "sts"
        if self.kind == "dane" or self.node == "skip-dnssec":
            return "tlsa"
        return "no-policy-found"

    def __str__(self) -> str:
        return f"{self.name}: {self.does} ({self.rfc}); on failure: {self.on_failure}"


@dataclass(frozen=True)
class MxPath:
    host: str
    preference: int
    steps: tuple[Step, ...]
    rule: Rule


@dataclass(frozen=True)
class Trace:
    """The path of one domain through :data:`TREE` (see the module docstring)."""

    domain: str
    mode: str
    steps: tuple[Step, ...]
    mx: tuple[MxPath, ...]
    outcome: str | None = None
    why: str = ""
    reports: tuple[tuple[str, str, str, str, str], ...] = ()

    @property
    def hosts(self) -> tuple[str, ...]:
        return tuple(m.host for m in self.mx)

    @property
    def rules(self) -> dict[str, Rule]:
        return {m.host: m.rule for m in self.mx}

    def rule(self, host: str) -> Rule:
        return self.rules[host.rstrip(".").lower()]

    def path(self, host: str | None = None) -> tuple[str, ...]:
        """Node ids visited: for one MX host, or (default) for all, in order."""
        nodes = [s.node for s in self.steps]
        if self.outcome:
            nodes.append(self.outcome)
        for m in self.mx:
            if host is None or m.host == host.rstrip(".").lower():
                nodes += [s.node for s in m.steps] + [m.rule.node]
        return tuple(dict.fromkeys(nodes))

    def edges(self, host: str | None = None) -> frozenset[tuple[str, str]]:
        """The tree's edges the path took (``(from, to)`` node ids), for the figure."""
        walks = []
        if self.outcome:
            walks.append([s.node for s in self.steps] + [self.outcome])
        for m in self.mx:
            if host is None or m.host == host.rstrip(".").lower():
                walks.append([s.node for s in self.steps + m.steps] + [m.rule.node])
        return frozenset((a, b) for walk in walks for a, b in zip(walk, walk[1:]))

    @property
    def summary(self) -> str:
        if self.outcome:
            return f"{TREE[self.outcome].text} ({self.why})"
        names = list(dict.fromkeys(m.rule.name for m in self.mx))
        return "; ".join(f"{n}: {', '.join(m.host for m in self.mx if m.rule.name == n)}"
                         for n in names)

    def __str__(self) -> str:
        lines = [f"{self.domain}, {self.mode} sender: {self.summary}"]
        lines += [f"  ? {s}" for s in self.steps]
        if self.outcome:
            lines.append(f"  => {TREE[self.outcome].text}: {self.why}")
        for m in self.mx:
            lines.append(f"  MX {m.host} (preference {m.preference})")
            lines += [f"    ? {s}" for s in m.steps]
            lines.append(f"    => {m.rule.does} ({m.rule.rfc})")
            lines.append(f"       at connection time: {m.rule.on_failure}")
        lines += [f"  TLS-RPT: {r[0]} ({r[1]} policy, {r[3]}): {r[4]}" for r in self.reports]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        e = html.escape

        def step_rows(steps, indent=""):
            return "".join(
                f'<tr><td style="text-align:left">{indent}{e(s.question)}</td>'
                f'<td style="text-align:left"><b>{e(s.answer)}</b></td>'
                f'<td style="text-align:left">{e(s.found)}</td><td>{e(s.rfc)}</td></tr>'
                for s in steps)

        rows = step_rows(self.steps)
        if self.outcome:
            rows += (f'<tr><td colspan="4" style="text-align:left">&rArr; <b>'
                     f"{e(TREE[self.outcome].text)}</b>: {e(self.why)}</td></tr>")
        for m in self.mx:
            rows += (f'<tr><th colspan="4" style="text-align:left">MX <code>{e(m.host)}</code>'
                     f" (preference {m.preference})</th></tr>")
            rows += step_rows(m.steps, "&nbsp;&nbsp;")
            rows += (f'<tr><td colspan="4" style="text-align:left">&rArr; <b>{e(m.rule.does)}'
                     f"</b> ({e(m.rule.rfc)}); at connection time: {e(m.rule.on_failure)}"
                     "</td></tr>")
        reports = "".join(f"<li><code>{e(r[0])}</code> ({e(r[1])} policy, {e(r[3])}): "
                          f"{e(r[4])}</li>" for r in self.reports)
        return (f"<p><b>{e(self.domain)}</b>, {e(self.mode)} sender: {e(self.summary)}</p>"
                f"<table><tr><th>question</th><th>answer</th><th>found</th><th>RFC</th></tr>"
                f"{rows}</table>"
                + (f"<p>TLS-RPT failure details:</p><ul>{reports}</ul>" if reports else ""))


# -- facts: what was looked up ----------------------------------------------------------

@dataclass(frozen=True)
class MxFacts:
    """The MX lookup: ``status`` secure | insecure | unvalidated | bogus | error |
    none (no mail server: no MX and no address, or no such domain) | null (a
    null MX, RFC 7505). With ``implicit``, the domain has no MX records and
    ``hosts`` is the domain itself (RFC 5321 §5.1); ``status`` is then that of
    its address records."""

    status: str
    hosts: tuple[tuple[int, str], ...]
    reason: str
    implicit: bool = False


@dataclass(frozen=True)
class StsFacts:
    """The MTA-STS policy that applies (``None``: none) and how it was obtained."""

    policy: mtasts.Policy | None
    found: str
    failure: tuple[str, str] | None = None  # (TLS-RPT result type, reason) of a failed fetch


@dataclass(frozen=True)
class Facts:
    domain: str
    mode: str
    mx: MxFacts
    tlsa: tuple[tuple[str, dane.TlsaLookup], ...] = ()
    sts: StsFacts | None = None  # None: not looked up


# -- pure logic: walking the tree --------------------------------------------------------

def _step(node: str, answer: str, found: str) -> Step:
    n = TREE[node]
    if answer not in dict(n.branches):
        raise ValueError(f"{answer!r} is not an answer of {node!r}")
    return Step(node, n.text, answer, found, n.rfc)


def _rule(node: str, name: str, **extra) -> Rule:
    n = TREE[node]
    return Rule(node, name, n.kind, n.text, n.on_failure, n.rfc, n.accepts, **extra)


def _uses_dane(mode: str) -> bool:
    return mode in ("dane", "auto")


def _uses_sts(mode: str) -> bool:
    return mode in ("mta-sts", "auto")


def _tlsa_branch(lookup: dane.TlsaLookup | None) -> str:
    if lookup is None:
        return B_NONE
    if lookup.status in (BOGUS, ERROR):
        return B_BOGUS
    if lookup.exists:  # a secure, non-empty set: even all-unusable makes TLS mandatory
        return B_USABLE if any(r.usable for r in lookup.records) else B_UNUSABLE
    return B_NONE


def sts_needed(mode: str, mx: MxFacts, tlsa: dict[str, dane.TlsaLookup]) -> bool:
    """Whether any MX's path reaches an MTA-STS question (so the policy must be
    looked up): pure, used by :func:`gather` to look up only what is asked."""
    if not _uses_sts(mode) or mx.status not in (SECURE, INSECURE, "unvalidated"):
        return False
    return any(_tlsa_branch(tlsa.get(h)) in (B_NONE, B_UNUSABLE) for _, h in mx.hosts)


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


# -- I/O: looking the facts up -----------------------------------------------------------

def _mx_facts(domain: str, net: Network, mode: str) -> MxFacts:
    """MX hosts in preference order and the answer's DNSSEC status: TLSA
    records count only below a secure MX answer (RFC 7672 §2.2.1), so
    DANE-capable senders validate it; the others take it as it comes. A null
    MX (RFC 7505) and no MX at all (the implicit MX, RFC 5321 §5.1) are told
    apart here."""
    if _uses_dane(mode):
        lookup = resolve(domain, "MX", net)
        if lookup.status in (BOGUS, ERROR):
            return MxFacts(lookup.status, (), f"the MX lookup of {domain} is {lookup.status}: "
                                              f"{lookup.reason}")
        if lookup.rrset is None:
            if lookup.rcode == "NXDOMAIN":
                return MxFacts("none", (), f"{domain} does not exist (NXDOMAIN): no mail server")
            return _implicit_mx(domain, net, lookup.status)
        hosts = tuple(sorted((r.preference, r.exchange.to_text().rstrip(".").lower())
                             for r in lookup.rrset))
        if _null(hosts):
            return MxFacts("null", (), _NULL_REASON.format(domain=domain))
        what = ("signatures verified up to the trust anchor" if lookup.status == SECURE
                else lookup.reason)
        return MxFacts(lookup.status, hosts, f"{', '.join(h for _, h in hosts)} ({what})")
    try:
        hosts = mtasts.mx_hosts(domain, net)
    except NetworkError as e:  # SERVFAIL or a timeout: not "no MX", a reason to defer
        return MxFacts(ERROR, (), f"the MX lookup of {domain} failed: {e}")
    if _null(hosts):
        return MxFacts("null", (), _NULL_REASON.format(domain=domain))
    if not hosts:
        return _implicit_mx(domain, net, None)
    return MxFacts("unvalidated", hosts,
                   f"{', '.join(h for _, h in hosts)} (not validated: this sender does not "
                   "check DNSSEC)")


_NULL_REASON = "{domain} publishes a null MX (0 .): it accepts no mail (RFC 7505 §3)"


def _null(hosts: tuple[tuple[int, str], ...]) -> bool:
    """A null MX is a single MX record whose exchange is the root, "." (RFC 7505 §3)."""
    return len(hosts) == 1 and hosts[0][1] == ""


def _implicit_mx(domain: str, net: Network, mx_status: str | None) -> MxFacts:
    """No MX records: the domain's own address is the MX (RFC 5321 §5.1).
    ``mx_status`` is the DNSSEC status of the MX denial (``None``: not
    validated); the domain counts as secure for DANE only if that denial and
    its address records both are (RFC 7672 §2.2.2)."""
    if mx_status is None:  # a sender that does not validate: any address will do
        for rdtype in ("A", "AAAA"):
            try:
                net.resolver().resolve(domain, rdtype)
            except dns.resolver.NXDOMAIN:
                break
            except dns.resolver.NoAnswer:
                continue
            except dns.exception.DNSException as e:
                return MxFacts(ERROR, (), f"{domain} has no MX records and its {rdtype} lookup "
                                          f"failed: {e}", implicit=True)
            return MxFacts("unvalidated", ((0, domain),),
                           f"{domain} itself: no MX records, so its own address is the MX "
                           "(not validated: this sender does not check DNSSEC)", implicit=True)
        return MxFacts("none", (), f"{domain} has no MX records and no address: no mail server "
                                   "(RFC 5321 §5.1)", implicit=True)
    for rdtype in ("A", "AAAA"):
        address = resolve(domain, rdtype, net)
        if address.status in (BOGUS, ERROR):
            return MxFacts(address.status, (), f"{domain} has no MX records and its {rdtype} "
                           f"lookup is {address.status}: {address.reason}", implicit=True)
        if address.rrset is not None:
            status = SECURE if SECURE == address.status == mx_status else (
                INSECURE if address.status == SECURE else address.status)
            what = ("MX denial and address signed up to the trust anchor" if status == SECURE
                    else address.reason)
            return MxFacts(status, ((0, domain),), f"{domain} itself: no MX records, so its own "
                           f"address is the MX ({what})", implicit=True)
    return MxFacts("none", (), f"{domain} has no MX records and no address: no mail server "
                               "(RFC 5321 §5.1)", implicit=True)


def _sts_facts(domain: str, net: Network, cache: mtasts.PolicyCache) -> StsFacts:
    """The policy the §5.1 cache says applies, fetching over HTTPS when needed."""
    try:
        record_id, problem = mtasts.lookup_record(domain, net).id, ""
    except mtasts.MtaStsError as e:
        record_id, problem = None, e.problem
    failure: list[mtasts.FetchError] = []

    def fetch():
        try:
            return mtasts.fetch_policy(domain, net)
        except mtasts.FetchError as e:
            failure.append(e)
            raise

    decision = cache.update(domain, record_id, fetch, problem)
    found = decision.reason
    if decision.policy is not None:
        found += f"; mode {decision.policy.mode}, id {decision.id}"
    report = (failure[0].tlsrpt_result_type, str(failure[0])) if failure else None
    return StsFacts(decision.policy, found, report)


def _lookup_tlsa(host: str, net: Network) -> dane.TlsaLookup:
    """The TLSA lookup of one MX; a name that cannot be looked up (e.g. too long
    once ``_25._tcp.`` is added) fails that MX only, not the whole walk."""
    try:
        return dane.lookup_tlsa(host, net)
    except (dns.exception.DNSException, ValueError, NetworkError) as e:
        return dane.TlsaLookup(host, host, ERROR, (), f"the TLSA lookup of {host!r} failed: {e}")


def gather(domain: str, net: Network, mode: str = "auto",
           cache: mtasts.PolicyCache | None = None) -> Facts:
    """Look up what the tree asks for ``domain``, and nothing more."""
    if mode not in MODES:
        raise ValueError(f"unknown sender mode {mode!r}; choose one of {', '.join(MODES)}")
    domain = domain.rstrip(".").lower()
    mx = _mx_facts(domain, net, mode)
    tlsa: dict[str, dane.TlsaLookup] = {}
    if _uses_dane(mode) and mx.status == SECURE:
        tlsa = {h: _lookup_tlsa(h, net) for _, h in mx.hosts}
    sts = None
    if sts_needed(mode, mx, tlsa):
        sts = _sts_facts(domain, net, cache if cache is not None else mtasts.PolicyCache())
    return Facts(domain, mode, mx, tuple(tlsa.items()), sts)


def trace(domain: str, net: Network, mode: str = "auto", *,
          cache: mtasts.PolicyCache | None = None) -> Trace:
    """The path of ``domain`` through the sender's tree, for a sender of ``mode``."""
    return decide(gather(domain, net, mode, cache))


# The operator's side of the same question (what to publish) lives in its own
# module; it is offered here too, beside the sender's tree.
from .recommend import Profile, Recommendation, recommend  # noqa: E402

__all__ = ["TREE", "MODES", "Node", "Step", "Rule", "MxPath", "Trace", "MxFacts", "StsFacts",
           "Facts", "gather", "decide", "trace", "sts_needed", "recommend", "Profile",
           "Recommendation"]
