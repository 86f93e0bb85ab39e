"""Inspecting a domain over a Network: independent lookups run concurrently.

``inspect(domain, net)`` asks, at once: the MX answer (validated from the
trust anchor), the ``_mta-sts`` TXT record, the policy over HTTPS and the
``_smtp._tls`` TXT record; as soon as the MX hosts are known, per host at
once: its address and TLSA records (validated) and a STARTTLS probe (EHLO,
STARTTLS, EHLO, QUIT: never MAIL, RCPT or DATA). DNSSEC validation walks the
same keys again and again (the root's, the zone's), so queries are shared
through one cache, and each validated lookup starts every query of its chain
of trust at once instead of one after another. An inspection therefore takes
about the longest chain of *dependent* queries, not their sum (``make bench``
measures both).
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as _dt
import itertools
import threading
import time
from dataclasses import replace

import dns.name
import dns.rcode
import dns.rdatatype

from .. import dane, mtasts, smtp
from ..dnssec import ERROR, INSECURE, Lookup, resolve
from ..net import Network, NetworkError
from ..txtrecord import record_text
from . import assess, path, port25, resolver
from .commands import Commands
from .facts import HostFacts, MxFacts, ProbeFacts, RptFacts, StsFacts
# Re-exported: helpers.domain.gather.normalize is where they used to live.
from .names import NotADomain, normalize  # noqa: F401
from .result import FAIL, SKIP, Check, Inspection
from .sharednet import _Inline, _SharedNetwork

PROBE_TIMEOUT = 5.0
#: After an inspection's deadline, how long its worker threads may take to notice
#: (every operation's socket timeout ends at the deadline; this is the slack).
GRACE = 1.0
#: MX hosts inspected, in preference order: a domain may publish thousands, and
#: senders try only the first few anyway (RFC 5321 §5.1 leaves the number to
#: them; Postfix 3.7 tries 5 addresses: postconf -d smtp_mx_address_limit). The rest
#: are listed, not probed.
MAX_MX_HOSTS = 10
_ids = itertools.count(1)


# -- the lookups ---------------------------------------------------------------------------------

def _resolve(net: _SharedNetwork, name: str, rdtype: str) -> Lookup:
    net.prefetch(name, rdtype)
    return resolve(name, rdtype, net)


def _unvalidated(net: Network, name: str, rdtype: str) -> Lookup:
    """``name``/``rdtype`` as the resolver gives it, without DNSSEC validation:
    for a resolver that strips DNSSEC records (see :mod:`.resolver`)."""
    why = "not validated: this network's resolver strips DNSSEC records"
    try:
        r = net.query(name, rdtype, dnssec=False)
    except NetworkError as e:
        return Lookup(name, rdtype, ERROR, None, "SERVFAIL", str(e))
    want = dns.rdatatype.from_text(rdtype)
    rrset = next((rr for rr in r.answer if rr.rdtype == want), None)
    return Lookup(name, rdtype, resolver.UNVALIDATED, rrset, dns.rcode.to_text(r.rcode()), why)


def _lookup_mx(domain: str, net: _SharedNetwork, validate: bool = True) -> MxFacts:
    lookup = (lambda n, t: _resolve(net, n, t)) if validate else (
        lambda n, t: _unvalidated(net, n, t))
    lk = lookup(domain, "MX")
    if lk.rrset is not None:
        records = sorted((r.preference, r.exchange.to_text().rstrip(".").lower())
                         for r in lk.rrset)
        if len(records) == 1 and records[0][1] == "":
            return MxFacts(lk, (), null=True)
        # A null MX must be the only MX record (RFC 7505 §3): beside others it is an
        # error, and the other hosts are inspected as they are.
        named = tuple(r for r in records if r[1] != "")
        return MxFacts(lk, named, null_beside_others=len(named) < len(records))
    if lk.status == ERROR or lk.rcode == "NXDOMAIN":
        return MxFacts(lk, ())
    address = lookup(domain, "A")
    if address.rrset is not None:
        return MxFacts(lk, ((0, domain),), implicit=True)
    return MxFacts(lk, ())


def _mx_early(domain: str, net: _SharedNetwork) -> tuple[str, ...]:
    """The MX host names from the raw answer, before validation: their own
    lookups and probes can start while the MX answer's signatures are checked
    (the validator reuses this very answer from the shared cache)."""
    try:
        r = net.query(domain, "MX", dnssec=True)
    except NetworkError:
        return ()
    # The same order and bound as the validated answer's (see _Job.store).
    return tuple(h for _, h in sorted(
        (rd.preference, rd.exchange.to_text().rstrip(".").lower()) for rrset in r.answer
        if rrset.rdtype == dns.rdatatype.MX for rd in rrset
        if rd.exchange != dns.name.root)[:MAX_MX_HOSTS])


def _host_dns(host: str, net: _SharedNetwork) -> HostFacts:
    net.prefetch(f"_25._tcp.{host}", "TLSA")
    address = _resolve(net, host, "A")
    tlsa = dane.lookup_tlsa(host, net)
    unsigned = ()
    if tlsa.status == INSECURE:
        # Shown so the owner learns their records are ignored (RFC 7672 §2.2).
        try:
            r = net.query(f"_25._tcp.{tlsa.base_name}", "TLSA", dnssec=False)
            unsigned = tuple(rd.to_text() for rrset in r.answer
                             if rrset.rdtype == dns.rdatatype.TLSA for rd in rrset)
        except NetworkError:
            unsigned = ()
    return HostFacts(host, address, tlsa, unsigned)


def _host_unvalidated(host: str, net: _SharedNetwork) -> HostFacts:
    address = _unvalidated(net, host, "A")
    why = "not checked: this network's resolver strips DNSSEC records, and DANE needs them"
    return HostFacts(host, address, dane.TlsaLookup(host, host, resolver.UNVALIDATED, (), why))


def _txt(name: str, net: Network) -> tuple[tuple[str, ...], str | None]:
    """TXT strings at ``name`` (each record's strings joined), or why the lookup failed."""
    try:
        r = net.query(name, "TXT", dnssec=False)
    except NetworkError as e:
        return (), str(e)
    if r.rcode() not in (0, 3):  # NOERROR, NXDOMAIN
        return (), f"{name} TXT: {dns.rcode.to_text(r.rcode())}"
    return tuple(sorted(record_text(rd) for rrset in r.answer if rrset.rdtype == dns.rdatatype.TXT
                        for rd in rrset)), None


def _sts_record(domain: str, net: Network):
    txt, error = _txt(f"_mta-sts.{domain}", net)
    if error:
        return txt, None, error
    try:
        return txt, mtasts.parse_txt(list(txt)), None
    except mtasts.MtaStsError as e:
        return txt, None, str(e) if txt else f"_mta-sts.{domain} has no TXT record (RFC 8461 §3.1)"


def _sts_policy(domain: str, net: Network, timeout: float):
    try:
        return mtasts.fetch_policy(domain, net, timeout=timeout), None, None
    except mtasts.FetchError as e:
        return None, str(e), e.kind
    except mtasts.MtaStsError as e:
        return None, str(e), "invalid"


def _probe(host: str, net: Network, outbound=None) -> ProbeFacts:
    """The STARTTLS probe of ``host``. When no byte came back (timed out,
    refused, reset), ``outbound()`` (:mod:`.port25`) tells this network's fault
    (port 25 blocked here) from the host's (it does not answer, others do)."""
    first = smtp.probe(host, net, verify=True)
    if first.accepted:
        return ProbeFacts(host, verified=first)
    error = (first.error or "").lower()
    how = port25.connection_failure(error) if not first.transcript.lines else None
    if how is not None:
        out = outbound() if outbound is not None else port25.Outbound(port25.UNKNOWN, "")
        verb = {port25.DROPPED: f"no answer from {host} port 25 within "
                                f"{net.connect_timeout:g} s",
                port25.REFUSED: f"{host} port 25 refused or reset the connection"}[how]
        if out.state in (port25.DROPPED, port25.REFUSED):
            return ProbeFacts(host, verified=first, blocked=True, skipped=(
                f"{verb}, and {out.detail}: outbound port 25 is "
                f"{'silently dropped' if out.state == port25.DROPPED else 'refused'} by "
                "this network (most home and cloud networks block it), so this is not the "
                "domain's fault; the other checks do not need it"))
        if out.state == port25.OPEN:
            return ProbeFacts(host, verified=first, network_note=(
                f"{verb}, while {out.detail}: port 25 is open from this network, so the "
                "host itself does not answer"))
        if how == port25.DROPPED or not net.is_lab:
            return ProbeFacts(host, verified=first, blocked=True, skipped=(
                f"{verb}: outbound port 25 is probably "
                f"{'blocked' if how == port25.DROPPED else 'refused'} on this network (most "
                "home and cloud networks block it; no reference mail server could be tried "
                "to tell); the other checks do not need it"))
    if first.transcript.tls is None and "certificate" in error:
        # The certificate failed WebPKI: look again, accepting any, for its details and DANE.
        return ProbeFacts(host, verified=first, unverified=smtp.probe(host, net, verify=False))
    return ProbeFacts(host, verified=first)


# -- the inspection ----------------------------------------------------------------------------------

def inspect(domain: str, net: Network, *, smtp: bool = True, timeout: float = 30.0,
            previous: Inspection | None = None, on_check=None, concurrent: bool = True,
            now: _dt.datetime | None = None) -> Inspection:
    """Inspect ``domain`` on ``net`` (the lab's ``lab.net`` or ``Network.live()``).

    ``smtp=False`` skips the STARTTLS probes. ``timeout``: seconds for the whole
    inspection (what has not finished by then is reported as ``skip``): every
    DNS query, connection and read of it waits at most until that deadline
    (``Network.deadline``), and no thread of it is left running once it returns.
    ``previous``: an earlier inspection of the same domain, to tell a policy
    changed without a new id. ``on_check(check)`` is called for each check as
    it is found (from worker threads). ``concurrent=False`` makes the same
    queries one after another. Never raises for a bad name or an unreachable
    network: the inspection's ``error`` and checks say what happened.
    """
    started = time.perf_counter()
    network = "lab" if net.is_lab else "live"
    try:
        domain = normalize(domain)
    except NotADomain as e:
        return Inspection(str(domain), network, error=str(e))
    now = now or _dt.datetime.now(_dt.timezone.utc)
    deadline = time.monotonic() + timeout
    if net.deadline is not None:  # a caller's own budget may end first
        deadline = min(deadline, net.deadline)
    prefix = f"inspect-{next(_ids)}"
    pool = cf.ThreadPoolExecutor(32, thread_name_prefix=prefix) if concurrent else _Inline()
    shared = _SharedNetwork(replace(net, deadline=deadline), pool if concurrent else None)
    probe_net = replace(net, connect_timeout=min(net.connect_timeout, PROBE_TIMEOUT),
                        io_timeout=min(net.io_timeout, 2 * PROBE_TIMEOUT), deadline=deadline)
    job = _Job(domain, shared, probe_net, smtp, timeout, previous, on_check, pool, now)
    try:
        job.run()
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        _join(prefix, deadline + GRACE)
    return job.result(network, (time.perf_counter() - started) * 1000)


def _join(prefix: str, until: float) -> None:
    """Wait (until ``until`` at most) for the pool's threads: each of their network
    operations ends by the inspection's deadline, so none outlives ``inspect()``."""
    for thread in threading.enumerate():
        if thread.name.startswith(prefix + "_"):
            thread.join(max(0.0, until - time.monotonic()))


def _not_probed(hosts) -> Check:
    """The MX hosts past :data:`MAX_MX_HOSTS`, named (a skip: not checked)."""
    rest = [h for _, h in hosts[MAX_MX_HOSTS:]]
    shown = ", ".join(rest[:20]) + (f" and {len(rest) - 20} more" if len(rest) > 20 else "")
    return Check("mx-limit", "MX", SKIP,
                 f"{len(rest)} of {len(hosts)} MX hosts not inspected",
                 f"only the first {MAX_MX_HOSTS} MX hosts by preference are looked up and "
                 f"probed (senders, too, try only a few); not inspected: {shown}",
                 "RFC 5321 §5.1", f"publish fewer MX hosts (the first {MAX_MX_HOSTS} are "
                 "the ones senders use)", "",
                 tuple(f"{pref} {host}" for pref, host in hosts[MAX_MX_HOSTS:]))


class _Job:
    """One inspection's bookkeeping: futures in flight, facts found, checks made."""

    def __init__(self, domain, net, probe_net, smtp, timeout, previous, on_check, pool, now):
        self.domain, self.net, self.probe_net = domain, net, probe_net
        self.smtp, self.timeout, self.previous = smtp, timeout, previous
        self.on_check, self.pool, self.now = on_check, pool, now
        self.cmd = Commands.for_network(net)
        self.outbound = port25.OutboundOnce(probe_net, probe_net.connect_timeout)
        self.checks: list[Check] = []
        self.pending: dict[cf.Future, tuple] = {}
        self.mx: MxFacts | None = None
        self.hosts: dict[str, HostFacts] = {}
        self.probes: dict[str, ProbeFacts] = {}
        self.sts: StsFacts | None = None
        self.sts_parts: dict[str, tuple] = {}
        self.rpt: RptFacts | None = None
        self.done: set[str] = set()
        self.error: str | None = None
        self.resolver: resolver.ResolverFacts | None = None
        self.unvalidated = False  # the resolver strips DNSSEC: look up without validating
        self.stopped = False  # the resolver is unusable: nothing more to judge

    def submit(self, what: tuple, fn, *args) -> None:
        self.pending[self.pool.submit(fn, *args)] = what

    def emit(self, checks) -> None:
        for c in checks:
            self.checks.append(c)
            if self.on_check is not None:
                try:
                    self.on_check(c)
                except Exception:  # a display callback must not stop the inspection
                    pass

    def run(self) -> None:
        deadline = time.monotonic() + self.timeout
        d, net = self.domain, self.net
        self.submit(("resolver",), resolver.judge, net)
        self.submit(("mx-early",), _mx_early, d, net)
        self.submit(("mx",), _lookup_mx, d, net)
        self.submit(("sts-record",), _sts_record, d, net)
        self.submit(("sts-policy",), _sts_policy, d, net, min(self.timeout, 20.0))
        self.submit(("rpt",), _txt, f"_smtp._tls.{d}", net)
        while self.pending:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            finished, _ = cf.wait(list(self.pending), left, return_when=cf.FIRST_COMPLETED)
            for future in finished:
                what = self.pending.pop(future)
                try:
                    self.store(what, future.result())
                except Exception as e:  # a bug in one lookup must not lose the others
                    self.store_failure(what, e)
            self.advance()
            if self.stopped:
                self.pending.clear()  # their answers would only repeat the resolver's fault
        if self.pending:
            mx_kinds = ("mx", "mx-early", "mx-raw", "host", "host-raw", "resolver")
            self.emit([Check(f"timeout:{w[-1]}", "MX" if w[0] in mx_kinds else
                             {"probe": "STARTTLS", "rpt": "TLS-RPT"}.get(w[0], "MTA-STS"),
                             SKIP, "did not finish in time",
                             f"{' '.join(w)} took longer than {self.timeout:g} s")
                       for w in self.pending.values()])

    def store(self, what, value) -> None:
        kind = what[0]
        if kind == "resolver":
            self.resolver = value
            if value.state == resolver.NO_DNSSEC:
                # Validated lookups through it can only end bogus: ask again, unvalidated.
                self.unvalidated, self.mx, self.hosts = True, None, {}
                self.submit(("mx-raw",), _lookup_mx, self.domain, self.net, False)
        elif kind == "mx-early":
            self.start_hosts(value)
        elif kind in ("mx", "mx-raw"):
            if (kind == "mx-raw") == self.unvalidated:
                if len(value.hosts) > MAX_MX_HOSTS:
                    if self.once("mx-limit"):
                        self.emit([_not_probed(value.hosts)])
                    value = replace(value, hosts=value.hosts[:MAX_MX_HOSTS])
                self.mx = value
                self.start_hosts([h for _, h in value.hosts])
        elif kind in ("host", "host-raw"):
            if (kind == "host-raw") == self.unvalidated:
                self.hosts[what[1]] = value
        elif kind == "probe":
            self.probes[what[1]] = value
        elif kind in ("sts-record", "sts-policy"):
            self.sts_parts[kind] = value
            if len(self.sts_parts) == 2:
                txt, record, record_error = self.sts_parts["sts-record"]
                policy, policy_error, kind_ = self.sts_parts["sts-policy"]
                self.sts = StsFacts(txt, record, record_error, policy, policy_error, kind_)
        elif kind == "rpt":
            self.rpt = RptFacts(*value)

    def start_hosts(self, hosts) -> None:
        for host in hosts:
            if self.unvalidated and self.once(f"start-raw:{host}"):
                self.submit(("host-raw", host), _host_unvalidated, host, self.net)
            if not self.once(f"start:{host}"):
                continue
            if not self.unvalidated:
                self.submit(("host", host), _host_dns, host, self.net)
            if self.smtp:
                self.submit(("probe", host), _probe, host, self.probe_net, self.outbound)
            else:
                self.probes[host] = ProbeFacts(host, skipped="not probed (smtp=False, "
                                               "or --no-smtp)")

    def store_failure(self, what, e: Exception) -> None:
        message = f"{type(e).__name__}: {e}"
        if what[0] == "mx-early":
            return
        if what[0] == "resolver":
            self.resolver = resolver.ResolverFacts("?", resolver.GOOD, message)
            return
        if what[0] in ("mx", "mx-raw") and (what[0] == "mx-raw") != self.unvalidated:
            return
        if what[0] in ("mx", "mx-raw"):
            self.error = f"the MX lookup failed unexpectedly ({message})"
            self.mx = MxFacts(Lookup(self.domain, "MX", ERROR, None, "SERVFAIL", message), ())
        elif what[0] in ("host", "host-raw"):
            if (what[0] == "host-raw") != self.unvalidated:
                return
            self.emit([Check(f"address:{what[1]}", "MX", FAIL, "lookup failed", message)])
            self.done.add(f"host:{what[1]}")
        elif what[0] == "probe":
            self.probes[what[1]] = ProbeFacts(what[1], skipped=f"probe failed: {message}")
        elif what[0] in ("sts-record", "sts-policy"):
            self.sts_parts[what[0]] = ((), None, message) if what[0] == "sts-record" else (
                None, message, "error")
            if len(self.sts_parts) == 2:
                self.store(("sts-policy",), self.sts_parts["sts-policy"])
        elif what[0] == "rpt":
            self.rpt = RptFacts((), message)

    def once(self, key: str) -> bool:
        if key in self.done:
            return False
        self.done.add(key)
        return True

    def judge_resolver(self) -> bool:
        """Judge this network's resolver before the domain (:mod:`.resolver`);
        False while that is not known, or when nothing can be judged through it."""
        r = self.resolver
        if r is None or self.stopped:
            return False
        if r.state == resolver.BROKEN and self.once("resolver"):
            why = (f"not checked: this network's resolver ({r.server}) is the problem, not "
                   f"{self.domain}")
            self.error = (f"this network's resolver ({r.server}) is the problem, not "
                          f"{self.domain}: {r.detail}; nothing about the domain can be judged "
                          f"through it. {r.advice[0].upper()}{r.advice[1:]}")
            self.emit([Check("resolver", "MX", SKIP, "this network's resolver cannot be used",
                             r.detail, "RFC 1034 §5.3.1", r.advice, self.cmd.dig(".", "SOA")),
                       Check("mx", "MX", SKIP, "not checked", why, "RFC 5321 §5.1"),
                       Check("mta-sts-record", "MTA-STS", SKIP, "not checked", why,
                             "RFC 8461 §3.1"),
                       Check("tlsrpt", "TLS-RPT", SKIP, "not checked", why, "RFC 8460 §3")])
            self.stopped = True
            return False
        if r.state == resolver.NO_DNSSEC and self.once("resolver"):
            self.emit([Check("resolver", "DNSSEC", SKIP, "this network's resolver strips "
                             "DNSSEC records: DNSSEC and DANE not checked", r.detail,
                             "RFC 4035 §3.2.1, §4.9.1", r.advice,
                             self.cmd.dig(".", "DNSKEY"))])
        return True

    def advance(self) -> None:
        """Emit every check whose facts are all in (once the resolver is judged)."""
        if not self.judge_resolver():
            return
        mx = self.mx
        if mx is not None and self.once("mx"):
            self.emit(assess.mx_checks(self.domain, mx, self.cmd))
            if mx.lookup.status == ERROR:
                self.error = self.error or f"DNS did not answer for {self.domain}: " \
                                           f"{mx.lookup.reason}"
        hosts = [h for _, h in mx.hosts] if mx is not None else []
        for host in hosts:
            if host in self.hosts and self.once(f"host:{host}"):
                self.emit(assess.host_dns_checks(self.hosts[host], self.cmd))
        sts_ready = self.sts is not None
        if mx is not None and mx.lookup.status == ERROR:
            # DNS is not answering for the domain: absent records would mean nothing.
            why = "not checked: DNS gave no usable answer for the domain (see 'mx')"
            if sts_ready and self.once("sts"):
                self.emit([Check("mta-sts-record", "MTA-STS", SKIP, "not checked", why,
                                 "RFC 8461 §3.1")])
            if self.rpt is not None and self.once("rpt"):
                self.emit([Check("tlsrpt", "TLS-RPT", SKIP, "not checked", why, "RFC 8460 §3")])
        if sts_ready and mx is not None and self.once("sts"):
            self.emit(assess.sts_checks(self.domain, self.sts, hosts, self.cmd, self.previous,
                                        self.policy_text))
        sts_mode = self.sts.policy.mode if sts_ready and self.sts.policy else None
        for host in hosts:
            if host in self.probes and host in self.hosts and sts_ready \
                    and self.once(f"probe:{host}"):
                self.emit(assess.probe_checks(self.probes[host], self.hosts[host], sts_mode,
                                              self.cmd, self.now, self.previous_keys(host)))
        all_hosts = mx is not None and all(h in self.hosts for h in hosts)
        if self.rpt is not None and sts_ready and all_hosts and self.once("rpt"):
            published = self.sts.record is not None or any(
                self.hosts[h].tlsa.dane_applies for h in hosts)
            self.emit([assess.tlsrpt_check(self.domain, self.rpt, published, self.cmd)])
        if self.unvalidated and mx is not None and self.once("sender"):
            self.emit([Check("sender", "sender", SKIP, "not judged: it depends on DNSSEC",
                             "whether a sender uses DANE, MTA-STS or nothing depends on "
                             "DNSSEC statuses this network's resolver hides",
                             "RFC 7672 §2.2.1")])
        if (mx is not None and sts_ready and all_hosts and all(h in self.probes for h in hosts)
                and self.once("sender")):
            self.emit([path.sender_check(self.domain, mx, self.hosts, self.probes, self.sts,
                                         self.now)])

    def previous_keys(self, host: str) -> tuple[str, ...]:
        """The DANE-EE forms of the key ``host`` served at the previous inspection
        (from its rollover check's evidence), to spot records left for a retired key."""
        if self.previous is None:
            return ()
        try:
            evidence = self.previous.check(f"rollover:{host}").evidence
        except KeyError:
            return ()
        return tuple(e.removeprefix("served: ") for e in evidence if e.startswith("served: "))

    @property
    def policy_text(self) -> str | None:
        p = self.sts.policy if self.sts else None
        if p is None:
            return None
        return "\n".join([f"mode: {p.mode}", *(f"mx: {m}" for m in p.mx),
                          f"max_age: {p.max_age}"])

    _KINDS = ("resolver", "mx", "dnssec", "address", "tlsa", "rollover", "starttls", "certificate",
              "dane", "mta-sts-record", "mta-sts-policy", "mta-sts-mode", "mta-sts-max-age",
              "mta-sts-mx", "mta-sts-id", "tlsrpt", "sender", "timeout")

    def order(self, check: Check) -> tuple:
        """A fixed order, whatever order the checks were found in: the domain's
        DNS, then each MX host in preference order, then MTA-STS, TLS-RPT, sender."""
        kind, _, host = check.id.partition(":")
        hosts = [h for _, h in self.mx.hosts] if self.mx else []
        group = 0 if kind in ("resolver", "mx", "dnssec", "mx-limit") else 1 if host in hosts else 2
        rank = self._KINDS.index(kind) if kind in self._KINDS else len(self._KINDS)
        return (group, hosts.index(host) if host in hosts else 0, rank, check.id)

    def result(self, network: str, elapsed_ms: float) -> Inspection:
        record = self.sts.record if self.sts else None
        return Inspection(self.domain, network, tuple(sorted(self.checks, key=self.order)),
                          self.error,
                          record.id if record else None, self.policy_text, elapsed_ms)


def inspect_many(domains, net: Network, **options) -> list[Inspection]:
    """Inspect several domains at once (each concurrently inside too)."""
    with cf.ThreadPoolExecutor(min(8, max(1, len(domains)))) as pool:
        return list(pool.map(lambda d: inspect(d, net, **options), domains))
