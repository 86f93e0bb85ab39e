"""Small hostile servers on 127.0.0.1 for the robustness tests.

Each server runs in a thread, serves any number of connections (one thread
each), and behaves as its ``script`` says: a normal SMTP receiver or HTTPS
policy host, except at one chosen stage, where it misbehaves (trickles bytes,
sends endless continuation lines or headers, a huge line, random bytes,
resets the connection, goes silent, ...). It also records the ground truth the
invariants are checked against: whether message content arrived in the clear,
and how many copies were accepted with the client seeing the acceptance.
"""

from __future__ import annotations

import socket
import ssl
import struct
import threading
import time
from dataclasses import dataclass, field, replace
from types import MappingProxyType

import pytest

from helpers import mtasts
from helpers.net import Endpoint
from helpers.sender import Sender

SMTP_STAGES = ("greeting", "EHLO", "STARTTLS", "EHLO2", "MAIL", "RCPT", "DATA", "EOD", "QUIT")
MISCHIEF = ("ok", "reset", "close", "silence", "trickle", "endless", "huge-line", "garbage",
            "temp-fail", "perm-fail", "bare-lf-flood")
_STOP = 3.0  # a server gives up on a connection after this long (the client's gone)


@dataclass
class Script:
    """How a server behaves: normal, except ``mischief`` at ``stage``."""

    stage: str = "greeting"
    mischief: str = "ok"
    starttls: bool = True
    garbage: bytes = b"\x00\xff"
    trickle_delay: float = 0.02
    banner: bytes = b"220 hostile.test ESMTP\r\n"  # the greeting, when it is not the mischief


