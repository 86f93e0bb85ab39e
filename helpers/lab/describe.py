"""What a running lab says about itself: files, addresses, commands, display.

:class:`Description` holds the :class:`~helpers.lab.Lab` members that tell
command-line tools and people where the lab is: the CA bundle and trust
anchor files, the DNS server's address, ``describe()`` (and ``lab.json``,
``write_json``), ``commands()`` for dig, delv, openssl, swaks and curl, and
the lab's plain-text and HTML forms (host names are HTML-escaped).
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from . import ownaddr
from .scenarios import LAB_ADDRESS


class Description:
    """The :class:`~helpers.lab.Lab` members that describe it."""

    # -- files for command-line tools -------------------------------------------

    @property
    def ca_file(self) -> Path:
        """PEM file of the lab root CA (``openssl s_client -CAfile``, ``curl --cacert``)."""
        return self.directory / "ca.pem"

    @property
    def trust_anchor_file(self) -> Path:
        """BIND-style trust anchor of the lab root (``delv -a FILE``)."""
        return self.directory / "trust-anchor.conf"

    @property
    def dns_address(self) -> str:
        """The DNS server's address (its own one in the standard-ports mode)."""
        return ownaddr.DNS_ADDRESS if self.standard_ports else LAB_ADDRESS

    def describe(self) -> dict:
        """Where everything is: DNS, files, each host's ports, the domains."""
        routes = self._public if self.standard_ports else self._routes
        return {
            "seed": self.seed,
            "standard_ports": self.standard_ports,
            "dns": {"address": self.dns_address, "port": self.dns.port},
            "ca_file": str(self.ca_file),
            "trust_anchor_file": str(self.trust_anchor_file),
            "hosts": {h: {k: v for k, v in (("address", e.address), ("smtp", e.smtp),
                                             ("https", e.https)) if v is not None}
                      for h, e in sorted(routes.items())},
            "domains": [{"domain": s.domain, "teaches": s.teaches, "dnssec": s.signed}
                        for s in self.scenarios.values()],
        }

    def write_json(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(json.dumps(self.describe(), indent=2) + "\n")
        return path

    def commands(self, host: str = "mx1.example.com") -> str:
        """Terminal commands that talk to this lab (dig, delv, openssl, swaks, curl)."""
        port, dns_at = self.dns.port, self.dns_address
        address, smtp = self.net.smtp_endpoint(host)
        web, https = self.net.https_endpoint("mta-sts.example.com")
        return "\n".join([
            f"dig @{dns_at} -p {port} +dnssec MX example.com",
            f"dig @{dns_at} -p {port} +short TXT _mta-sts.example.com",
            f"delv @{dns_at} -p {port} -a {self.trust_anchor_file} +root=. "
            f"TLSA _25._tcp.{host}",
            f"openssl s_client -starttls smtp -connect {address}:{smtp} "
            f"-servername {host} -CAfile {self.ca_file} -verify_hostname {host}",
            f"swaks --server {address}:{smtp} --to postmaster@example.com --tls "
            f"--tls-verify --tls-ca-path {self.ca_file}",
            f"curl --cacert {self.ca_file} --resolve mta-sts.example.com:"
            f"{https}:{web} "
            f"https://mta-sts.example.com:{https}/.well-known/mta-sts.txt",
        ])

    # -- display ----------------------------------------------------------------------

    def _rows(self) -> list[tuple[str, str]]:
        rows = [("DNS (UDP+TCP)", f"{self.dns_address}:{self.dns.port}")]
        routes = self._public if self.standard_ports else self._routes
        for host, ep in sorted(routes.items()):
            service = "SMTP" if ep.smtp else "HTTPS"
            via = " (via attacker)" if host in self.attackers else ""
            rows.append((f"{service} {host}{via}", f"{ep.address}:{ep.smtp or ep.https}"))
        return rows

    def __str__(self) -> str:
        if not self.running:
            return f"Lab(seed={self.seed}): stopped"
        width = max(len(r[0]) for r in self._rows())
        lines = [f"Lab(seed={self.seed}): {len(self.scenarios)} domains, "
                 f"{len(self.receivers)} MX hosts, files in {self.directory}"]
        lines += [f"  {what:<{width}}  {where}" for what, where in self._rows()]
        lines += [f"  CA bundle: {self.ca_file}", f"  trust anchor: {self.trust_anchor_file}"]
        return "\n".join(lines)

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<Lab seed={self.seed} {state}>"

    def _repr_html_(self) -> str:
        if not self.running:
            return f"<p>Lab(seed={self.seed}): stopped</p>"
        rows = "".join(f'<tr><td style="text-align:left">{html.escape(a)}</td>'
                       f"<td>{html.escape(b)}</td></tr>" for a, b in self._rows())
        return (f"<p><b>Lab</b> seed {self.seed}: {len(self.scenarios)} domains, "
                f"{len(self.receivers)} MX hosts, "
                f"{'each at its own loopback address' if self.standard_ports else 'all on the loopback address'}</p>"
                f"<table><tr><th>service</th><th>listens on</th></tr>{rows}</table>")
