"""An SMTP client session that records the wire (RFC 5321, STARTTLS: RFC 3207).

:class:`RecordingSMTP` is the standard library's ``smtplib.SMTP``, connected
through a :class:`~helpers.net.Network` and keeping a :class:`Transcript`: every
line in each direction, its exact bytes, and whether it travelled in the clear
or inside TLS, plus the TLS details (version, cipher, certificate chain).

``deliver()`` sends one message and ``probe()`` only looks (EHLO, STARTTLS,
EHLO, QUIT: it never sends mail, so it is safe against servers you do not run).

Servers may be hostile, so a session is bounded: one overall deadline from
connect to the last byte (not a timeout per read, which a server sending one
byte a second would never trip), at most :data:`MAX_REPLY_LINES` lines and
:data:`MAX_REPLY_BYTES` bytes in one reply (RFC 5321 §4.5.3.1.5 bounds a reply
line at 512 octets but sets no count), and a transcript of at most
:data:`MAX_TRANSCRIPT_LINES` lines and :data:`MAX_TRANSCRIPT_BYTES` bytes. Text
from the server is shown with control characters escaped
(:func:`helpers.safetext.visible`).
"""

from __future__ import annotations

import _ssl
import html
import smtplib
import socket
import ssl
import time
from dataclasses import dataclass, field

from cryptography import x509

from .certnames import common_name
from .net import Network, NetworkError
from .safetext import visible

CLIENT, SERVER = "client", "server"

#: Bounds on what a server can make the client read and keep (see the module doc).
MAX_REPLY_LINES = 100
MAX_REPLY_BYTES = 64 * 1024
MAX_TRANSCRIPT_LINES = 2000
MAX_TRANSCRIPT_BYTES = 1024 * 1024
#: Default overall deadline of a session, as a multiple of the network's I/O timeout.
SESSION_TIMEOUTS = 3


def session_timeout(net: Network) -> float:
    """The default deadline of one SMTP session over ``net``, connect to last byte."""
    return SESSION_TIMEOUTS * net.io_timeout


class ReplyTooLong(smtplib.SMTPException):
    """The server's reply went past :data:`MAX_REPLY_LINES` or :data:`MAX_REPLY_BYTES`:
    the client stops reading and closes the connection."""


@dataclass(frozen=True)
class Line:
    """One line on the wire: who sent it, its exact bytes, and whether it was
    inside TLS (``encrypted``) or readable by anyone on the path."""

    sender: str
    data: bytes
    encrypted: bool
    note: str = ""

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", "replace").rstrip("\r\n")

    @property
    def shown(self) -> str:
        """``text`` with control characters, ANSI escapes and bidi overrides
        escaped, safe to print in a terminal or a notebook."""
        return visible(self.text)




@dataclass(frozen=True)
class TLSDetails:
    """What the TLS handshake settled: protocol, cipher, the server's chain
    (leaf first, as sent), and whether the client verified it for ``server_name``."""

    version: str
    cipher: str
    bits: int
    server_name: str
    verified: bool
    chain: tuple[x509.Certificate, ...]

    def __str__(self) -> str:
        leaf = self.chain[0] if self.chain else None
        who = (f"certificate {visible(common_name(leaf))} issued by "
               f"{visible(common_name(leaf, 'issuer'))}"
               if leaf is not None else "no certificate")
        check = ("verified for " + self.server_name) if self.verified else "NOT verified"
        return f"{self.version}, {self.cipher} ({self.bits}-bit); {who}; {check}"


