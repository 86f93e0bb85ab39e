"""The command each check shows does what the check did: run them against the lab."""

from __future__ import annotations

import shlex
import subprocess

import pytest
from conftest import need_tool

from helpers import domain

pytestmark = pytest.mark.tools


def run(command: str) -> str:
    argv = shlex.split(command.replace(" </dev/null", ""))
    need_tool(argv[0])
    done = subprocess.run(argv, capture_output=True, text=True, timeout=30,
                          stdin=subprocess.DEVNULL)
    return done.stdout + done.stderr


def test_commands_reproduce_the_checks(lab):
    result = domain.inspect("example.com", lab.net)
    assert "mx1.example.com." in run(result.check("mx").command)
    assert "; fully validated" in run(result.check("tlsa:mx1.example.com").command)
    assert "v=STSv1; id=20260613T120000;" in run(result.check("mta-sts-record").command)
    assert "mode: enforce" in run(result.check("mta-sts-policy").command)
    out = run(result.check("starttls:mx1.example.com").command)
    assert "Verification: OK" in out and "TLSv1.3" in out


def test_commands_show_the_failures_too(lab):
    bogus = domain.inspect("dnssec-bogus.example", lab.net)
    assert "resolution failed" in run(bogus.check("tlsa:mx.dnssec-bogus.example").command)
    expired = domain.inspect("sts-expired.example", lab.net)
    assert "expired" in run(expired.check("certificate:mx.sts-expired.example").command)
