"""Shared fixtures: one lab for the whole session, reset between tests."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from helpers.lab import Lab


@pytest.fixture(scope="session")
def session_lab():
    with Lab(seed=1) as lab:
        yield lab


@pytest.fixture
def lab(session_lab):
    """The session's lab, reset to its catalogue state around each test (no
    attackers, empty mailbox, original records), so tests do not see each
    other's traces."""
    session_lab.reset()
    yield session_lab
    session_lab.reset()


@pytest.fixture(scope="module")
def nsec3_lab():
    """A lab of the NSEC3 scenarios (RFC 5155: hashed denial, Opt-Out), one per
    test module that asks for it; the module's own fixture resets it."""
    from helpers.lab.scenarios import NSEC3_SCENARIOS

    with Lab(seed=1, scenarios=NSEC3_SCENARIOS) as lab:
        yield lab


def need_tool(name: str) -> str:
    """Path of command-line tool ``name``. Outside CI a missing tool skips the
    test (with the package to install); in CI (``CI`` set) it fails, since
    ``.ci/run`` installs the tools."""
    path = shutil.which(name)
    if path is None:
        package = {"delv": "bind9-dnsutils", "dig": "bind9-dnsutils"}.get(name, name)
        message = f"{name} is not installed (Debian package {package})"
        if os.environ.get("CI"):
            pytest.fail(message + "; .ci/run should have installed it")
        pytest.skip(message)
    return path


def delv(lab, rdtype: str, name: str) -> str:
    """What ``delv`` says of ``name``/``rdtype``, validating from the lab's trust anchor."""
    result = subprocess.run(
        [need_tool("delv"), f"@{lab.net.nameserver}", "-p", str(lab.dns.port),
         "-a", str(lab.trust_anchor_file), "+root=.", rdtype, name],
        capture_output=True, text=True, timeout=30)
    return result.stdout + result.stderr


def delv_verdict(text: str) -> str:
    """delv's verdict in the validator's words: secure, insecure or bogus."""
    from helpers.dnssec import BOGUS, INSECURE, SECURE

    if "; fully validated" in text or "; negative response, fully validated" in text:
        return SECURE
    if "; unsigned answer" in text or "negative response, unsigned answer" in text:
        return INSECURE
    return BOGUS  # resolution failed: broken trust chain, insecurity proof failed, ...


def smtp_to(lab, host: str):
    """An smtplib client connected to ``host`` the way the lab's network routes it
    (through an attacker if one is on the path). Certificate checks use ``host``."""
    import smtplib

    address, port = lab.net.smtp_endpoint(host)
    client = smtplib.SMTP(address, port, local_hostname="sender.test", timeout=5)
    client._host = host  # smtplib's starttls() verifies the certificate against this
    return client


def send(lab, host: str, body: str, *, tls: bool = True, verify: bool = True,
         rcpt: str = "postmaster@example.com") -> None:
    """Deliver one message to ``host``: STARTTLS if ``tls`` (checking the
    certificate if ``verify``), else in the clear. Raises what smtplib raises."""
    with smtp_to(lab, host) as client:
        client.ehlo()
        if tls:
            client.starttls(context=lab.net.ssl_context(verify=verify))
            client.ehlo()
        client.sendmail("alice@sender.test", [rcpt],
                        f"Subject: lab test\r\n\r\n{body}\r\n".encode())