@dataclass(frozen=True)
class Transcript:
    """Everything that crossed the wire in one SMTP session, in order."""

    host: str
    lines: tuple[Line, ...]
    tls: TLSDetails | None = None
    tls_starts_at: int | None = None  # index of the first line inside TLS
    # Lines not kept once the transcript reached its bounds (shown by __str__
    # and _repr_html_; left out of repr, which notebooks store as text/plain).
    omitted: int = field(default=0, repr=False)

    def replies(self, verb: str) -> tuple[bytes, ...]:
        """The server's whole reply (all its lines) to each ``verb`` command sent."""
        out, current, collecting = [], b"", False
        for line in self.lines:
            if line.sender == CLIENT:
                if collecting and current:
                    out.append(current)
                current, collecting = b"", line.text.split(" ", 1)[0].upper() == verb.upper()
            elif collecting:
                current += line.data
        if collecting and current:
            out.append(current)
        return tuple(out)

    def readable(self) -> tuple[Line, ...]:
        """The lines a passive eavesdropper could read (those not inside TLS)."""
        return tuple(line for line in self.lines if not line.encrypted)

    def __str__(self) -> str:
        out = [f"SMTP session with {visible(self.host)}"]
        for i, line in enumerate(self.lines):
            if i == self.tls_starts_at:
                out.append(f"      === TLS handshake: {self.tls} ===")
            arrow = "C:" if line.sender == CLIENT else "S:"
            where = "TLS  " if line.encrypted else "CLEAR"
            note = f"   <- {line.note}" if line.note else ""
            out.append(f"{i:>3} {where} {arrow} {line.shown}{note}")
        if self.omitted:
            out.append(f"    ... {self.omitted} more lines not kept (transcript bound)")
        return "\n".join(out)

    def _repr_html_(self) -> str:
        rows = []
        for i, line in enumerate(self.lines):
            if i == self.tls_starts_at:
                rows.append(f'<tr><td colspan="5" style="background:#dde8f5;text-align:center">'
                            f"TLS handshake: {html.escape(str(self.tls))}</td></tr>")
            colour = "#e6f4e6" if line.encrypted else "#fde8e0"
            rows.append(
                f'<tr style="background:{colour}"><td>{i}</td>'
                f"<td>{'in TLS' if line.encrypted else 'in the clear'}</td>"
                f"<td>{'client' if line.sender == CLIENT else 'server'}</td>"
                f'<td style="text-align:left"><code>{html.escape(line.shown)}</code></td>'
                f'<td style="text-align:left">{html.escape(line.note)}</td></tr>')
        more = (f"<p>... {self.omitted} more lines not kept (transcript bound)</p>"
                if self.omitted else "")
        return (f"<p>SMTP session with <code>{html.escape(visible(self.host))}</code></p>"
                "<table><tr><th>#</th><th>travelled</th><th>from</th><th>bytes</th>"
                f"<th>what it is</th></tr>{''.join(rows)}</table>{more}")


class _RecordingFile:
    """smtplib's reply stream, read straight from the socket so that every
    read waits only until the session's deadline; each line read is recorded,
    and one reply may not pass the reply bounds."""

    def __init__(self, session: "RecordingSMTP"):
        self.session = session
        self.buffer = b""

    def readline(self, size: int = -1) -> bytes:
        session = self.session
        limit = size if size is not None and size >= 0 else MAX_REPLY_BYTES + 1
        while b"\n" not in self.buffer[:limit] and len(self.buffer) < limit:
            chunk = session._recv(limit - len(self.buffer))
            if not chunk:
                break
            self.buffer += chunk
        end = self.buffer.find(b"\n", 0, limit)
        end = limit if end < 0 else end + 1
        line, self.buffer = self.buffer[:end], self.buffer[end:]
        if line:
            session._reply_lines += 1
            session._reply_bytes += len(line)
            session._record(SERVER, line)
            if (session._reply_lines > MAX_REPLY_LINES
                    or session._reply_bytes > MAX_REPLY_BYTES):
                session.close()
                raise ReplyTooLong(
                    f"the server's reply went past {MAX_REPLY_LINES} lines or "
                    f"{MAX_REPLY_BYTES} bytes; stopped reading")
        return line

    def close(self) -> None:
        self.buffer = b""


def _chain_der(sock: ssl.SSLSocket) -> list[bytes]:
    """The certificates the server sent, leaf first, DER. Python 3.13 made this
    public (as DER bytes); 3.11 and 3.12 have it on the private SSL object."""
    if hasattr(sock, "get_unverified_chain"):
        return list(sock.get_unverified_chain())
    return [c.public_bytes(_ssl.ENCODING_DER) for c in sock._sslobj.get_unverified_chain()]


