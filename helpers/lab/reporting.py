"""TLS reporting in the lab (RFC 8460): where reports arrive, who signs them.

:class:`Reporting` holds the :class:`~helpers.lab.Lab` methods that start the
HTTPS report endpoint (RFC 8460 §5.4; mailed reports, §5.3, land in the
lab's mailbox), make an MX host's certificate change (the failures a report
counts), undo both on ``reset()``, and publish a signed zone with a DKIM key
for each domain that mails reports in the lab (RFC 8460 §3, RFC 6376 §3.6).
"""

from __future__ import annotations

from dataclasses import replace

from ..net import Endpoint
from . import ownaddr
from .loop import LabError
from .pki import server_cert, server_context
from .reportsink import ReportSink
from .scenarios import LAB_ADDRESS, Scenario
from .zones import mx_cert


class Reporting:
    """The :class:`~helpers.lab.Lab` methods for TLS reporting."""

    REPORT_HOST = "reports.example.com"

    def serve_reports(self) -> ReportSink:
        """Start (once) an HTTPS report endpoint (RFC 8460 §5.4) at
        ``https://reports.example.com/tlsrpt`` on the lab's HTTPS port and return
        it; what is POSTed there is in its ``posted``. Mailed reports (§5.3) need
        nothing: they land in ``mailbox``. Started on request, so the lab's host
        list stays as the catalogue has it until a notebook wants the endpoint."""
        self._require_running()
        if self.report_sink is None:
            host = self.REPORT_HOST
            context = server_context(server_cert(self.pki, host), self.directory, host)
            self.report_sink = ReportSink(host, context)
            self.https.report_sinks[host] = self.report_sink
            self._routes[host] = Endpoint(LAB_ADDRESS, https=self.https.port)
            if self.standard_ports:  # an address of its own (no A record: not in the catalogue)
                self.addresses.update(ownaddr.address_plan((), (host,), self.addresses))
                self._call(self._hold(host, ownaddr.HTTPS_PORT, self._https_target))
        return self.report_sink

    def set_certificate(self, host: str, cert: str) -> None:
        """Make MX ``host`` serve a ``valid``, ``expired``, ``wrong-name`` or
        ``self-signed`` certificate from its next connection on (e.g. the day a
        certificate expires); ``reset()`` restores the catalogue's."""
        self._require_running()
        host = host.rstrip(".").lower()
        mx = next((m for s in self.scenarios.values() for m in s.mx if m.host == host), None)
        if mx is None or host not in self.receivers:
            raise LabError(f"{host} is not a lab MX host; MX hosts: {', '.join(self.receivers)}")
        if self.receivers[host].context is None:
            raise LabError(f"{host} offers no STARTTLS, so it has no certificate to change")
        issued = mx_cert(self.pki, replace(mx, cert=cert), self.key_kind)
        self.receivers[host].context = server_context(issued, self.directory, f"{host}-{cert}")
        self._swapped_certs.add(host)

    def _reset_reporting(self) -> None:
        if self.report_sink is not None:
            self.report_sink.clear()
        for host in self._swapped_certs:
            mx = next(m for s in self._catalogue.values() for m in s.mx if m.host == host)
            self.receivers[host].context = server_context(
                mx_cert(self.pki, mx, self.key_kind), self.directory, host)
        self._swapped_certs.clear()

    def _publish_reporting_domains(self) -> None:
        """A signed zone for each domain that mails TLS reports in the lab,
        with its DKIM key at ``tlsrpt._domainkey`` (RFC 8460 §3, RFC 6376 §3.6).
        Not scenarios: nobody sends mail *to* them. One key serves them all, to
        keep the lab's start fast; a real submitter has its own."""
        from ..tlsrpt import dkim
        from ..tlsrpt.week import SENDERS
        from .pki import private_key
        key = private_key(self.seed, "dkim/tlsrpt", "rsa")
        self.dkim_keys = {}
        for domain in ("sender.example", *(s.domain for s in SENDERS)):
            if domain in self.scenarios:
                continue
            self.zones.add(Scenario(domain, "a domain that mails TLS reports, DKIM-signed",
                                    mx=(), signed=True),
                           [(f"{dkim.SELECTOR}._domainkey.{domain}", "TXT",
                             dkim.txt_strings(dkim.key_record(key)))])
            self.dkim_keys[domain] = key
