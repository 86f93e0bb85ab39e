"""The terminal command equivalent to each check (dig, delv, openssl, curl).

In the lab the commands name its DNS port, CA bundle and trust anchor (the
files ``Lab`` writes next to its CA bundle); live, the standard ports and the
tools' own trust stores.

Every value in a command may come from DNS (an MX host name, a TLSA record),
so each is quoted with :func:`shlex.quote`: a host name holding ``;``, ``&``,
``>`` or backquotes stays one argument instead of running the domain owner's
code in the learner's shell.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from pathlib import Path

from ..net import Network


def q(value) -> str:
    """``value`` as one shell word (quoted if it needs it)."""
    return shlex.quote(str(value))


@dataclass(frozen=True)
class Commands:
    lab: bool
    server: str = ""  # "@127.0.0.1 -p 5300 " in the lab, "" live
    ca_file: str | None = None
    anchor_file: str | None = None
    smtp: dict = field(default_factory=dict)  # host -> "address:port" (lab)
    https: dict = field(default_factory=dict)  # host -> (address, port) (lab)

    @classmethod
    def for_network(cls, net: Network) -> "Commands":
        if not net.is_lab:
            server = f"@{q(net.nameserver)} " if net.nameserver else ""
            if net.dns_port != 53:
                server += f"-p {int(net.dns_port)} "
            return cls(False, server)
        anchor = str(Path(net.ca_file).parent / "trust-anchor.conf") if net.ca_file else None
        smtp = {h: f"{e.address}:{e.smtp}" for h, e in net.hosts.items() if e.smtp}
        https = {h: (e.address, e.https) for h, e in net.hosts.items() if e.https}
        return cls(True, f"@{q(net.nameserver)} -p {int(net.dns_port)} ", net.ca_file, anchor,
                   smtp, https)

    def dig(self, name: str, rdtype: str) -> str:
        return f"dig {self.server}+dnssec +multiline {q(rdtype)} {q(name)}"

    def delv(self, name: str, rdtype: str) -> str:
        anchor = f"-a {q(self.anchor_file)} +root=. " if self.anchor_file else ""
        return f"delv {self.server}{anchor}{q(rdtype)} {q(name)}"

    def openssl(self, host: str) -> str:
        """What an MTA-STS sender checks: STARTTLS, then a WebPKI chain for the MX name."""
        where = self.smtp.get(host, f"{host}:25")
        ca = f" -CAfile {q(self.ca_file)}" if self.ca_file else ""
        return (f"openssl s_client -starttls smtp -connect {q(where)} -servername {q(host)}"
                f"{ca} -verify_hostname {q(host)} -verify_return_error -brief </dev/null")

    def openssl_dane(self, host: str, base: str, records) -> str:
        """What a DANE sender checks (RFC 7672 §3): the chain against these TLSA
        records, for the TLSA base domain, DANE-EE without name checks (§3.2.2)."""
        where = self.smtp.get(host, f"{host}:25")
        rrdata = "".join(f" -dane_tlsa_rrdata {q(r)}" for r in records)
        return (f"openssl s_client -starttls smtp -connect {q(where)} -servername {q(host)}"
                f" -dane_tlsa_domain {q(base)}{rrdata} -dane_ee_no_namechecks"
                " -verify_return_error -brief </dev/null")

    def curl(self, domain: str) -> str:
        host = "mta-sts." + domain
        if host in self.https:
            address, port = self.https[host]
            return (f"curl --cacert {q(self.ca_file)} --resolve {q(f'{host}:{port}:{address}')} "
                    f"{q(f'https://{host}:{port}/.well-known/mta-sts.txt')}")
        return f"curl --max-redirs 0 {q(f'https://{host}/.well-known/mta-sts.txt')}"