class RecordingSMTP(smtplib.SMTP):
    """``smtplib.SMTP`` that connects through ``net`` and records the wire.

    ``host`` is the MX host name: the network says where it listens, and TLS
    certificates are checked against it. ``timeout`` is the session's overall
    deadline in seconds, from connect to the last byte (default
    :func:`session_timeout`): each read, write and the TLS handshake waits only
    for what is left of it, so a server sending a byte at a time cannot stretch
    the session. A reply longer than the bounds raises :class:`ReplyTooLong`.
    """

    def __init__(self, host: str, net: Network, *, local_hostname: str = "sender.example",
                 timeout: float | None = None):
        self.net = net
        self._lines: list[Line] = []
        self._kept_bytes = 0
        self._omitted = 0
        self._tls: TLSDetails | None = None
        self._tls_at: int | None = None
        self._reply_lines = self._reply_bytes = 0
        self.session_timeout = timeout if timeout is not None else session_timeout(net)
        self._deadline = time.monotonic() + self.session_timeout
        if net.deadline is not None:  # the caller's overall budget ends first
            self._deadline = min(self._deadline, net.deadline)
        super().__init__(local_hostname=local_hostname, timeout=self.session_timeout)
        self.connect(host)

    # -- the deadline -----------------------------------------------------------

    def _remaining(self) -> float:
        """Seconds left before the session's deadline; TimeoutError once it passed."""
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"the SMTP session with {visible(self._host)} went past its "
                               f"deadline of {self.session_timeout:g} s")
        return left

    def _recv(self, size: int) -> bytes:
        if self.sock is None:
            raise smtplib.SMTPServerDisconnected("the connection is closed")
        self.sock.settimeout(self._remaining())
        try:
            return self.sock.recv(min(size, 65536))
        except socket.timeout:
            self._remaining()  # the deadline's message, when that is what ran out
            raise

    # -- wiring into smtplib ------------------------------------------------------

    def _get_socket(self, host, port, timeout):
        address, port = self.net.smtp_endpoint(host)
        try:  # the network's connect timeout, but never past the session's deadline
            sock = socket.create_connection(
                (address, port), timeout=min(self.net.connect_timeout, self._remaining()))
        except OSError as e:
            raise NetworkError(f"cannot connect to {address} port {port}: {e}") from e
        sock.settimeout(self._remaining())
        return sock

    def connect(self, host="localhost", port=0, source_address=None):
        self._host = host
        return super().connect(host, 25 if port == 0 else port, source_address)

    def getreply(self):
        if self.file is None and self.sock is not None:
            self.file = _RecordingFile(self)
        self._reply_lines = self._reply_bytes = 0
        return super().getreply()

    def send(self, s):
        data = s.encode("ascii") if isinstance(s, str) else s
        for line in data.splitlines(keepends=True):
            self._record(CLIENT, line)
        if self.sock is not None:
            # sendall waits at most the socket timeout for the whole call.
            self.sock.settimeout(self._remaining())
        super().send(s)

    def starttls(self, *, context: ssl.SSLContext | None = None):
        context = context or self.net.ssl_context()
        reply = super().starttls(context=context)
        sock = self.sock
        cipher, _, bits = sock.cipher()
        self._tls = TLSDetails(
            version=sock.version(), cipher=cipher, bits=bits, server_name=self._host,
            verified=context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname,
            chain=tuple(x509.load_der_x509_certificate(der) for der in _chain_der(sock)))
        self._tls_at = len(self._lines)
        return reply

    def _record(self, sender: str, data: bytes) -> None:
        if (len(self._lines) >= MAX_TRANSCRIPT_LINES
                or self._kept_bytes + len(data) > MAX_TRANSCRIPT_BYTES):
            self._omitted += 1
            return
        encrypted = isinstance(self.sock, ssl.SSLSocket)
        self._lines.append(Line(sender, data, encrypted))
        self._kept_bytes += len(data)

    # -- results ----------------------------------------------------------------

    @property
    def transcript(self) -> Transcript:
        return Transcript(self._host, tuple(annotate(self._lines)), self._tls, self._tls_at,
                          self._omitted)


def annotate(lines: list[Line]) -> list[Line]:
    """Say what each line is, in a few words (RFC 5321 §4.1, RFC 3207 §4)."""
    out: list[Line] = []
    last_command = ""
    seen_ehlo_tls = {False: 0, True: 0}
    in_data = False
    for line in lines:
        text = line.text
        upper = text.upper()
        note = ""
        if line.sender == CLIENT:
            if in_data:
                note = "end of message" if text == "." else "message content"
                in_data = text != "."
            else:
                verb = upper.split(" ", 1)[0]
                last_command = verb
                note = {
                    "EHLO": ("client greets, asks for the extensions" if not line.encrypted
                             else "EHLO again, inside TLS: the first list is forgotten (RFC 3207 §4.2)"),
                    "HELO": "client greets (no extensions)",
                    "STARTTLS": "client asks to switch to TLS",
                    "MAIL": "envelope sender",
                    "RCPT": "envelope recipient",
                    "DATA": "client will send the message",
                    "QUIT": "client says goodbye",
                    "NOOP": "no operation",
                }.get(verb, "")
        else:
            code, more = text[:3], text[3:4] == "-"
            if not out or (last_command == "" and code == "220"):
                note = "greeting"
            elif last_command in ("EHLO", "HELO"):
                first = seen_ehlo_tls[line.encrypted] == 0
                seen_ehlo_tls[line.encrypted] += 1
                if first:
                    note = "server names itself"
                elif "STARTTLS" in upper[4:].split():
                    note = "the STARTTLS capability: TLS is offered"
                else:
                    note = "capability"
                if not more:
                    seen_ehlo_tls[line.encrypted] = 0
            elif last_command == "STARTTLS":
                note = ("ready: the TLS handshake follows" if code == "220"
                        else "STARTTLS refused")
            elif last_command == "DATA" and code == "354":
                note = "go ahead, end with a lone '.'"
                in_data = True
            elif last_command == "DATA":
                note = "message accepted" if code.startswith("2") else "message refused"
            elif last_command == "QUIT":
                note = "server closes the connection"
            elif code.startswith("2"):
                note = "OK"
            elif code.startswith("4"):
                note = "temporary failure"
            elif code.startswith("5"):
                note = "permanent failure"
        out.append(Line(line.sender, line.data, line.encrypted, note))
    return out