@dataclass
class Record:
    """Ground truth kept by the server across connections."""

    connections: int = 0
    clear_content: int = 0  # messages whose content arrived outside TLS
    confirmed: int = 0  # copies answered 250 after which the client spoke again
    sent_bytes: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def _reset(sock: socket.socket) -> None:
    """Close with a TCP RST (SO_LINGER 0), as a crashing server or a middlebox does."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


class _Conn:
    def __init__(self, sock, server):
        self.sock, self.server = sock, server
        self.record = server.record  # this connection counts in its own example's record
        self.buf = b""
        self.until = time.monotonic() + _STOP

    def alive(self) -> bool:
        return time.monotonic() < self.until and not self.server.stopping

    def write(self, data: bytes) -> None:
        self.sock.sendall(data)
        with self.record.lock:
            self.record.sent_bytes += len(data)

    def readline(self) -> bytes | None:
        while b"\n" not in self.buf:
            if not self.alive() or len(self.buf) > 1_000_000:
                return None
            self.sock.settimeout(0.2)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            if not chunk:
                return None
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        return line + b"\n"


class Hostile:
    """A threaded server on 127.0.0.1; subclasses implement ``handle``."""

    def __init__(self, context: ssl.SSLContext | None = None):
        self.context = context
        self.script = Script()
        self.record = Record()
        self.stopping = False
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def reset(self, script: Script) -> None:
        self.script, self.record = script, Record()

    def _accept(self):
        while not self.stopping:
            try:
                sock, _ = self.listener.accept()
            except OSError:
                continue
            with self.record.lock:
                self.record.connections += 1
            threading.Thread(target=self._serve, args=(sock,), daemon=True).start()

    def _serve(self, sock):
        conn = _Conn(sock, self)
        try:
            self.handle(conn, self.script)
        except (OSError, ssl.SSLError, ValueError):
            pass
        finally:
            try:
                conn.sock.close()
            except OSError:
                pass

    def misbehave(self, conn: _Conn, script: Script, normal: bytes) -> bool:
        """Do the script's mischief instead of sending ``normal``; True when the
        connection is finished."""
        m = script.mischief
        if m == "ok":
            conn.write(normal)
            return False
        if m == "reset":
            _reset(conn.sock)
            return True
        if m == "close":
            conn.sock.close()
            return True
        if m == "silence":
            while conn.alive() and conn.sock.recv(1):
                pass
            return True
        if m == "trickle":
            data = normal[:-2] + b" " + b"x" * 2000 + normal[-2:]
            for i in range(len(data)):
                if not conn.alive():
                    return True
                conn.write(data[i:i + 1])
                time.sleep(script.trickle_delay)
            return False
        if m in ("endless", "bare-lf-flood"):
            code = normal[:3] or b"220"
            line = code + b"-" + b"y" * 200 + (b"\n" if m == "bare-lf-flood" else b"\r\n")
            while conn.alive():
                conn.write(line * 50)
            return True
        if m == "huge-line":
            conn.write(normal[:4] + b"z" * 70000 + b"\r\n")
            return False
        if m == "garbage":
            conn.write(script.garbage)
            return False
        if m == "temp-fail":
            conn.write(b"451 4.3.0 try again later\r\n")
            return False
        if m == "perm-fail":
            conn.write(b"554 5.7.1 no\r\n")
            return False
        raise ValueError(m)


class HostileSMTP(Hostile):
    """An SMTP receiver (STARTTLS with ``context``) that misbehaves on cue."""

    def handle(self, conn: _Conn, script: Script) -> None:
        tls = False
        stage = "greeting"

        def answer(stage_name, normal) -> bool:
            if script.stage == stage_name:
                return self.misbehave(conn, script, normal)
            conn.write(normal)
            return False

        if answer("greeting", script.banner):
            return
        accepted = False
        while True:
            line = conn.readline()
            if line is None:
                return
            if accepted:
                with conn.record.lock:
                    conn.record.confirmed += 1
                accepted = False
            verb = line.split(b" ", 1)[0].strip().upper()
            if verb in (b"EHLO", b"HELO"):
                stage = "EHLO2" if tls else "EHLO"
                caps = b"250-hostile.test\r\n250-8BITMIME\r\n"
                caps += b"250 STARTTLS\r\n" if script.starttls and not tls else b"250 SIZE 1000000\r\n"
                if answer(stage, caps):
                    return
            elif verb == b"STARTTLS":
                if answer("STARTTLS", b"220 go ahead\r\n"):
                    return
                if script.stage == "STARTTLS" and script.mischief != "ok":
                    continue  # the mischief replaced the 220: no handshake
                conn.sock.settimeout(1.0)
                conn.sock = self.context.wrap_socket(conn.sock, server_side=True)
                conn.buf = b""
                tls = True
            elif verb == b"MAIL":
                if answer("MAIL", b"250 2.1.0 ok\r\n"):
                    return
            elif verb == b"RCPT":
                if answer("RCPT", b"250 2.1.5 ok\r\n"):
                    return
            elif verb == b"DATA":
                if answer("DATA", b"354 go ahead\r\n"):
                    return
                if script.stage == "DATA" and script.mischief != "ok":
                    continue
                content = b""
                while True:
                    data_line = conn.readline()
                    if data_line is None:
                        return
                    if data_line in (b".\r\n", b".\n"):
                        break
                    content += data_line
                if not tls:
                    with conn.record.lock:
                        conn.record.clear_content += 1
                if script.stage == "EOD" and script.mischief != "ok":
                    if self.misbehave(conn, script, b"250 2.0.0 queued\r\n"):
                        return
                    accepted = script.mischief == "trickle"
                else:
                    conn.write(b"250 2.0.0 queued\r\n")
                    accepted = True
            elif verb == b"QUIT":
                if answer("QUIT", b"221 bye\r\n"):
                    return
                return
            elif verb == b"RSET":
                conn.write(b"250 ok\r\n")
            else:
                conn.write(b"500 what\r\n")


HTTP_STAGES = ("handshake", "status", "headers", "body")


class HostileHTTPS(Hostile):
    """An HTTPS policy host that misbehaves on cue. ``stage`` is where:
    ``handshake`` (before TLS), ``status``, ``headers``, ``body``."""

    policy = b"version: STSv1\r\nmode: enforce\r\nmx: *.fuzz.example\r\nmax_age: 86400\r\n"

    def handle(self, conn: _Conn, script: Script) -> None:
        if script.stage == "handshake" and script.mischief != "ok":
            self.misbehave(conn, script, b"220 x\r\n")
            return
        conn.sock.settimeout(1.0)
        conn.sock = self.context.wrap_socket(conn.sock, server_side=True)
        while True:  # the request head
            line = conn.readline()
            if line is None:
                return
            if line in (b"\r\n", b"\n"):
                break
        m = script.mischief
        if script.stage == "status" and m != "ok":
            if m == "endless":
                while conn.alive():
                    conn.write(b"HTTP/1.1 100 Continue\r\n\r\n" * 20)
                return
            self.misbehave(conn, script, b"HTTP/1.1 200 OK\r\n")
            return
        conn.write(b"HTTP/1.1 200 OK\r\n")
        if script.stage == "headers" and m != "ok":
            if m == "endless":
                while conn.alive():
                    conn.write(b"X-Pad: " + b"y" * 100 + b"\r\n")
                return
            if m == "garbage":
                conn.write(b"Content-Type: text/plain\r\nContent-Length: " + script.garbage
                           + b"\r\n\r\n" + self.policy)
                return
            self.misbehave(conn, script, b"Content-Type: text/plain\r\n")
            if m in ("reset", "close", "silence"):
                return
        conn.write(b"Content-Type: text/plain\r\n")
        if script.stage == "body" and m == "endless":
            conn.write(b"Transfer-Encoding: chunked\r\n\r\n")
            while conn.alive():
                conn.write(b"64\r\n" + b"y" * 100 + b"\r\n")
            return
        conn.write(f"Content-Length: {len(self.policy)}\r\n\r\n".encode())
        if script.stage == "body" and m != "ok":
            self.misbehave(conn, script, self.policy)
            return
        conn.write(self.policy)


# -- fixtures and helpers shared by the robustness tests -------------------------------

DOMAIN = "sts-enforce.example"
MX1, MX2 = "mx1.sts-enforce.example", "mx2.sts-enforce.example"
POLICY_HOST = "mta-sts." + DOMAIN
MESSAGE = b"Subject: hostile\r\n\r\nsecret words\r\n"


def _context(lab, host, tmp_path_factory) -> ssl.SSLContext:
    issued = lab.certificate(host)
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "c.pem").write_bytes(issued.chain_pem)
    (folder / "k.pem").write_bytes(issued.key_pem)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(folder / "c.pem", folder / "k.pem")
    return ctx


@pytest.fixture(scope="module")
def servers(session_lab, tmp_path_factory):
    """Two hostile MX hosts for sts-enforce.example and a hostile policy host."""
    made = {host: HostileSMTP(_context(session_lab, host, tmp_path_factory))
            for host in (MX1, MX2)}
    made[POLICY_HOST] = HostileHTTPS(_context(session_lab, POLICY_HOST, tmp_path_factory))
    yield made
    for s in made.values():
        s.stopping = True


def hostile_net(lab, servers, io_timeout=0.1):
    """The lab's network (real DNS), but the MX and policy hosts are the hostile
    servers, with short timeouts."""
    hosts = dict(lab.net.hosts)
    hosts[MX1] = Endpoint("127.0.0.1", smtp=servers[MX1].port)
    hosts[MX2] = Endpoint("127.0.0.1", smtp=servers[MX2].port)
    hosts[POLICY_HOST] = Endpoint("127.0.0.1", https=servers[POLICY_HOST].port)
    return replace(lab.net, hosts=MappingProxyType(hosts), io_timeout=io_timeout,
                   connect_timeout=1.0)


def script_all(servers, **kw):
    for host in (MX1, MX2):
        servers[host].reset(Script(**kw))


def enforcing_sender(lab, net) -> Sender:
    """An MTA-STS sender that already holds the domain's genuine enforce policy
    (fetched from the lab before the hostile servers took over)."""
    sender = Sender(net, "mta-sts")
    record = mtasts.lookup_record(DOMAIN, lab.net)
    policy = mtasts.fetch_policy(DOMAIN, lab.net)
    assert policy.mode == "enforce"
    sender.cache.update(DOMAIN, record.id, lambda: policy)
    return sender


