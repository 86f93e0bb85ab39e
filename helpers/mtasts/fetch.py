"""MTA-STS over the network: the TXT record, the policy fetch (RFC 8461 §3.3),
and discovery of what a domain publishes. All I/O goes through a Network."""

from __future__ import annotations

import html
import http.client
import io
import re
import socket
import ssl
import time
from dataclasses import dataclass

import dns.exception
import dns.message
import dns.rcode
import dns.resolver

from ..net import Network, NetworkError
from ..safetext import visible
from .parse import MtaStsError, Policy, StsRecord, parse_policy, parse_txt

POLICY_PATH = "/.well-known/mta-sts.txt"
MAX_BYTES = 64 * 1024  # the usual cap; RFC 8461 §3.3 asks senders to bound it
FETCH_TIMEOUT = 60.0  # §3.3 suggests about a minute


class FetchError(MtaStsError):
    """A policy that could not be fetched; ``kind`` names the failure:
    ``connect``, ``timeout``, ``tls-untrusted``, ``tls-name``, ``tls``, ``redirect``,
    ``http-status``, ``content-type``, ``too-large``, ``http``, ``invalid``."""

    def __init__(self, kind: str, message: str, rule: str = "§3.3"):
        super().__init__(message, rule=rule)
        self.kind = kind

    @property
    def tlsrpt_result_type(self) -> str:
        """The TLS-RPT result type a sender reports for it (RFC 8460 §4.3)."""
        if self.kind in ("tls-untrusted", "tls-name", "tls"):
            return "sts-webpki-invalid"
        if self.kind == "invalid":
            return "sts-policy-invalid"
        return "sts-policy-fetch-error"


def lookup_record(domain: str, net: Network) -> StsRecord:
    """The ``_mta-sts.<domain>`` TXT record, parsed (§3.1); MtaStsError if none."""
    name = f"_mta-sts.{domain.rstrip('.')}"
    try:
        answer = net.resolver().resolve(name, "TXT")
    except dns.resolver.NXDOMAIN:
        raise MtaStsError(f"{name} does not exist", rule="§3.1") from None
    except dns.resolver.NoAnswer:
        raise MtaStsError(f"{name} has no TXT record", rule="§3.1") from None
    except dns.exception.DNSException as e:
        raise MtaStsError(f"cannot look up {name}: {e}", rule="§3.1") from None
    return parse_txt(list(answer))


def _tls_error(e: ssl.SSLError, host: str) -> FetchError:
    if isinstance(e, ssl.SSLCertVerificationError):
        if "Hostname mismatch" in (e.verify_message or "") or "match" in str(e).lower():
            return FetchError("tls-name", f"the certificate of {host} is not valid for "
                              "that name")
        return FetchError("tls-untrusted", f"the certificate of {host} does not chain to a "
                          f"trusted CA ({e.verify_message})")
    return FetchError("tls", f"TLS with {host} failed: {e}")


class _DeadlineReader(io.RawIOBase):
    """A socket's input that waits, at each read, only until ``deadline``: one
    overall limit from connect to the last byte, which a server trickling a
    byte at a time cannot stretch (a per-read timeout would restart each time)."""

    def __init__(self, sock: socket.socket, deadline: float):
        self.sock, self.deadline = sock, deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise socket.timeout("deadline passed")
        self.sock.settimeout(left)
        return self.sock.recv_into(buffer)


class _DeadlineSocket:
    """What ``http.client.HTTPResponse`` needs of a socket: ``makefile``."""

    def __init__(self, sock: socket.socket, deadline: float):
        self.sock, self.deadline = sock, deadline

    def makefile(self, mode: str = "rb", *args, **kwargs):
        return io.BufferedReader(_DeadlineReader(self.sock, self.deadline))


_ASCII_DIGITS = re.compile(r"[0-9]+")  # HTTP numbers (RFC 9110 §8.6): DIGIT is ASCII only


