"""Is outbound port 25 open from *this* network? (So that a blocked port is not
blamed on the domain being inspected.)

When an MX host does not answer on port 25, two very different things look
the same from one connection: the host is down or refuses mail, or this
network (a home ISP, a cloud provider, a hotel) blocks outbound port 25. The
first is the domain's fault, the second is not. The way to tell them apart is
the one ``python -m helpers doctor`` uses: try a reference mail server that is
known to answer (live: the first MX of gmail.com). If it does not answer either,
the network is the problem.

A network can silently *drop* port 25 (the connection times out) or *refuse*
it (a TCP reset, "connection refused"); both are reported in those words.

The reference can be given in ``net.hosts`` under :data:`REFERENCE` (the lab
and the tests route it to a server on 127.0.0.1); otherwise, on a live
network, it is looked up through the network's resolver.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass

from ..net import Network, NetworkError

#: The key of ``net.hosts`` naming the reference mail server, when there is one.
REFERENCE = "port-25-reference.invalid"
#: Live: a large provider whose MX hosts answer on port 25 around the clock.
REFERENCE_DOMAIN = "gmail.com"

OPEN, DROPPED, REFUSED, UNKNOWN = "open", "dropped", "refused", "unknown"


@dataclass(frozen=True)
class Outbound:
    """``state``: open (the reference answered), dropped (it timed out), refused
    (a reset or refusal), unknown (no reference to try); ``detail`` in words."""

    state: str
    detail: str


def connection_failure(error: str) -> str | None:
    """How an SMTP session that got no byte from the server failed: DROPPED
    (timed out or no route: nothing answered), REFUSED (reset or refused: something answered
    with a TCP reset), or None (something else)."""
    low = error.lower()
    # "Network is unreachable" / "No route to host": nothing leaves this network.
    if any(w in low for w in ("timed out", "timeout", "deadline", "unreachable", "no route")):
        return DROPPED
    if any(w in low for w in ("refused", "reset", "errno 111", "errno 104")):
        return REFUSED
    return None


def _reference(net: Network, timeout: float) -> tuple[str, str, int] | None:
    """(name, address, port) of the reference mail server, or None."""
    ep = net.hosts.get(REFERENCE)
    if ep is not None and ep.smtp:
        return REFERENCE, ep.address, ep.smtp
    if net.is_lab:
        return None  # the lab's own network never blocks port 25
    try:
        res = net.resolver()
        res.timeout = res.lifetime = timeout
        answer = res.resolve(REFERENCE_DOMAIN, "MX")
        host = min(answer, key=lambda r: r.preference).exchange.to_text().rstrip(".")
        return host, net.address_of(host), 25
    except Exception:  # no DNS, no MX: there is nothing to compare with
        return None


def check_outbound(net: Network, timeout: float = 5.0) -> Outbound:
    """Open a connection to the reference mail server and read its greeting
    (then QUIT: no mail is ever sent). Bounded by the network's deadline, so no
    thread of an inspection outlives it."""
    try:
        timeout = net.time_left(timeout)
    except NetworkError as e:
        return Outbound(UNKNOWN, str(e))
    ref = _reference(net, timeout)
    if ref is None:
        return Outbound(UNKNOWN, "no reference mail server could be found to compare with")
    name, address, port = ref
    where = f"{name} ({address} port {port})"
    try:
        timeout = net.time_left(timeout)
        with socket.create_connection((address, port), timeout=timeout) as s:
            s.settimeout(timeout)
            greeting = s.recv(512)
            try:
                s.sendall(b"QUIT\r\n")
            except OSError:
                pass
    except OSError as e:
        state = connection_failure(str(e) or type(e).__name__) or DROPPED
        return Outbound(state, f"the reference mail server {where} did not answer either: "
                               f"{e or type(e).__name__}")
    except NetworkError as e:  # the deadline passed while the reference was looked up
        return Outbound(UNKNOWN, str(e))
    if not greeting:
        return Outbound(REFUSED, f"the reference mail server {where} closed the connection")
    return Outbound(OPEN, f"the reference mail server {where} answered "
                          f"{greeting[:3].decode('ascii', 'replace')}")


class OutboundOnce:
    """The outbound test, made at most once per inspection (all MX hosts share it)."""

    def __init__(self, net: Network, timeout: float):
        self.net, self.timeout = net, timeout
        self._lock = threading.Lock()
        self._result: Outbound | None = None

    def __call__(self) -> Outbound:
        with self._lock:
            if self._result is None:
                self._result = check_outbound(self.net, self.timeout)
            return self._result