@dataclass(frozen=True)
class Delivery:
    """The result of ``deliver()``: accepted or not, why, and the transcript."""

    accepted: bool
    transcript: Transcript
    error: str | None = None

    def __str__(self) -> str:
        head = "accepted" if self.accepted else f"not delivered: {self.error}"
        return f"{head}\n{self.transcript}"

    def _repr_html_(self) -> str:
        head = "accepted" if self.accepted else f"not delivered: {self.error}"
        return f"<p><b>{html.escape(head)}</b></p>" + self.transcript._repr_html_()


def deliver(host: str, net: Network, message: bytes | str, *, sender: str,
            recipients: list[str], starttls: bool = True, verify: bool = True,
            local_hostname: str = "sender.example", timeout: float | None = None) -> Delivery:
    """Send ``message`` to MX ``host`` and keep the transcript.

    ``starttls``: upgrade to TLS when offered (RFC 3207); ``verify``: check the
    certificate against ``host`` and the network's trust store. ``timeout``:
    seconds for the whole session, from connect to the last byte (default
    :func:`session_timeout`). Once the server has answered 2xx to the end of
    the data, the message is delivered (RFC 5321 §4.1.1.4, §6.1), whatever
    happens to QUIT. Errors are reported in the result (``accepted=False``),
    never raised.
    """
    if isinstance(message, str):
        message = message.encode("utf-8")
    return _session(host, net, local_hostname, starttls, verify, timeout,
                    lambda client: client.sendmail(sender, recipients, message))


def probe(host: str, net: Network, *, verify: bool = True,
          local_hostname: str = "sender.example", timeout: float | None = None) -> Delivery:
    """Look at ``host`` without sending mail: EHLO, STARTTLS (if offered), EHLO,
    QUIT, all within ``timeout`` seconds (default :func:`session_timeout`)."""
    return _session(host, net, local_hostname, True, verify, timeout, lambda client: None)


def _session(host, net, local_hostname, starttls, verify, timeout, middle) -> Delivery:
    """EHLO, STARTTLS if offered and wanted, EHLO again, ``middle``, QUIT."""
    client = None
    try:
        client = RecordingSMTP(host, net, local_hostname=local_hostname, timeout=timeout)
        client.ehlo()
        if starttls and client.has_extn("starttls"):
            client.starttls(context=net.ssl_context(verify=verify))
            client.ehlo()
        middle(client)
    except (smtplib.SMTPException, OSError, NetworkError) as e:
        if client is not None:
            client.close()
        return Delivery(False, client.transcript if client else Transcript(host, ()),
                        _explain(e))
    except BaseException:
        if client is not None:
            client.close()
        raise
    quit_politely(client)
    return Delivery(True, client.transcript)


def quit_politely(client: smtplib.SMTP) -> None:
    """QUIT after the work is done; a server that then fails changes nothing
    (RFC 5321 §4.1.1.10: the session's transactions are already complete)."""
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()


def _explain(e: Exception) -> str:
    """What went wrong, with the server's words escaped (they are untrusted)."""
    if isinstance(e, ssl.SSLCertVerificationError):
        return f"certificate check failed: {visible(str(e.verify_message))}"
    if isinstance(e, smtplib.SMTPResponseException):
        said = e.smtp_error
        if isinstance(said, bytes):  # smtplib's own errors ("Line too long.") are str
            said = said.decode("utf-8", "replace")
        return f"server answered {e.smtp_code} {visible(str(said))}"
    return visible(str(e) or type(e).__name__)


def parse_ehlo(reply: bytes | str) -> dict[str, list[str]]:
    """Capabilities in an EHLO reply (RFC 5321 §4.1.1.1): keyword (upper case)
    to its parameters. The first line names the server and is not a capability."""
    if isinstance(reply, bytes):
        reply = reply.decode("ascii", "replace")
    caps: dict[str, list[str]] = {}
    for line in reply.splitlines()[1:]:
        words = line[4:].split()
        if words:
            caps[words[0].upper()] = words[1:]
    return caps