def fetch_policy(domain: str, net: Network, *, timeout: float | None = None,
                 max_bytes: int = MAX_BYTES) -> Policy:
    """Fetch and parse ``https://mta-sts.<domain>/.well-known/mta-sts.txt`` (§3.3).

    SNI and a certificate valid for ``mta-sts.<domain>`` that chains to the
    network's trust store; HTTP 200 only; redirects are not followed;
    Content-Type ``text/plain`` (parameters allowed); at most ``max_bytes``;
    at most ``timeout`` seconds in all, from connect to the last byte of the
    body (default: twice the network's I/O timeout, at most a minute), however
    slowly the server sends. Each failure is a :class:`FetchError`; no other
    exception escapes, whatever the server sends.
    """
    host = "mta-sts." + domain.rstrip(".").lower()
    limit = timeout if timeout is not None else min(FETCH_TIMEOUT, net.io_timeout * 2)
    try:
        limit = net.time_left(limit)  # the network's overall deadline may be nearer
    except NetworkError:
        raise FetchError("timeout", f"no time left to fetch the policy of {domain}") from None
    deadline = time.monotonic() + limit
    try:
        address, port = net.https_endpoint(host)
    except NetworkError as e:
        raise FetchError("connect", f"cannot find {host}: {e}") from None
    try:
        raw = socket.create_connection((address, port),
                                       timeout=max(0.01, min(limit, net.connect_timeout)))
    except socket.timeout:
        raise FetchError("timeout", f"connecting to {host} timed out") from None
    except OSError as e:
        raise FetchError("connect", f"cannot connect to {host}: {e}") from None
    try:
        # The handshake and sendall each wait at most the socket timeout in all.
        raw.settimeout(max(0.01, deadline - time.monotonic()))
        with net.ssl_context().wrap_socket(raw, server_hostname=host) as tls:
            tls.settimeout(max(0.01, deadline - time.monotonic()))
            tls.sendall(f"GET {POLICY_PATH} HTTP/1.1\r\nHost: {host}\r\n"
                        "User-Agent: smtp-tls-course\r\nConnection: close\r\n\r\n".encode())
            response = http.client.HTTPResponse(_DeadlineSocket(tls, deadline))
            response.begin()
            status = response.status
            if 300 <= status < 400:
                where = response.getheader("Location", "nowhere")
                raise FetchError("redirect", f"{host} answered {status}, a redirect to "
                                 f"{where!r}: redirects must not be followed")
            if status != 200:
                raise FetchError("http-status", f"{host} answered HTTP {status} "
                                 f"{visible(response.reason)[:100]}: only 200 counts")
            ctype = response.getheader("Content-Type", "")
            if ctype.split(";")[0].strip().lower() != "text/plain":
                # §3.2 says the policy SHOULD be text/plain; this sender, like
                # most, treats anything else as a failed fetch.
                raise FetchError("content-type", f"Content-Type is {ctype or 'missing'!r}, "
                                 "not text/plain (a SHOULD; this sender insists)", rule="§3.2")
            length = (response.getheader("Content-Length") or "").strip()
            if length and not _ASCII_DIGITS.fullmatch(length):
                raise FetchError("http", f"Content-Length {length[:40]!r} is not a number "
                                 "of ASCII digits (RFC 9110 §8.6)")
            if length and int(length) > max_bytes:
                raise FetchError("too-large", f"the policy is {length} bytes; this sender's "
                                 f"limit is {max_bytes}, the cap §3.3 suggests")
            body = b""
            while len(body) <= max_bytes:
                chunk = response.read(min(16384, max_bytes + 1 - len(body)))
                if not chunk:
                    break
                body += chunk
            if len(body) > max_bytes:
                raise FetchError("too-large", f"the policy is over {max_bytes} bytes, this sender's "
                                 "limit (§3.3 suggests such a cap)")
    except FetchError:
        raise
    except socket.timeout:
        raise FetchError("timeout", f"{host} did not answer within {limit:g} s") from None
    except ssl.SSLError as e:
        raise _tls_error(e, host) from None
    except (http.client.HTTPException, OSError, ValueError) as e:
        # ValueError: what http.client lets through for some malformed answers.
        raise FetchError("http", f"bad HTTP answer from {host}: "
                         f"{visible(str(e))[:200] or type(e).__name__}") from None
    finally:
        raw.close()
    try:
        return parse_policy(body)
    except MtaStsError as e:
        raise FetchError("invalid", f"the policy from {host} is invalid: {e.problem}",
                         rule=e.rule) from None


