"""The terminal command equivalent to each check (dig, delv, openssl, curl).

In the lab the commands name its DNS port, CA bundle and trust anchor (the
files ``Lab`` writes next to its CA bundle); live, the standard ports and the
tools' own trust stores.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..net import Network


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
            server = f"@{net.nameserver} " if net.nameserver else ""
            return cls(False, server)
        anchor = str(Path(net.ca_file).parent / "trust-anchor.conf") if net.ca_file else None
        smtp = {h: f"{e.address}:{e.smtp}" for h, e in net.hosts.items() if e.smtp}
        https = {h: (e.address, e.https) for h, e in net.hosts.items() if e.https}
        return cls(True, f"@{net.nameserver} -p {net.dns_port} ", net.ca_file, anchor, smtp, https)

    def dig(self, name: str, rdtype: str) -> str:
        return f"dig {self.server}+dnssec +multiline {rdtype} {name}"

    def delv(self, name: str, rdtype: str) -> str:
        anchor = f"-a {self.anchor_file} +root=. " if self.anchor_file else ""
        return f"delv {self.server}{anchor}{rdtype} {name}"

    def openssl(self, host: str) -> str:
        where = self.smtp.get(host, f"{host}:25")
        ca = f" -CAfile {self.ca_file}" if self.ca_file else ""
        return (f"openssl s_client -starttls smtp -connect {where} -servername {host}"
                f"{ca} -verify_hostname {host} -brief </dev/null")

    def curl(self, domain: str) -> str:
        host = "mta-sts." + domain
        if host in self.https:
            address, port = self.https[host]
            return (f"curl --cacert {self.ca_file} --resolve {host}:{port}:{address} "
                    f"https://{host}:{port}/.well-known/mta-sts.txt")
        return f"curl --max-redirs 0 https://{host}/.well-known/mta-sts.txt"
