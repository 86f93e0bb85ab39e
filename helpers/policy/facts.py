"""The facts the sender's tree asks for, looked up over a :class:`~helpers.net.Network`.

:func:`gather` does the I/O half of :func:`helpers.policy.trace`: the MX
lookup and its DNSSEC status (RFC 7672 §2.2.1), the null MX (RFC 7505 §3) or
the implicit MX (RFC 5321 §5.1, RFC 7672 §2.2.2), the TLSA records per MX
(RFC 7672 §2.2), the MTA-STS record and policy through the §5.1 cache
(RFC 8461 §3, §5.1), and nothing a sender of that mode does not ask
(:func:`sts_needed`). :class:`Facts` is what :func:`helpers.policy.decide`
walks the tree with.
"""

from __future__ import annotations

from dataclasses import dataclass

import dns.exception
import dns.resolver

from .. import dane, mtasts
from ..dnssec import BOGUS, ERROR, INSECURE, SECURE, resolve
from ..net import Network, NetworkError
from .tree import B_NONE, B_UNUSABLE, MODES, _tlsa_branch, _uses_dane, _uses_sts


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


def sts_needed(mode: str, mx: MxFacts, tlsa: dict[str, dane.TlsaLookup]) -> bool:
    """Whether any MX's path reaches an MTA-STS question (so the policy must be
    looked up): pure, used by :func:`gather` to look up only what is asked."""
    if not _uses_sts(mode) or mx.status not in (SECURE, INSECURE, "unvalidated"):
        return False
    return any(_tlsa_branch(tlsa.get(h)) in (B_NONE, B_UNUSABLE) for _, h in mx.hosts)


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

