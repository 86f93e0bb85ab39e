"""The lab's HTTPS server for MTA-STS policy hosts (RFC 8461 §3.3).

One loopback port serves every ``mta-sts.<domain>`` host, as a virtual-hosting
web server does: the certificate is chosen from the TLS SNI name (a client that
sends no SNI gets a default certificate that names no lab host, RFC 8461 §7.1),
and the response from the HTTP Host header. Each host's answer is configurable
(status, redirect, Content-Type, delay, body) so the course can produce every
fetch failure. Each connection is its own task: a slow client blocks no one.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from dataclasses import dataclass, replace
from http import HTTPStatus

from .scenarios import PolicyHost

log = logging.getLogger("helpers.lab.https")

POLICY_PATH = "/.well-known/mta-sts.txt"
_MAX_HEADER = 16 * 1024
_CLIENT_TIMEOUT = 10.0


@dataclass(frozen=True)
class Site:
    """What one policy host serves: its TLS context and its HTTP answer."""

    context: ssl.SSLContext
    answer: PolicyHost
    policy: bytes


def _reason(status: int) -> str:
    """The reason phrase; any three-digit code is a status (RFC 9110 §15: a
    client treats an unknown one as the x00 of its class)."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unregistered Status"


class HTTPSServer:
    """Serves ``/.well-known/mta-sts.txt`` for many hosts on one port."""

    def __init__(self, default_context: ssl.SSLContext):
        self.sites: dict[str, Site] = {}
        self.requests: list[tuple[str, str, int]] = []  # (host, path, status)
        self.report_sinks: dict = {}  # host -> ReportSink (TLS-RPT POSTs, reportsink.py)
        self.port: int | None = None
        self._default = default_context
        self._default.sni_callback = self._sni
        self._server = None

    def _sni(self, sslobj, servername, _ctx):
        name = (servername or "").lower()
        site = self.sites.get(name) or self.report_sinks.get(name)
        if site is not None:
            sslobj.context = site.context
        return None

    def set_answer(self, host: str, **changes) -> None:
        """Change how ``host`` answers, e.g. ``status=404``, ``delay=90``,
        ``content_type="text/html"``, ``location="https://..."``, ``body=b"..."``."""
        site = self.sites[host]
        status = changes.get("status", site.answer.status)
        if not isinstance(status, int) or not 100 <= status <= 999:
            raise ValueError(f"status {status!r} is not an HTTP status code: three digits, "
                             "100 to 999 (RFC 9110 §15)")
        self.sites[host] = replace(site, answer=replace(site.answer, **changes))

    def set_policy(self, host: str, policy: bytes) -> None:
        self.sites[host] = replace(self.sites[host], policy=policy)

    async def start(self, address: str) -> None:
        self._server = await asyncio.start_server(
            self._client, address, 0, ssl=self._default,
            ssl_handshake_timeout=_CLIENT_TIMEOUT)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), _CLIENT_TIMEOUT)
            if not await self._to_report_sink(head, reader, writer):
                await self._respond(head, writer)
        except (asyncio.TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                ConnectionError, ssl.SSLError) as e:
            log.info("HTTPS client dropped: %s", type(e).__name__)
        except asyncio.CancelledError:
            pass  # the lab is stopping
        finally:
            writer.close()

    async def _respond(self, head: bytes, writer: asyncio.StreamWriter) -> None:
        lines = head[:_MAX_HEADER].decode("latin-1").split("\r\n")
        parts = lines[0].split()
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        host = headers.get("host", "").split(":")[0].lower()
        path = parts[1] if len(parts) == 3 else ""
        site = self.sites.get(host)
        if len(parts) != 3 or parts[0] not in ("GET", "HEAD"):
            status, ctype, body, extra = 400, "text/plain", b"bad request\n", {}
        elif site is None:
            status, ctype, body, extra = 421, "text/plain", b"no such host here\n", {}
        elif path != POLICY_PATH:
            status, ctype, body, extra = 404, "text/plain", b"not found\n", {}
        else:
            a = site.answer
            if a.delay:
                await asyncio.sleep(a.delay)
            status, ctype = a.status, a.content_type
            body = a.body if a.body is not None else site.policy
            extra = {"Location": a.location} if a.location else {}
            if a.status != 200 and a.body is None:
                body = f"{a.status} {_reason(a.status)}\n".encode()
        self.requests.append((host, path, status))
        reason = _reason(status)
        out = [f"HTTP/1.1 {status} {reason}", f"Content-Type: {ctype}",
               f"Content-Length: {len(body)}", "Connection: close"]
        out += [f"{k}: {v}" for k, v in extra.items()]
        writer.write(("\r\n".join(out) + "\r\n\r\n").encode("latin-1"))
        if parts and parts[0] != "HEAD":
            writer.write(body)
        await writer.drain()

    # -- TLS-RPT report hosts (RFC 8460 §5.4): requests to a host in
    # ``report_sinks`` go to its ReportSink; everything else is untouched.

    async def _to_report_sink(self, head: bytes, reader, writer) -> bool:
        lines = head[:_MAX_HEADER].decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        sink = self.report_sinks.get(headers.get("host", "").split(":")[0].lower())
        if sink is None:
            return False
        parts = lines[0].split()
        method, path = (parts[0], parts[1]) if len(parts) == 3 else ("", "")
        status, body = await sink.handle(method, path, headers, reader)
        self.requests.append((sink.host, path, status))
        writer.write((f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
                      f"Content-Type: text/plain\r\nContent-Length: {len(body)}\r\n"
                      "Connection: close\r\n\r\n").encode("latin-1") + body)
        await writer.drain()
        return True