@dataclass(frozen=True)
class Discovery:
    """What a domain publishes for MTA-STS, and what it means for its MX hosts."""

    domain: str
    record: StsRecord | None
    record_error: str | None
    policy: Policy | None
    policy_error: str | None
    mx: tuple[tuple[int, str, bool | None], ...]  # (preference, host, allowed?)

    @property
    def verdict(self) -> str:
        if self.record is None:
            return "no MTA-STS: no valid _mta-sts record"
        if self.policy is None:
            return "MTA-STS announced, but no valid policy could be fetched"
        if self.policy.mode == "none":
            return "MTA-STS switched off (mode none)"
        bad = [h for _, h, ok in self.mx if not ok]
        if bad:
            return f"mode {self.policy.mode}; MX not allowed by the policy: {', '.join(bad)}"
        return f"mode {self.policy.mode}; every MX is allowed by the policy"

    def __str__(self) -> str:
        lines = [f"{self.domain}: {self.verdict}"]
        lines.append(f"  record: {self.record.text if self.record else self.record_error}")
        policy = (str(self.policy).replace("\n", "\n          ") if self.policy
                  else self.policy_error or "not fetched (no record)")
        lines.append(f"  policy: {policy}")
        for pref, host, ok in self.mx:
            mark = {True: "allowed", False: "NOT allowed", None: "-"}[ok]
            lines.append(f"  MX {pref:>3} {host:<34} {mark}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{pref}</td><td><code>{html.escape(host)}</code></td>"
            f"<td>{ {True: 'allowed', False: '<b>not allowed</b>', None: '-'}[ok]}</td></tr>"
            for pref, host, ok in self.mx)
        record = (f"<code>{html.escape(self.record.text)}</code>" if self.record
                  else html.escape(str(self.record_error)))
        policy = (self.policy._repr_html_() if self.policy
                  else html.escape(self.policy_error or "not fetched (no record)"))
        return (f"<p><b>{html.escape(self.domain)}</b>: {html.escape(self.verdict)}</p>"
                f"<p>record: {record}</p><div>policy: {policy}</div>"
                f"<table><tr><th>preference</th><th>MX host</th><th>policy</th></tr>"
                f"{rows}</table>")


def mx_hosts(domain: str, net: Network) -> tuple[tuple[int, str], ...]:
    """The domain's MX hosts, in preference order (RFC 5321 §5.1); empty when the
    domain has none (NXDOMAIN or no MX records). A failed lookup (SERVFAIL, a
    timeout, an answer that does not parse) is not "no MX": it raises
    :class:`~helpers.net.NetworkError` saying what happened, so a sender defers
    (a temporary failure, RFC 5321 §5.1) instead of giving up on the domain."""
    try:
        answer = net.resolver().resolve(domain, "MX")
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return ()
    except dns.resolver.NoNameservers as e:
        answers = [err[4] for err in e.kwargs.get("errors", ()) if len(err) > 4]
        rcodes = sorted({dns.rcode.to_text(r.rcode()) for r in answers
                         if isinstance(r, dns.message.Message)}) or ["no usable answer"]
        raise NetworkError(f"the MX lookup of {domain} failed: {', '.join(rcodes)} "
                           "(a temporary failure, not 'no MX records')") from None
    except dns.exception.Timeout:
        raise NetworkError(f"the MX lookup of {domain} timed out after {net.dns_timeout} s "
                           "(a temporary failure, not 'no MX records')") from None
    except dns.exception.DNSException as e:
        raise NetworkError(f"the MX lookup of {domain} failed: {e} "
                           "(a temporary failure, not 'no MX records')") from None
    return tuple(sorted((r.preference, r.exchange.to_text().rstrip(".").lower())
                        for r in answer))


def discover(domain: str, net: Network, *, timeout: float | None = None) -> Discovery:
    """The record, the policy (or why none), and which MX hosts it allows."""
    record = policy = None
    record_error = policy_error = None
    try:
        record = lookup_record(domain, net)
    except MtaStsError as e:
        record_error = str(e)
    if record is not None:
        try:
            policy = fetch_policy(domain, net, timeout=timeout)
        except MtaStsError as e:
            policy_error = str(e)
    mx = tuple((pref, host, policy.matches(host) if policy and policy.mode != "none" else None)
               for pref, host in mx_hosts(domain, net))
    return Discovery(domain.rstrip(".").lower(), record, record_error, policy, policy_error, mx)
