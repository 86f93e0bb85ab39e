"""Recursive resolvers in front of the lab, for tests: a real one and broken ones.

In live mode the validator talks to a recursive resolver, not to an
authoritative server. These helpers put one between the helpers and the lab:

- :func:`unbound` starts Debian's ``unbound`` (a validating resolver) on a free
  loopback port, with a stub zone for the root (and for every lab zone: the
  lab's delegations name servers on port 53, where nothing listens) pointing
  at the lab's DNS server, the lab's trust anchor and
  ``do-not-query-localhost: no``, and stops
  it afterwards (every wait has a timeout). It yields a :class:`Resolver`,
  whose ``net`` is the lab's network with that resolver as its nameserver.
  ``trust_anchor=`` gives unbound another anchor (e.g. a wrong one: then it
  answers SERVFAIL for every signed name, as a broken resolver does).
- :func:`stripping_proxy` forwards every question to a resolver and removes
  the RRSIGs from the answers, as a DNSSEC-unaware middlebox does.

Outside CI a missing ``unbound`` skips the test (one-line reason); with
``COURSE_UNBOUND_REQUIRED`` or ``CI`` set (``.ci/run`` sets the first and
installs the package) it fails instead. Usage::

    from resolvers import unbound

    def test_x(lab):
        with unbound(lab) as resolver:
            resolve("example.com", "MX", resolver.net)
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path

import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rdatatype
import pytest

from helpers.net import Network

#: How long unbound may take to start answering, and to stop.
START_TIMEOUT, STOP_TIMEOUT = 10.0, 5.0


def unbound_path() -> str:
    """The ``unbound`` binary; skip (outside CI) or fail (CI) when it is missing."""
    path = shutil.which("unbound") or next(
        (p for p in ("/usr/sbin/unbound", "/sbin/unbound") if os.access(p, os.X_OK)), None)
    if path is None:
        message = "unbound is not installed (Debian package unbound)"
        if os.environ.get("COURSE_UNBOUND_REQUIRED") or os.environ.get("CI"):
            pytest.fail(message + "; .ci/run should have installed it")
        pytest.skip(message)
    return path


def _free_port() -> int:
    """A loopback port free for UDP and TCP (checked, then released for unbound)."""
    for _ in range(20):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.bind(("127.0.0.1", 0))
            port = u.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
                try:
                    t.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
    raise OSError("no loopback port free for both UDP and TCP")


@dataclass(frozen=True)
class Resolver:
    """A resolver on loopback: where it listens, and the lab network that uses it."""

    address: str
    port: int
    net: Network
    log: Path | None = None


def _config(directory: Path, port: int, lab, anchor: str) -> Path:
    (directory / "anchor.ds").write_text(anchor)
    conf = directory / "unbound.conf"
    conf.write_text(f"""server:
    interface: 127.0.0.1
    port: {port}
    do-ip6: no
    do-not-query-localhost: no
    access-control: 127.0.0.0/8 allow
    username: ""
    chroot: ""
    directory: "{directory}"
    pidfile: ""
    use-syslog: no
    logfile: "{directory / 'unbound.log'}"
    verbosity: 1
    val-log-level: 2
    num-threads: 1
    so-reuseport: no
    module-config: "validator iterator"
    trust-anchor-file: "{directory / 'anchor.ds'}"
    qname-minimisation: no
    aggressive-nsec: no
    target-fetch-policy: "0 0 0 0 0"
    harden-referral-path: no

""" + "".join(f"""
stub-zone:
    name: "{origin.to_text()}"
    stub-addr: {lab.net.nameserver}@{lab.dns.port}
""" for origin in sorted(lab.zones.zones)))
    return conf


def _answers(port: int) -> bool:
    query = dns.message.make_query(".", "SOA")
    try:
        dns.query.udp(query, "127.0.0.1", port=port, timeout=0.5)
        return True
    except (dns.exception.DNSException, OSError):
        return False


@contextlib.contextmanager
def unbound(lab, *, trust_anchor: str | None = None):
    """A validating unbound in front of ``lab`` (see the module docstring)."""
    binary = unbound_path()
    with tempfile.TemporaryDirectory(prefix="course-unbound-") as tmp:
        directory = Path(tmp)
        port = _free_port()
        conf = _config(directory, port, lab, trust_anchor or lab.zones.trust_anchor())
        process = subprocess.Popen([binary, "-d", "-c", str(conf)], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + START_TIMEOUT
            while not _answers(port):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"unbound did not start: {process.stderr.read()[-500:]!r}"
                                       if process.poll() is not None
                                       else f"unbound did not answer within {START_TIMEOUT} s")
                time.sleep(0.05)
            net = replace(lab.net, nameserver="127.0.0.1", dns_port=port)
            yield Resolver("127.0.0.1", port, net, directory / "unbound.log")
        finally:
            process.terminate()
            try:
                process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=STOP_TIMEOUT)
            process.stderr.close()


@contextlib.contextmanager
def stripping_proxy(upstream: Resolver):
    """A UDP resolver on loopback that asks ``upstream`` and strips every RRSIG
    from its answers (a DNSSEC-unaware middlebox); yields a :class:`Resolver`."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.2)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                data, client = sock.recvfrom(65535)
            except (TimeoutError, OSError):
                continue
            try:
                query = dns.message.from_wire(data)
                response = dns.query.udp(query, upstream.address, port=upstream.port,
                                         timeout=2.0)
            except (dns.exception.DNSException, OSError):
                continue
            for section in (response.answer, response.authority, response.additional):
                section[:] = [r for r in section if r.rdtype != dns.rdatatype.RRSIG]
            response.flags &= ~dns.flags.TC
            sock.sendto(response.to_wire(max_size=65535), client)

    thread = threading.Thread(target=serve, name="stripping-proxy", daemon=True)
    thread.start()
    try:
        port = sock.getsockname()[1]
        yield Resolver("127.0.0.1", port, replace(upstream.net, dns_port=port))
    finally:
        stop.set()
        thread.join(timeout=STOP_TIMEOUT)
        sock.close()
