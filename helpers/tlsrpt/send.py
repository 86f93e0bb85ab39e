"""Delivering a report to each ``rua`` of the policy domain (RFC 8460 §5).

- ``mailto:``: an email (§5.3) with ``TLS-Report-Domain`` and
  ``TLS-Report-Submitter`` headers, the subject
  ``Report Domain: ... Submitter: ... Report-ID: ...``, a short text part, and
  the report as an ``application/tlsrpt+gzip`` attachment named as §5.3 says,
  inside ``multipart/report; report-type="tlsrpt"``; delivered to the mailbox
  domain's MX hosts in preference order.
- ``https:``: a POST of the gzip-compressed report with Content-Type
  ``application/tlsrpt+gzip`` (§5.4); any 2xx answer means it arrived.

Reports travel opportunistically: STARTTLS when offered, but no certificate
check and no MTA-STS or DANE for the report itself, since senders are to
deliver reports despite TLS failures (§5.3): a report about broken TLS must
still reach a domain whose TLS is broken. These sessions are not recorded, so
they do not show up in the next report. The mail is DKIM-signed by the
submitter's domain (§3) when the network holds its key (the lab does): a
report processor ignores unsigned reports (:mod:`helpers.tlsrpt.dkim`).
"""

from __future__ import annotations

import email.policy
import email.utils
import hashlib
import html
import http.client
import socket
import ssl
import time
import urllib.parse
from dataclasses import dataclass
from datetime import datetime
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

from .. import mtasts, smtp
from ..mtasts.fetch import _DeadlineSocket
from ..net import Network, NetworkError
from ..safetext import visible
from . import dkim
from .record import Record
from .report import MEDIA_GZIP, Report

POST_TIMEOUT = 30.0


@dataclass(frozen=True)
class Sent:
    """What happened to the report at one ``rua`` URI."""

    uri: str
    delivered: bool
    detail: str

    def __str__(self) -> str:
        return f"{self.uri}: {'delivered' if self.delivered else 'NOT delivered'} ({self.detail})"

    def _repr_html_(self) -> str:
        return f"<code>{html.escape(str(self))}</code>"


def report_email(report: Report, to: str, *, submitter: str, mail_from: str | None = None,
                 date: datetime | None = None) -> bytes:
    """The §5.3 email carrying ``report`` to ``to``; deterministic (the
    boundary and Message-ID derive from the report, the Date from ``date`` or
    the end of the report period)."""
    domain = report.domains[0] if report.domains else ""
    digest = hashlib.sha256(report.to_gzip()).hexdigest()
    msg = MIMEMultipart("report", boundary=f"tlsrpt-{digest[:24]}",
                        **{"report-type": "tlsrpt"})
    msg["From"] = mail_from or f"tlsrpt-noreply@{submitter}"
    msg["To"] = to
    msg["Date"] = email.utils.format_datetime(date or report.end)
    subject = f"Report Domain: {domain} Submitter: {submitter} Report-ID: <{report.report_id}>"
    msg["Subject"] = subject if subject.isascii() else Header(subject, "utf-8")
    msg["TLS-Report-Domain"] = domain
    msg["TLS-Report-Submitter"] = submitter
    msg["Message-ID"] = f"<{digest[:32]}@{submitter}>"
    msg.attach(MIMEText(
        f"This is an aggregate TLS report from {submitter} for {domain} (RFC 8460),\n"
        f"covering {report.start:%Y-%m-%d %H:%M} to {report.end:%Y-%m-%d %H:%M} UTC:\n"
        f"{report.successful} successful and {report.failed} failed sessions.\n"))
    filename = report.filename(submitter)
    part = MIMEApplication(report.to_gzip(), "tlsrpt+gzip", name=filename)
    part.add_header("Content-Disposition", "attachment", filename=filename)
    msg.attach(part)
    return msg.as_bytes(policy=email.policy.compat32.clone(linesep="\r\n"))  # SMTP wants CRLF


