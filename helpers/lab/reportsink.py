"""The lab's HTTPS endpoint for TLS reports (RFC 8460 §5.4).

A report host (``reports.example.com``) shares the lab's HTTPS port with the
policy hosts: its certificate is chosen by SNI like theirs. It takes
``POST`` requests with a ``application/tlsrpt+gzip`` (or ``+json``) body and
keeps each one, so the course can read what arrived. Mailed reports need no
code of their own: they land in the lab mailbox like any message.
"""

from __future__ import annotations

import asyncio
import ssl
import threading
from dataclasses import dataclass

MAX_BODY = 1024 * 1024
MEDIA_TYPES = ("application/tlsrpt+gzip", "application/tlsrpt+json")


@dataclass(frozen=True)
class Posted:
    """One report POSTed to the lab."""

    host: str
    path: str
    content_type: str
    body: bytes
    status: int


class ReportSink:
    """Accepts report POSTs for one host and keeps them (thread-safe)."""

    def __init__(self, host: str, context: ssl.SSLContext, path: str = "/tlsrpt"):
        self.host, self.context, self.path = host, context, path
        self._posted: list[Posted] = []
        self._lock = threading.Lock()

    @property
    def uri(self) -> str:
        return f"https://{self.host}{self.path}"

    @property
    def posted(self) -> tuple[Posted, ...]:
        with self._lock:
            return tuple(self._posted)

    @property
    def reports(self) -> tuple[bytes, ...]:
        """The bodies of the POSTs that were accepted."""
        return tuple(p.body for p in self.posted if p.status == 200)

    def clear(self) -> None:
        with self._lock:
            self._posted.clear()

    async def handle(self, method: str, path: str, headers: dict[str, str],
                     reader: asyncio.StreamReader) -> tuple[int, bytes]:
        """Status and body to answer ``method path`` with."""
        ctype = headers.get("content-type", "").split(";")[0].strip().lower()
        length = headers.get("content-length", "")
        if method != "POST":
            return 405, b"reports are POSTed here (RFC 8460 section 5.4)\n"
        if path != self.path:
            return 404, b"not found\n"
        if not (length.isascii() and length.isdigit()):  # RFC 9110 §8.6: ASCII DIGITs
            return 411, b"Content-Length required\n"
        if int(length) > MAX_BODY:
            return 413, b"report too large\n"
        body = await asyncio.wait_for(reader.readexactly(int(length)), 10)
        status = 200 if ctype in MEDIA_TYPES else 415
        with self._lock:
            self._posted.append(Posted(self.host, path, ctype, body, status))
        return status, (b"report received\n" if status == 200
                        else b"Content-Type must be application/tlsrpt+gzip or +json\n")
