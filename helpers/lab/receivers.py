"""The lab's receiving MTAs: one aiosmtpd server per MX host, and their mailbox.

Each server greets as its host, offers STARTTLS (RFC 3207) with that host's
certificate unless configured not to, and keeps every message it accepts in a
shared :class:`Mailbox`, noting whether it arrived inside TLS and how.
"""

from __future__ import annotations

import asyncio
import html
import logging
import ssl
import threading
from dataclasses import dataclass

from aiosmtpd.smtp import SMTP

log = logging.getLogger("helpers.lab.smtp")


@dataclass(frozen=True)
class Received:
    """One message as the receiving MX host accepted it."""

    host: str
    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes
    tls: bool
    tls_version: str | None
    cipher: str | None

    @property
    def subject(self) -> str:
        for line in self.data.decode("utf-8", "replace").splitlines():
            if not line.strip():
                break
            if line.lower().startswith("subject:"):
                return line.split(":", 1)[1].strip()
        return ""

    def __str__(self) -> str:
        how = f"over {self.tls_version} ({self.cipher})" if self.tls else "IN THE CLEAR"
        return (f"{self.host}: from {self.mail_from} to {', '.join(self.rcpt_tos)}, "
                f"{len(self.data)} bytes, {how}; subject {self.subject!r}")

    def _repr_html_(self) -> str:
        return f"<code>{html.escape(str(self))}</code>"


class Mailbox:
    """Every message the lab's MX hosts accepted, oldest first (thread-safe)."""

    def __init__(self):
        self._messages: list[Received] = []
        self._cond = threading.Condition()

    def add(self, message: Received) -> None:
        with self._cond:
            self._messages.append(message)
            self._cond.notify_all()

    @property
    def messages(self) -> tuple[Received, ...]:
        with self._cond:
            return tuple(self._messages)

    def for_host(self, host: str) -> tuple[Received, ...]:
        host = host.rstrip(".").lower()
        return tuple(m for m in self.messages if m.host == host)

    def clear(self) -> None:
        with self._cond:
            self._messages.clear()

    def wait_for(self, count: int, timeout: float = 5.0) -> bool:
        """Wait until at least ``count`` messages are in; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: len(self._messages) >= count, timeout)

    def __len__(self) -> int:
        return len(self.messages)

    def __str__(self) -> str:
        if not self.messages:
            return "mailbox: empty"
        return "\n".join(["mailbox:"] + [f"  {m}" for m in self.messages])

    def _repr_html_(self) -> str:
        return "<pre>" + html.escape(str(self)) + "</pre>"


class _Handler:
    def __init__(self, host: str, mailbox: Mailbox):
        self.host, self.mailbox = host, mailbox

    async def handle_DATA(self, server, session, envelope):
        extra = session.ssl or {}
        ssl_object = extra.get("ssl_object")
        cipher = extra.get("cipher")
        self.mailbox.add(Received(
            host=self.host,
            mail_from=envelope.mail_from,
            rcpt_tos=tuple(envelope.rcpt_tos),
            data=envelope.original_content or envelope.content,
            tls=session.ssl is not None,
            tls_version=ssl_object.version() if ssl_object else None,
            cipher=cipher[0] if cipher else None,
        ))
        return "250 2.0.0 Ok: queued"


class _MXSMTP(SMTP):
    """aiosmtpd's server, minus the AUTH line it advertises after STARTTLS:
    an MX takes mail for its own domains and offers no AUTH (RFC 4954 is for
    submission), and a stray capability would only confuse the transcripts."""

    async def push(self, status: str) -> None:
        if status.startswith("250-AUTH"):
            return
        await super().push(status)


class Receiver:
    """One MX host's SMTP server. ``starttls``: none, optional or required."""

    def __init__(self, host: str, starttls: str, context: ssl.SSLContext | None,
                 mailbox: Mailbox):
        if starttls not in ("none", "optional", "required"):
            raise ValueError(f"starttls must be none, optional or required, not {starttls!r}")
        self.host, self.starttls = host, starttls
        self.context = None if starttls == "none" else context
        self.mailbox = mailbox
        self.port: int | None = None
        self._server = None

    def _protocol(self) -> SMTP:
        return _MXSMTP(
            _Handler(self.host, self.mailbox),
            hostname=self.host,
            ident="ESMTP lab",
            tls_context=self.context,
            require_starttls=self.starttls == "required",
            timeout=30,
            loop=asyncio.get_running_loop(),
        )

    async def start(self, address: str) -> None:
        self._server = await asyncio.get_running_loop().create_server(
            self._protocol, address, 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