def _mail(report: Report, uri: str, address: str, net: Network, submitter: str,
          date: datetime | None) -> Sent:
    domain = address.rpartition("@")[2]
    hosts = mtasts.mx_hosts(domain, net)
    if not hosts:
        return Sent(uri, False, f"{domain} has no MX host")
    data = report_email(report, address, submitter=submitter, date=date)
    key = net.dkim_keys.get(submitter.rstrip(".").lower())
    if key is not None:
        data = dkim.sign(data, submitter, key)  # RFC 8460 §3: signed by the reporting domain
    errors = []
    for _, host in hosts:
        result = smtp.deliver(host, net, data, sender=f"tlsrpt-noreply@{submitter}",
                              recipients=[address], starttls=True, verify=False,
                              local_hostname=submitter)
        if result.accepted:
            tls = result.transcript.tls is not None
            unsigned = "" if key is not None else (f", but not DKIM-signed (no key for "
                                                   f"{submitter}): RFC 8460 §3 has receivers "
                                                   "ignore it")
            return Sent(uri, True, f"mailed to {host}{' over TLS' if tls else ' in the clear'}"
                                   f"{unsigned}")
        errors.append(f"{host}: {result.error}")
    return Sent(uri, False, "; ".join(errors))


def _post(report: Report, uri: str, net: Network, timeout: float) -> Sent:
    parts = urllib.parse.urlsplit(uri)
    host = (parts.hostname or "").lower()
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        address, port = net.https_endpoint(host)
        if parts.port and not net.is_lab:
            port = parts.port
    except NetworkError as e:
        return Sent(uri, False, f"cannot find {host}: {e}")
    body = report.to_gzip()
    deadline = time.monotonic() + timeout
    try:
        raw = socket.create_connection((address, port), timeout=min(timeout, net.connect_timeout))
    except OSError as e:
        return Sent(uri, False, f"cannot connect to {host}: {e}")
    try:
        # The handshake and sendall each wait at most the socket timeout in all;
        # the answer is read against the one deadline, however slowly it trickles.
        raw.settimeout(max(0.01, deadline - time.monotonic()))
        with net.ssl_context().wrap_socket(raw, server_hostname=host) as tls:
            tls.settimeout(max(0.01, deadline - time.monotonic()))
            tls.sendall(f"POST {path} HTTP/1.1\r\nHost: {host}\r\n"
                        f"Content-Type: {MEDIA_GZIP}\r\nContent-Length: {len(body)}\r\n"
                        "User-Agent: smtp-tls-course\r\nConnection: close\r\n\r\n".encode()
                        + body)
            response = http.client.HTTPResponse(_DeadlineSocket(tls, deadline))
            response.begin()
            response.read(4096)
            status, reason = response.status, visible(response.reason)[:100]
    except socket.timeout:
        return Sent(uri, False, f"{host} did not answer within {timeout:g} s")
    except ssl.SSLError as e:
        return Sent(uri, False, f"TLS with {host} failed: {e}")
    except (http.client.HTTPException, OSError) as e:
        return Sent(uri, False, f"bad HTTP answer from {host}: {e}")
    finally:
        raw.close()
    if 200 <= status < 300:
        return Sent(uri, True, f"POSTed, {host} answered {status} {reason}")
    return Sent(uri, False, f"{host} answered {status} {reason}")


def send_report(report: Report, record: Record, net: Network, *,
                submitter: str = "sender.example", date: datetime | None = None,
                timeout: float | None = None) -> tuple[Sent, ...]:
    """Deliver ``report`` to every ``rua`` URI of ``record`` (§5.3, §5.4);
    one :class:`Sent` per URI. Nothing is raised for a failed delivery: the
    result says what went wrong."""
    limit = timeout if timeout is not None else min(POST_TIMEOUT, net.io_timeout * 2)
    mailboxes = iter(record.mailto)  # the mailto: URIs' addresses, in their order in rua
    results = []
    for uri in record.rua:  # in the published order, one result per URI
        if uri in record.https:
            results.append(_post(report, uri, net, limit))
        elif uri.lower().startswith("mailto:"):
            results.append(_mail(report, uri, next(mailboxes), net, submitter, date))
        else:
            results.append(Sent(uri, False, f"scheme {uri.split(':', 1)[0].lower()!r} is not "
                                "mailto or https (RFC 8460 §3)"))
    return tuple(results)
