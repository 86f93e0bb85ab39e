"""The lab: a small, deterministic internet on loopback for the course.

``Lab.start(seed=1)`` (or ``with Lab(seed=1) as lab:``) brings up, on
127.0.0.1 with ports the OS picks, all from one background event-loop thread
(so it works inside a Jupyter kernel, whose own loop is busy, and in plain
Python):

- a PKI: root CA, issuing CA, a certificate per MX and policy host (``pki``);
- an authoritative DNS server with DNSSEC-signed and unsigned zones (``zones``);
- one HTTPS server for all ``mta-sts.`` policy hosts (``https``);
- one aiosmtpd receiver per MX host, and the ``mailbox`` they deliver into;
- on request, an on-path attacker between senders and an MX (``attack``).
- on request, an on-path DNS attacker between every client and the DNS server
  (``dns_attack``, see :mod:`helpers.lab.dnsattack`).

``Lab(standard_ports=True)`` (opt-in, needs root or CAP_NET_BIND_SERVICE) puts
every host at its own loopback address on ports 25 and 443 and the DNS server
on port 53, for real MTAs (see :mod:`helpers.lab.ownaddr`).

``lab.net`` is the :class:`~helpers.net.Network` that routes helpers to it.
The domains are the catalogue in :mod:`helpers.lab.scenarios`.

This module holds the life cycle (start, serve, stop), reading the lab,
attacks and changes, and ``reset()``. The rest of :class:`Lab` comes from
mixin classes, one concept each: the event-loop thread (:mod:`helpers.lab.loop`),
the standard-ports mode (:mod:`helpers.lab.ownaddr`), TLS reporting
(:mod:`helpers.lab.reporting`), a domain of your own (:mod:`helpers.lab.own_domains`)
and what the lab says about itself (:mod:`helpers.lab.describe`).
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from ..net import Endpoint, Network, NetworkError
from .attackers import KINDS as ATTACKS
from .attackers import Attacker, Seen
from .describe import Description
from .dnsserver import DNSServer
from .https import HTTPSServer, Site
from . import ownaddr
from .loop import _LOGGERS, LabError, LoopThread, _LogBuffer, _ToLabLog
from .own_domains import OwnDomains
from .pki import PKI, Issued, pki_for, server_cert, server_context
from .receivers import Mailbox, Received, Receiver
from .reporting import Reporting
from .reportsink import ReportSink
from .scenarios import LAB_ADDRESS, MX, SCENARIOS, PolicyHost, Scenario, Tlsa, scenario
from .zones import Zones, dnssec_key, mx_cert

__all__ = ["Lab", "LabError", "Attacker", "Seen", "Mailbox", "Received", "Scenario",
           "MX", "PolicyHost", "Tlsa", "SCENARIOS", "ATTACKS", "scenario"]

_START_TIMEOUT = 20.0

_latest: "Lab | None" = None  # the lab Lab.start() made last, replaced on re-run
_latest_lock = threading.RLock()


class _Routes(Mapping):
    """The lab's routing table as its :class:`Network` sees it: live, read-only,
    and, once the lab has stopped, saying so instead of sending helpers to ports
    nobody listens on any more (``stopped`` holds the explanation)."""

    def __init__(self, routes: dict[str, Endpoint]):
        self._routes = routes
        self.stopped = ""

    def __getitem__(self, key: str) -> Endpoint:
        if self.stopped:
            raise NetworkError(self.stopped)
        return self._routes[key]

    def __iter__(self):
        return iter(() if self.stopped else self._routes)

    def __len__(self) -> int:
        return 0 if self.stopped else len(self._routes)


class Lab(LoopThread, ownaddr.StandardPorts, Reporting, OwnDomains, Description):
    """The course's offline internet. See the module docstring.

    ``seed`` fixes every key, certificate and signature. ``key_kind="rsa"``
    gives the MX hosts RSA-2048 keys instead of P-256 (deriving RSA keys from a
    seed is slow: about half a second per host, once per process).
    ``directory`` is where the lab writes its CA bundle, trust anchor and host
    list (default: a temporary folder, removed on ``stop()``).

    ``Lab.start()`` replaces the lab it started before, so re-running a notebook
    cell never leaves two labs behind; ``with Lab(...)`` leaves other labs alone.
    """

    def __init__(self, seed: int = 1, *, key_kind: str = "ec",
                 scenarios: tuple[Scenario, ...] = SCENARIOS,
                 directory: str | Path | None = None, standard_ports: bool = False):
        if key_kind not in ("ec", "rsa"):
            raise LabError(f"key_kind must be 'ec' or 'rsa', not {key_kind!r}")
        self.seed = int(seed)
        self.key_kind = key_kind
        self.scenarios: dict[str, Scenario] = {s.domain: s for s in scenarios}
        self._catalogue = dict(self.scenarios)  # the state reset() returns to
        self._added: set[str] = set()  # domains add_domain() added, which reset() removes
        self._own_dir = directory is None
        self.directory = Path(directory) if directory else None
        self.mailbox = Mailbox()
        self.receivers: dict[str, Receiver] = {}
        self.attackers: dict[str, Attacker] = {}
        self._routes: dict[str, Endpoint] = {}
        self._route_view = _Routes(self._routes)
        self._orphans: list = []  # servers started by an interrupted call: closed on stop
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._log = _LogBuffer()
        self._thread_name = f"lab-{self.seed}-{id(self):x}"
        self._started = False
        self.pki: PKI | None = None
        self.zones: Zones | None = None
        self.dns: DNSServer | None = None
        self.https: HTTPSServer | None = None
        self.net: Network | None = None
        self.report_sink: ReportSink | None = None  # TLS-RPT reports POSTed (RFC 8460 §5.4)
        self._swapped_certs: set[str] = set()
        # The standard-ports mode (helpers.lab.ownaddr): host -> its own address
        # ("" the DNS server's), the relays holding those addresses, and the
        # routes as clients outside the lab see them (address, port 25 or 443).
        self.standard_ports = bool(standard_ports)
        self.addresses: dict[str, str] = {}
        self._forwarders: dict[tuple[str, int], ownaddr.Forwarder] = {}
        self._public: dict[str, Endpoint] = {}

    # -- life cycle ------------------------------------------------------------

    @classmethod
    def start(cls, seed: int = 1, **options) -> "Lab":
        """Start a lab, replacing the one this function started before."""
        global _latest
        with _latest_lock:
            if _latest is not None:
                _latest.stop()
            lab = cls(seed, **options)
            lab._start()
            _latest = lab
        return lab

    def __enter__(self) -> "Lab":
        if not self._started:
            self._start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _start(self) -> None:
        try:
            self._route_view = _Routes(self._routes)  # a stopped lab's old view stays stopped
            self._prepare()
            self._loop = asyncio.new_event_loop()
            self._loop.set_exception_handler(self._loop_error)
            # The first callback runs once the thread is inside run_forever: wait
            # for it, or is_running() may still be False (a start-up race).
            ready = threading.Event()
            self._loop.call_soon(ready.set)
            self._thread = threading.Thread(target=self._loop.run_forever,
                                            name=self._thread_name, daemon=True)
            self._thread.start()
            if not ready.wait(_START_TIMEOUT):
                raise LabError(f"the lab's event loop did not start within {_START_TIMEOUT} s")
            try:
                self._call(self._serve(), _START_TIMEOUT)
            except ownaddr.BindError as e:
                raise LabError(f"the lab cannot take the standard ports: {e}") from None
            self._write_files()
            self._started = True
        except BaseException:
            self.stop()
            raise

    def _prepare(self) -> None:
        _ToLabLog.buffers[self._thread_name] = self._log
        for name in _LOGGERS:
            logger = logging.getLogger(name)
            if logger.level == logging.NOTSET or logger.level > logging.INFO:
                logger.setLevel(logging.INFO)
        if self.directory is None:
            self.directory = Path(tempfile.mkdtemp(prefix="smtp-tls-lab-"))
        for sub in ("certs", "keys"):
            (self.directory / sub).mkdir(parents=True, exist_ok=True)
        self.pki = pki_for(self.seed)
        if self.standard_ports:
            self._plan(self.scenarios.values())
        self.zones = Zones(self.seed, self.pki, tuple(self.scenarios.values()), self.key_kind,
                           self.addresses)
        self._publish_reporting_domains()
        (self.directory / "ca.pem").write_bytes(self.pki.ca_pem)

    async def _serve(self) -> None:
        self.dns = DNSServer(self.zones)
        if self.standard_ports:
            await self.dns.start(ownaddr.DNS_ADDRESS, ownaddr.DNS_PORT)
        else:
            await self.dns.start(LAB_ADDRESS)
        default = server_cert(self.pki, "no-sni.lab.invalid")
        self.https = HTTPSServer(server_context(default, self.directory, "no-sni.lab.invalid"))
        await self.https.start(LAB_ADDRESS)
        for s in self.scenarios.values():
            await self._serve_scenario(s)

    async def _serve_scenario(self, s: Scenario) -> None:
        for mx in s.mx:
            if mx.host in self.receivers:
                continue
            ctx = server_context(mx_cert(self.pki, mx, self.key_kind), self.directory, mx.host)
            receiver = Receiver(mx.host, mx.starttls, ctx, self.mailbox)
            await receiver.start(LAB_ADDRESS)
            self.receivers[mx.host] = receiver
            self._routes[mx.host] = Endpoint(LAB_ADDRESS, smtp=receiver.port)
            await self._hold(mx.host, ownaddr.SMTP_PORT, self._smtp_target(mx.host))
        if s.policy is not None:
            host = s.policy_hostname
            issued = server_cert(self.pki, host, s.policy_host.cert)
            self.https.sites[host] = Site(server_context(issued, self.directory, host),
                                          s.policy_host, s.policy.encode())
            self._routes[host] = Endpoint(LAB_ADDRESS, https=self.https.port)
            await self._hold(host, ownaddr.HTTPS_PORT, self._https_target)

    def _write_files(self) -> None:
        if self.standard_ports:  # the course's helpers go where any client goes
            self._route_view = _Routes(self._public)
        self.net = Network(
            name="lab", nameserver=self.dns_address, dns_port=self.dns.port,
            ca_file=str(self.ca_file), trust_anchor=self.zones.trust_anchor(),
            hosts=self._route_view, dkim_keys=self.dkim_keys,
            dns_timeout=2.0, connect_timeout=2.0, io_timeout=5.0)
        ds = self.zones.ds("")
        self.trust_anchor_file.write_text(
            "# The lab root's trust anchor, for delv -a FILE\n"
            "trust-anchors {\n"
            f'    . static-ds {ds.key_tag} {ds.algorithm} {ds.digest_type} "{ds.digest.hex()}";\n'
            "};\n")
        (self.directory / "root.ds").write_text(self.zones.trust_anchor())
        (self.directory / "zones.txt").write_text(self.zones.to_text())
        self.write_json(self.directory / "lab.json")

    def stop(self) -> None:
        """Stop every server (attackers, receivers, HTTPS, DNS), then the thread.
        Safe to call twice, and after a failed start."""
        global _latest
        if self._started or self._loop is not None:
            self._route_view.stopped = (
                f"the lab (seed {self.seed}) this network belongs to was stopped or replaced "
                "by a later Lab.start(): use the running lab's lab.net")
        loop, thread = self._loop, self._thread
        if loop is not None and loop.is_running():
            try:
                self._call(self._shutdown(), 10)
            except Exception as e:  # still stop the loop below
                self._log.lines.append(f"helpers.lab ERROR stopping: {e!r}")
        if loop is not None and thread is not None and thread.is_alive():
            # Also when the thread has not reached run_forever yet: the stop
            # callback then ends it as soon as it does.
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)
        if loop is not None and not loop.is_running() and not loop.is_closed():
            loop.close()
        self._loop = None
        self._started = False
        _ToLabLog.buffers.pop(self._thread_name, None)
        if self._own_dir and self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None
        with _latest_lock:
            if _latest is self:
                _latest = None

    async def _shutdown(self) -> None:
        servers = list(self._forwarders.values())
        servers += list(self.attackers.values()) + list(self.receivers.values()) + self._orphans
        servers += [s for s in (self.https, self.dns) if s is not None]
        for server in servers:
            await server.stop()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # -- reading ------------------------------------------------------------------

    def scenario(self, domain: str) -> Scenario:
        """The scenario of ``domain`` as the lab currently publishes it."""
        key = domain.rstrip(".").lower()
        if key not in self.scenarios:
            scenario(domain)  # raises the KeyError that lists the domains
        return self.scenarios[key]

    @property
    def domains(self) -> tuple[str, ...]:
        return tuple(self.scenarios)

    def log(self, last: int | None = None) -> list[str]:
        """The servers' log lines (most recent last)."""
        lines = list(self._log.lines)
        return lines[-last:] if last else lines

    def certificate(self, host: str) -> Issued:
        """The certificate (with key and chain) that lab ``host`` serves."""
        for s in self.scenarios.values():
            for mx in s.mx:
                if mx.host == host:
                    return mx_cert(self.pki, mx, self.key_kind)
            if s.policy is not None and s.policy_hostname == host:
                return server_cert(self.pki, host, s.policy_host.cert)
        raise LabError(f"{host} is not a lab host")

    # -- changing the world ---------------------------------------------------------

    def attack(self, host: str, kind: str) -> Attacker:
        """Put an attacker of ``kind`` (tap, strip, refuse, substitute) on the path
        from every sender to MX ``host``; returns it, with its log."""
        self._require_running()
        host = host.rstrip(".").lower()
        if host not in self.receivers:
            raise LabError(f"{host} is not a lab MX host; MX hosts: {', '.join(self.receivers)}")
        self.stop_attack(host)
        context = None
        if kind == "substitute":
            fake = self.pki.leaf((host,), key_label="attacker/" + host, self_signed=True)
            context = server_context(fake, self.directory, "attacker-" + host)
        try:
            attacker = Attacker(kind, host, (LAB_ADDRESS, self.receivers[host].port), context)
        except ValueError as e:
            raise LabError(str(e)) from None
        self._start_server(attacker)
        self.attackers[host] = attacker
        self._routes[host] = replace(self._routes[host], smtp=attacker.port)
        return attacker

    def stop_attack(self, host: str | None = None) -> None:
        """Take the attacker off the path to ``host`` (default: every attacker)."""
        hosts = [host.rstrip(".").lower()] if host else list(self.attackers)
        for h in hosts:
            attacker = self.attackers.pop(h, None)
            if attacker is not None:
                self._routes[h] = replace(self._routes[h], smtp=self.receivers[h].port)
                self._call(attacker.stop())

    def set_policy_answer(self, domain: str, **changes) -> None:
        """Change how ``mta-sts.<domain>`` answers: ``status``, ``location``,
        ``content_type``, ``delay`` (seconds), ``body`` (bytes); see PolicyHost."""
        self._require_running()
        s = self.scenario(domain)
        if s.policy is None:
            raise LabError(f"{domain} has no policy host")
        try:
            self.https.set_answer(s.policy_hostname, **changes)
        except (TypeError, ValueError) as e:
            raise LabError(f"cannot set that answer for {s.policy_hostname}: {e}") from None

    def set_records(self, domain: str, owner: str, rdtype: str, values: list[str]) -> None:
        """Publish ``values`` (zone-file text) as ``owner``'s ``rdtype`` records in
        ``domain``'s zone, re-signing it; ``values=[]`` removes them."""
        self._require_running()
        self.scenario(domain)
        if isinstance(values, str):
            raise LabError(f"give the {rdtype} values as a list, e.g. [{values!r}]")
        try:
            self.zones.set(domain.rstrip(".").lower(), owner, rdtype, list(values))
        except ValueError as e:
            raise LabError(f"nothing changed in {domain}: {e}") from None

    def forge_records(self, domain: str, owner: str, rdtype: str, values: list[str], *,
                      signed_with: str | None = None, signer: str | None = None) -> None:
        """Play an on-path DNS attacker: answers for ``owner``/``rdtype`` carry
        ``values``, with the genuine RRSIGs, or, with ``signed_with``, a fresh
        signature made with a key the attacker holds: the DNSSEC key of the lab
        zone of that name (a signed zone the attacker owns), or of any other
        label (a key of its own), presented under the ``signer`` name (default:
        that zone). In a signed zone validation then fails (bogus); in an
        unsigned one nothing can tell. ``reset()`` undoes it."""
        self._require_running()
        if domain.rstrip(".").lower() not in self.dkim_keys:  # a reporting domain's zone is fine
            self.scenario(domain)
        signature = None if signed_with is None else (signed_with, signer or signed_with)
        self.zones.forge(domain.rstrip(".").lower(), owner, rdtype, values, signature)

    def set_ds(self, domain: str, values: list[str]) -> None:
        """Publish ``values`` (zone-file text) as the DS records of the signed lab
        zone ``domain`` in its parent, re-signing the parent: e.g. a SHA-1 DS only
        (``[lab.zones.ds(domain, "SHA1").to_text()]``), or one naming a digest type
        or algorithm a validator does not support. ``reset()`` restores them."""
        self._require_running()
        self.scenario(domain)
        if isinstance(values, str):
            raise LabError(f"give the DS values as a list, e.g. [{values!r}]")
        try:
            self.zones.set_ds(domain.rstrip(".").lower(), list(values))
        except ValueError as e:
            raise LabError(f"nothing changed for {domain}'s DS: {e}") from None

    def attacker_dnskey(self, label: str = "attacker") -> str:
        """The DNSKEY (zone-file text) of a key the attacker made, for forgeries."""
        return dnssec_key(self.seed, label)[1].to_text()

    def apply_change(self, domain: str) -> Scenario:
        """Move ``domain`` to its scenario's later state (e.g. a changed policy):
        new DNS records, policy file and MX servers. Returns the new state."""
        self._require_running()
        s = self.scenario(domain)
        if s.later is None:
            raise LabError(f"{domain} has no later state to change to")
        self.scenarios[s.domain] = s.later
        self.zones.load(s.later)
        self._call(self._serve_scenario(s.later))
        if s.later.policy is not None:
            self.https.set_policy(s.later.policy_hostname, s.later.policy.encode())
        return s.later

    # -- the on-path DNS attacker (helpers.lab.dnsattack) ---------------------------------

    def dns_attack(self, action: str = "strip", name: str | None = None,
                   rdtype: str | None = None, *, subtree: bool = False, **options):
        """Put an on-path DNS attacker between every client and the lab's DNS
        server (or add a rule to the one already there) and return it.

        ``action`` is one of :data:`helpers.lab.dnsattack.ACTIONS` (``drop``,
        ``strip``, ``remove``, ``empty``, ``rcode``, ``serve``, ``replay``, ``forge``), with its
        ``options``; it applies to answers for ``name`` (with ``subtree``, also the
        names below it; default: every name) of type ``rdtype`` (default: every
        type). ``stop_dns_attack()`` and ``reset()`` take it off the path."""
        from . import dnsattack
        self._require_running()
        if action not in dnsattack.ACTIONS:
            raise LabError(f"unknown DNS attack {action!r}; choose one of "
                           f"{', '.join(dnsattack.ACTIONS)}")
        if self.dns.attacker is None:
            self.dns.attacker = dnsattack.DNSAttacker(self.zones)
        where = f"{name or 'every name'}{' and below' if subtree else ''} " \
                f"{rdtype or 'any type'}"
        self.dns.attacker.rules.append(dnsattack.Rule(
            dnsattack.ACTIONS[action](**options), name, rdtype, subtree,
            f"{action} {where}"))
        return self.dns.attacker

    def stop_dns_attack(self) -> None:
        """Take the DNS attacker off the path: genuine answers again."""
        if self.dns is not None:
            self.dns.attacker = None

    def reset(self) -> None:
        """Back to the catalogue: no attackers, an empty mailbox, every zone,
        policy file and policy-host answer as the scenarios first published them."""
        self._require_running()
        self.stop_attack()
        self.stop_dns_attack()
        self.zones.restore_ds()  # DS records changed with set_ds (before added domains go)
        self._remove_added()  # domains added with add_domain
        for domain in self.dkim_keys:  # the reporting domains' zones, if an attack forged them
            if domain in self.zones.edited:
                spec = self.zones.specs[domain]
                spec.forged.clear()
                self.zones._build(spec)
                self.zones.edited.discard(domain)
        self.mailbox.clear()
        self._reset_reporting()
        self.https.requests.clear()
        for domain, s in self._catalogue.items():
            if self.scenarios[domain] is not s or domain in self.zones.edited:
                self.zones.load(s)
            self.scenarios[domain] = s
            if s.policy is not None:
                self.https.sites[s.policy_hostname] = replace(
                    self.https.sites[s.policy_hostname], answer=s.policy_host,
                    policy=s.policy.encode())

