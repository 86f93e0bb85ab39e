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

from .facts import Facts, MxFacts, StsFacts, gather, sts_needed
from .result import MxPath, Rule, Step, Trace
from .tree import (B_BOGUS, B_ENFORCE, B_FAILED, B_INSECURE, B_NO, B_NO_ADDRESS, B_NO_MX,
                   B_NONE, B_NOPOLICY, B_NULL_MX, B_SECURE, B_TESTING, B_UNUSABLE, B_USABLE,
                   B_YES, MODES, NOT_ASKED, TREE, Node)
from .walk import decide, trace

# The operator's side of the same question (what to publish) lives in its own
# module; it is offered here too, beside the sender's tree.
from ..recommend import Profile, Recommendation, recommend

__all__ = ["TREE", "MODES", "Node", "Step", "Rule", "MxPath", "Trace", "MxFacts", "StsFacts",
           "Facts", "gather", "decide", "trace", "sts_needed", "recommend", "Profile",
           "Recommendation"]
