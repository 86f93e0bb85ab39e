"""The lab's opt-in standard-ports mode: every host at its own loopback address.

By default every lab server listens on 127.0.0.1 with a port the OS picks,
and the course's helpers find them through the lab's routing table. A real
MTA (Postfix, Exim) knows nothing of that table: it looks up the MX in DNS,
then the MX's A record, and connects to port 25 (RFC 5321 §5.1); an MTA-STS
policy fetch goes to port 443 (RFC 8461 §3.3). ``Lab(standard_ports=True)``
therefore gives each MX host and each ``mta-sts.`` host its own address
(:func:`address_plan`), publishes those addresses in the zones' A records from
the start (so ``reset()`` keeps them), and puts the DNS server on port 53.

Each host address is held by a :class:`Forwarder`, a TCP relay that looks up
the host's *current* route for every new connection: the real receiver, or
the attacker ``lab.attack()`` put on the path. So the attacker takes over the
host's address for any client, and the lab's attackers stay as they are.

:class:`StandardPorts` holds the :class:`~helpers.lab.Lab` methods of this
mode: the address plan for the lab's hosts, and the relays that hold them.

Binding ports below 1024 needs root or CAP_NET_BIND_SERVICE (or a lowered
``net.ipv4.ip_unprivileged_port_start``): this mode is for a VM or container,
not for Binder, and :class:`BindError` says so when it cannot bind.
"""

from __future__ import annotations

import asyncio
import errno
import logging
from collections.abc import Callable, Iterable

from ..net import Endpoint
from .attackers import Relay
from .scenarios import LAB_ADDRESS

log = logging.getLogger("helpers.lab.ownaddr")

#: The lab's DNS server in this mode (port 53, UDP and TCP).
DNS_ADDRESS = "127.0.1.53"
#: Address blocks for MX hosts and for HTTPS hosts (mta-sts., reports.): 127.0.2.N, 127.0.3.N.
MX_NET, HTTPS_NET = "127.0.2.", "127.0.3."
SMTP_PORT, HTTPS_PORT, DNS_PORT = 25, 443, 53
_TIMEOUT = 30.0
_MAX_HOSTS = 254


class BindError(OSError):
    """A standard port could not be bound; the message says why and what to do."""

    def __str__(self) -> str:
        return self.strerror or super().__str__()


def bind_error(address: str, port: int, error: OSError) -> BindError:
    """A :class:`BindError` explaining ``error`` for ``address:port``."""
    if error.errno in (errno.EACCES, errno.EPERM):
        why = (f"binding {address}:{port} needs root or CAP_NET_BIND_SERVICE "
               f"(ports below 1024 are privileged; or lower "
               f"net.ipv4.ip_unprivileged_port_start): run as root in a VM or container, "
               f"or start the lab without standard_ports=True")
    elif error.errno == errno.EADDRINUSE:
        why = (f"{address}:{port} is already in use (another lab in standard-ports mode, "
               "or a server of the machine's own): stop it first")
    elif error.errno == errno.EADDRNOTAVAIL:
        why = (f"{address} is not a local address here: the lab needs the whole of "
               "127.0.0.0/8 on the loopback interface, as Linux has")
    else:
        why = f"cannot bind {address}:{port}: {error}"
    return BindError(error.errno, why)


def address_plan(mx_hosts: Iterable[str], https_hosts: Iterable[str],
                 taken: dict[str, str] | None = None) -> dict[str, str]:
    """host -> loopback address: MX hosts 127.0.2.N, HTTPS hosts 127.0.3.N,
    numbered in the order given, keeping the addresses in ``taken`` and
    continuing after them (hosts added later get the next free address)."""
    plan = dict(taken or {})
    for block, hosts in ((MX_NET, mx_hosts), (HTTPS_NET, https_hosts)):
        used = {int(a.rsplit(".", 1)[1]) for a in plan.values() if a.startswith(block)}
        for host in hosts:
            if host in plan:
                continue
            n = next((i for i in range(1, _MAX_HOSTS + 1) if i not in used), None)
            if n is None:
                raise ValueError(f"no address left in {block}0/24 for {host}")
            used.add(n)
            plan[host] = f"{block}{n}"
    return plan


class Forwarder(Relay):
    """Listens on ``address:port`` and relays each connection to
    ``target()`` (read per connection: the receiver, or an attacker)."""

    def __init__(self, host: str, address: str, port: int,
                 target: Callable[[], tuple[str, int]]):
        self.host, self.address, self.port = host, address, port
        self._target = target
        self._server = None

    async def start(self, _address: str | None = None) -> None:
        try:
            self._server = await asyncio.start_server(self._session, self.address, self.port)
        except OSError as e:
            raise bind_error(self.address, self.port, e) from None

    def _upstream(self) -> tuple[str, int]:
        return self._target()

    async def _relay(self, c_r, c_w, s_r, s_w) -> None:
        tasks = [asyncio.ensure_future(_pump(c_r, s_w)), asyncio.ensure_future(_pump(s_r, c_w))]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        await asyncio.wait(tasks, timeout=2)  # the other side follows within moments
        for task in tasks:
            if not task.done():
                task.cancel()
            elif not task.cancelled():
                task.exception()  # retrieved: a reset after QUIT is normal

    def _ended(self, error: BaseException) -> None:
        log.info("forwarder %s:%s (%s): %s", self.address, self.port, self.host,
                 type(error).__name__)


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while True:
        data = await asyncio.wait_for(reader.read(65536), _TIMEOUT)
        if not data:
            if writer.can_write_eof():
                writer.write_eof()
            return
        writer.write(data)
        await writer.drain()


class StandardPorts:
    """The :class:`~helpers.lab.Lab` methods of the standard-ports mode: its
    address plan, and the relays that hold those addresses."""

    def _plan(self, scenarios) -> None:
        """Give every host of ``scenarios`` (and of their later states) its own address."""
        mx, https = [], []
        for s in scenarios:
            while s is not None:
                mx += [m.host for m in s.mx]
                if s.policy is not None:
                    https.append(s.policy_hostname)
                s = s.later
        self.addresses[""] = DNS_ADDRESS
        self.addresses.update(address_plan(mx, https, self.addresses))

    async def _hold(self, host: str, port: int, target) -> None:
        """Standard-ports mode: hold ``host``'s address on ``port`` with a relay
        to ``target()`` (read per connection, so an attacker takes over)."""
        if not self.standard_ports or (host, port) in self._forwarders:
            return
        forwarder = Forwarder(host, self.addresses[host], port, target)
        await forwarder.start()
        self._forwarders[(host, port)] = forwarder
        service = {"smtp": port} if port == SMTP_PORT else {"https": port}
        self._public[host] = Endpoint(self.addresses[host], **service)

    def _smtp_target(self, host: str):
        return lambda: (LAB_ADDRESS, self._routes[host].smtp)  # the receiver, or an attacker

    def _https_target(self) -> tuple[str, int]:
        return LAB_ADDRESS, self.https.port

    def _release(self, host: str) -> None:
        """Standard-ports mode: give up ``host``'s address (a removed domain's host)."""
        for key in [k for k in self._forwarders if k[0] == host]:
            self._call(self._forwarders.pop(key).stop())
        self._public.pop(host, None)
        self.addresses.pop(host, None)
