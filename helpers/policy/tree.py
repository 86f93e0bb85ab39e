"""The sender's decision tree as data: questions (nodes), answers (branches), rules (leaves).

:data:`TREE` holds the questions a sending MTA asks of a domain (RFC 7672
§2.2-2.3, RFC 8461 §2, §4-5; the implicit MX, RFC 5321 §5.1; the null MX,
RFC 7505 §3) and the rules it may end at. :data:`MODES` are the senders'
policies; :func:`_uses_dane` and :func:`_uses_sts` say which questions a
sender of a mode asks, :func:`_tlsa_branch` which answer a TLSA lookup gives
(RFC 7672 §2.2). Walked by :mod:`helpers.policy.walk`, drawn by
:func:`helpers.figures.decision_tree`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import dane
from ..dnssec import BOGUS, ERROR

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


# -- which questions a sender asks, and the TLSA answer ------------------------------

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
