"""The inspection's DNS network: each query sent once, chains of trust fetched at once.

A validated lookup walks the chain of trust from the root (RFC 4035 §5): the
DNSKEY and DS of each zone above the name (§5.2), or the proof that a zone is
unsigned (§5.2, §5.4), and every lookup of an inspection asks for the same
keys again. :class:`_SharedNetwork` sends each distinct query once (later
askers wait for the first answer), learns from the answers which zones exist
and which are signed, and ``prefetch`` starts a lookup's whole chain at once
instead of one query after another. :class:`_Inline` runs the same inspection
without threads, for the benchmark's comparison (``make bench``).
"""

from __future__ import annotations

import concurrent.futures as cf
import threading
from dataclasses import fields

import dns.message
import dns.name
import dns.rdatatype

from ..net import Network, NetworkError


# -- shared, concurrent DNS queries -----------------------------------------------------------

class _SharedNetwork(Network):
    """The inspection's Network: each distinct query is sent once (later askers
    wait for the first), and ``prefetch`` starts a validated lookup's whole
    chain of trust at once."""

    def __init__(self, net: Network, pool: cf.Executor | None):
        super().__init__(**{f.name: getattr(net, f.name) for f in fields(net)})
        object.__setattr__(self, "_pool", pool)
        object.__setattr__(self, "_lock", threading.Lock())
        object.__setattr__(self, "_cache", {})
        object.__setattr__(self, "queries", [0])
        object.__setattr__(self, "zones", {})  # zone apex -> signed?, learnt from answers

    def query(self, qname, rdtype, *, dnssec=None) -> dns.message.Message:
        key = (str(qname).lower().rstrip(".") + ".", int(dns.rdatatype.RdataType.make(rdtype)),
               self.dnssec if dnssec is None else dnssec)
        with self._lock:
            slot = self._cache.get(key)
            mine = slot is None
            if mine:
                slot = self._cache[key] = [threading.Event(), None, None]
        if mine:
            self.queries[0] += 1
            try:
                slot[1] = Network.query(self, qname, rdtype, dnssec=dnssec)
                self._learn(slot[1])
            except NetworkError as e:
                slot[2] = e
            finally:
                slot[0].set()
        elif not slot[0].wait(self.time_left(self.dns_timeout * 3)):
            raise NetworkError(f"DNS query {qname} {rdtype} timed out")
        if slot[2] is not None:
            raise slot[2]
        return slot[1]

    def _learn(self, response: dns.message.Message) -> None:
        """Note which zones exist (an SOA's owner) and which are signed (an RRSIG's signer)."""
        with self._lock:
            for rrset in list(response.answer) + list(response.authority):
                if rrset.rdtype == dns.rdatatype.SOA:
                    self.zones.setdefault(rrset.name, False)
                elif rrset.rdtype == dns.rdatatype.RRSIG:
                    for sig in rrset:
                        self.zones[sig.signer] = True

    def prefetch(self, name: str, rdtype: str) -> None:
        """Start, in parallel, the queries a validated lookup of ``name`` will
        make: the name itself; in a zone already known to be signed, nothing
        more (its keys are cached); in a known unsigned zone, the SOA that
        proves it; else also the DNSKEY and DS of each ancestor that can be a
        zone (underscore labels never are)."""
        if self._pool is None:
            return
        qname = dns.name.from_text(name)
        wanted = [(qname, rdtype)]
        with self._lock:
            known = [z for z in self.zones if qname.is_subdomain(z) and z != dns.name.root]
        if known:
            if not self.zones[max(known, key=len)]:
                wanted.append((qname, "SOA"))
            self._start(wanted)
            return
        wanted.append((qname, "SOA"))
        node = qname
        while True:
            if not node.labels[0].startswith(b"_") or node == dns.name.root:
                wanted.append((node, "DNSKEY"))
                if node != dns.name.root:
                    wanted.append((node, "DS"))
            if node == dns.name.root:
                break
            node = node.parent()
        self._start(wanted)

    def _start(self, wanted) -> None:
        try:
            for q, t in wanted:
                self._pool.submit(self._quiet, q, t)
        except RuntimeError:  # the inspection is over (pool shut down): nobody waits
            pass

    def _quiet(self, qname, rdtype) -> None:
        try:
            self.query(qname, rdtype, dnssec=True)
        except NetworkError:
            pass  # the lookup that needs it will see the error itself


class _Inline(cf.Executor):
    """An executor that runs each task at once in the caller: the same
    inspection, one query after another (for the benchmark's comparison)."""

    def submit(self, fn, *args, **kwargs):
        future = cf.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as e:  # handed to whoever reads the future
            future.set_exception(e)
        return future
