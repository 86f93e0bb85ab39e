"""Environment check: ``python -m helpers doctor`` (and notebook 00).

Each check gives a verdict (ok, warning, problem, skipped) and, when not ok, a
hint saying what to do. Live checks have short timeouts: many networks block
DNS to outside resolvers or outbound port 25, and the course must say so
rather than hang. The port-25 check only opens a connection, reads the
greeting and says QUIT: it never sends mail.
"""

from __future__ import annotations

import html
import importlib.metadata
import socket
import sys
import time
from dataclasses import dataclass

OK, WARN, FAIL, SKIP = "ok", "warning", "problem", "skipped"
PACKAGES = ("dnspython", "cryptography", "aiosmtpd", "jupyterlab", "ipywidgets", "matplotlib")
_MARK = {OK: "✔", WARN: "!", FAIL: "✘", SKIP: "-"}


@dataclass(frozen=True)
class Check:
    name: str
    verdict: str
    detail: str
    hint: str = ""

    def __str__(self) -> str:
        line = f"{_MARK[self.verdict]} {self.name}: {self.detail}"
        return line + (f"\n    hint: {self.hint}" if self.hint else "")


@dataclass(frozen=True)
class Report:
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return all(c.verdict != FAIL for c in self.checks)

    def __str__(self) -> str:
        summary = ("Everything the course needs offline works." if self.ok
                   else "Some checks found problems: see the hints.")
        return "\n".join([*map(str, self.checks), summary])

    def _repr_html_(self) -> str:
        colour = {OK: "#2b8a3e", WARN: "#e67700", FAIL: "#c92a2a", SKIP: "#868e96"}
        rows = "".join(
            f'<tr><td style="color:{colour[c.verdict]}">{_MARK[c.verdict]} {c.verdict}</td>'
            f"<td>{html.escape(c.name)}</td><td style=\"text-align:left\">{html.escape(c.detail)}"
            + (f"<br><i>hint: {html.escape(c.hint)}</i>" if c.hint else "") + "</td></tr>"
            for c in self.checks)
        return f"<table><tr><th>verdict</th><th>check</th><th>detail</th></tr>{rows}</table>"


def check_python() -> Check:
    v = sys.version_info
    version = ".".join(map(str, v[:3]))
    if v >= (3, 11):
        return Check("Python", OK, f"3.11 or newer (this is {version})")
    return Check("Python", FAIL, f"{version} is too old", "install Python 3.11 or newer")


def check_packages() -> Check:
    found, missing = [], []
    for name in PACKAGES:
        try:
            found.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            missing.append(name)
    if missing:
        return Check("packages", FAIL, "missing: " + ", ".join(missing),
                     "run `make lab` (or pip install -r requirements.txt -e .) in the course folder")
    return Check("packages", OK, ", ".join(found))


def check_lab() -> list[Check]:
    """Start a lab, do one validated DNS lookup and one verified delivery, stop it."""
    from helpers.dnssec import SECURE, resolve
    from helpers.lab import Lab
    from helpers.smtp import deliver

    t = time.perf_counter()
    try:
        with Lab(seed=1) as lab:
            started = (time.perf_counter() - t) * 1000
            lookup = resolve("_25._tcp.mx1.example.com", "TLSA", lab.net)
            sent = deliver("mx1.example.com", lab.net, "Subject: doctor\r\n\r\ncheck\r\n",
                           sender="doctor@sender.example", recipients=["postmaster@example.com"])
    except Exception as e:  # report, whatever it is: that is the doctor's job
        return [Check("lab", FAIL, f"did not start: {type(e).__name__}: {e}",
                      "run `python -m helpers lab` in a terminal to see the full error")]
    checks = [Check("lab", OK, f"started in {started:.0f} ms on 127.0.0.1")]
    checks.append(Check("lab DNSSEC", OK if lookup.status == SECURE else FAIL,
                        f"TLSA of mx1.example.com is {lookup.status}"))
    checks.append(Check("lab SMTP", OK if sent.accepted else FAIL,
                        "delivered over verified STARTTLS" if sent.accepted else str(sent.error)))
    return checks


def check_live_dns(timeout: float = 3.0) -> Check:
    from helpers.net import Network, NetworkError

    net = Network.live(dns_timeout=timeout)
    hint = ("live inspection of real domains will not work here; everything else "
            "runs offline against the lab")
    try:
        response = net.query("example.com", "SOA")
    except (NetworkError, OSError) as e:
        return Check("live DNS", WARN, f"no answer from the system resolver ({e})", hint)
    if response.rcode() != 0 or not response.answer:
        return Check("live DNS", WARN, "the system resolver answers, but not with the "
                     "internet's data (example.com has no SOA there)", hint)
    return Check("live DNS", OK, "the system resolver answers with real data")


def check_port_25(timeout: float = 5.0, domain: str = "gmail.com") -> Check:
    from helpers.net import Network

    net = Network.live(dns_timeout=timeout)
    try:
        answer = net.resolver().resolve(domain, "MX")
        host = min(answer, key=lambda r: r.preference).exchange.to_text().rstrip(".")
        address = net.address_of(host)
    except Exception as e:
        return Check("outbound port 25", SKIP, f"cannot look up a mail server to try ({e})")
    try:
        with socket.create_connection((address, 25), timeout=timeout) as s:
            s.settimeout(timeout)
            greeting = s.recv(512)
            s.sendall(b"QUIT\r\n")
    except OSError as e:
        return Check("outbound port 25", WARN, f"cannot reach {host} port 25 ({e})",
                     "many networks (home ISPs, clouds, campuses) block outbound port 25; "
                     "live STARTTLS probes will not work here, the lab still does")
    code = greeting[:3].decode("ascii", "replace")
    return Check("outbound port 25", OK, f"{host} answered {code}")


def run(live: bool = True) -> Report:
    """All checks; ``live=False`` skips the ones that need the internet."""
    checks = [check_python(), check_packages(), *check_lab()]
    if live:
        checks += [check_live_dns(), check_port_25()]
    else:
        checks += [Check("live DNS", SKIP, "not checked (offline mode)"),
                   Check("outbound port 25", SKIP, "not checked (offline mode)")]
    return Report(tuple(checks))
