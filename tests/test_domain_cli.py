"""``python -m helpers inspect``: output, JSON, and exit status 0 / 1 / 2."""

from __future__ import annotations

import json
import subprocess
import sys

from helpers.__main__ import main
from helpers.domain import Inspection


def test_clean_domain_exits_0_and_json_round_trips(capsys):
    assert main(["inspect", "--lab", "--json", "example.com", "dane-only.example"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [d["domain"] for d in data] == ["example.com", "dane-only.example"]
    again = Inspection.from_json(json.dumps(data[0]))
    assert again.domain == "example.com" and again.ok and again.check("sender").status == "ok"


def test_a_failed_check_exits_1(capsys):
    assert main(["inspect", "--lab", "--seed", "2", "no-tls.example"]) == 1
    out = capsys.readouterr().out
    assert "[FAIL] starttls:mx.no-tls.example: STARTTLS is not offered" in out


def test_an_inspection_that_cannot_run_exits_2(capsys):
    assert main(["inspect", "--lab", "example.com", "not a domain!"]) == 2
    out = capsys.readouterr().out
    assert "could not inspect: 'not a domain!' is not a domain name" in out
    assert main(["inspect"]) == 2  # live needs a domain
    assert "name at least one domain" in capsys.readouterr().err


def test_whole_lab_from_a_terminal_without_smtp():
    run = subprocess.run([sys.executable, "-m", "helpers", "inspect", "--lab", "--no-smtp"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stderr  # some lab domains are broken on purpose
    assert "Traceback" not in run.stderr
    table = run.stdout.split("\n\ndomain ")[-1]
    assert "dnssec-bogus.example" in table and "sts-stale-id.example" in table
    assert "[skip] starttls:mx1.example.com: not probed" in run.stdout
