"""``python -m helpers lab``: the lab in a terminal, for dig, delv, openssl, swaks.

Each test runs the command as a real process (the interpreter running the
tests, with the repository first on PYTHONPATH) and always kills it at the end.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import dns.message
import dns.query
import dns.rdatatype

REPO = Path(__file__).resolve().parents[1]
START_TIMEOUT = 20.0  # seconds for the lab to start and write its JSON file
STOP_TIMEOUT = 10.0  # seconds for it to stop after Ctrl-C


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO)] + [p for p in [env.get("PYTHONPATH")] if p])
    env["PYTHONUNBUFFERED"] = "1"
    return env


@contextlib.contextmanager
def _sigint_default():
    """Let the child see Ctrl-C: a child inherits an *ignored* SIGINT (as in a
    shell's background job), so make sure the test process is not ignoring it
    while it starts the child (a handled signal is reset to default on exec)."""
    previous = signal.getsignal(signal.SIGINT)
    if previous is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        if previous is signal.SIG_IGN:
            signal.signal(signal.SIGINT, previous)


class RunningLab:
    """A ``python -m helpers lab`` process, its JSON description and its output."""

    def __init__(self, proc: subprocess.Popen, json_file: Path, out_file: Path, err_file: Path):
        self.proc, self.json_file, self.out_file, self.err_file = proc, json_file, out_file, err_file
        self.info: dict = {}

    @property
    def stdout(self) -> str:
        return self.out_file.read_text(errors="replace")

    @property
    def stderr(self) -> str:
        return self.err_file.read_text(errors="replace")

    def wait_ready(self) -> dict:
        """Poll until the JSON file parses and the banner is printed (or fail)."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"the lab exited early with {self.proc.returncode}:\n"
                                     f"{self.stdout}\n{self.stderr}")
            try:
                self.info = json.loads(self.json_file.read_text())
            except (FileNotFoundError, json.JSONDecodeError):
                pass
            else:
                if "Ctrl-C" in self.stdout:
                    return self.info
            time.sleep(0.1)
        raise AssertionError(f"the lab was not ready within {START_TIMEOUT} s:\n"
                             f"{self.stdout}\n{self.stderr}")


@contextlib.contextmanager
def run_lab(tmp_path: Path, *args: str):
    """Start ``python -m helpers lab --json-file ... ARGS``; stop it on the way out
    (SIGTERM, then SIGKILL if it does not exit)."""
    json_file = tmp_path / "lab.json"
    out_file, err_file = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    with open(out_file, "wb") as out, open(err_file, "wb") as err, _sigint_default():
        proc = subprocess.Popen(
            [sys.executable, "-m", "helpers", "lab", "--json-file", str(json_file), *args],
            stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=tmp_path, env=_env())
    try:
        yield RunningLab(proc, json_file, out_file, err_file)
    finally:
        if proc.poll() is None:
            proc.terminate()  # SIGTERM: the lab stops cleanly and removes its folder
            try:
                proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(STOP_TIMEOUT)


def _mx_hosts(address: str, port: int, domain: str) -> set[str]:
    query = dns.message.make_query(domain, dns.rdatatype.MX)
    response = dns.query.udp(query, address, port=port, timeout=2)
    return {rr.exchange.to_text(omit_final_dot=True)
            for rrset in response.answer if rrset.rdtype == dns.rdatatype.MX for rr in rrset}


def test_lab_command_serves_describes_and_stops_on_ctrl_c(tmp_path):
    """The lab command writes a JSON description whose files exist and whose
    DNS port answers, prints a table, and on Ctrl-C exits 0 and removes its
    temporary folder."""
    with run_lab(tmp_path, "--seed", "1") as lab:
        info = lab.wait_ready()

        assert info["seed"] == 1
        assert info["dns"]["address"] == "127.0.0.1"
        assert isinstance(info["dns"]["port"], int)
        mx1 = info["hosts"]["mx1.example.com"]
        assert mx1["address"] == "127.0.0.1" and isinstance(mx1["smtp"], int)
        sts = info["hosts"]["mta-sts.example.com"]
        assert sts["address"] == "127.0.0.1" and isinstance(sts["https"], int)
        assert isinstance(info["domains"], list)
        assert "example.com" in [d["domain"] for d in info["domains"]]

        ca_file, anchor_file = Path(info["ca_file"]), Path(info["trust_anchor_file"])
        assert ca_file.is_file() and anchor_file.is_file()
        assert "BEGIN CERTIFICATE" in ca_file.read_text()
        assert "trust-anchors" in anchor_file.read_text()

        assert _mx_hosts(info["dns"]["address"], info["dns"]["port"], "example.com") == {
            "mx1.example.com", "mx2.example.com"}

        out = lab.stdout
        assert re.search(r"SMTP mx1\.example\.com\s+127\.0\.0\.1:%d\b" % mx1["smtp"], out), out
        assert re.search(r"DNS \(UDP\+TCP\)\s+127\.0\.0\.1:%d\b" % info["dns"]["port"], out), out
        assert str(ca_file) in out
        assert "Ctrl-C" in out

        lab.proc.send_signal(signal.SIGINT)
        assert lab.proc.wait(STOP_TIMEOUT) == 0, lab.stderr
        assert "lab stopped" in lab.stderr
        assert not ca_file.parent.exists()


def _anchor_digest(info: dict) -> str:
    text = Path(info["trust_anchor_file"]).read_text()
    match = re.search(r'static-ds\s+\d+\s+\d+\s+\d+\s+"([0-9a-fA-F]+)"', text)
    assert match, text
    return match.group(1).lower()


def test_seed_changes_trust_anchor(tmp_path):
    """--seed 2 signs the lab with other keys: another root trust anchor digest."""
    (tmp_path / "1").mkdir()
    (tmp_path / "2").mkdir()
    with run_lab(tmp_path / "1", "--seed", "1") as one, run_lab(tmp_path / "2", "--seed", "2") as two:
        info1, info2 = one.wait_ready(), two.wait_ready()
        assert (info1["seed"], info2["seed"]) == (1, 2)
        assert _anchor_digest(info1) != _anchor_digest(info2)


def test_bad_argument_is_a_usage_error(tmp_path):
    """A seed that is not a number exits 2 with argparse's usage message."""
    result = subprocess.run([sys.executable, "-m", "helpers", "lab", "--seed", "notanumber"],
                            capture_output=True, text=True, cwd=tmp_path, env=_env(), timeout=20)
    assert result.returncode == 2
    assert "usage:" in result.stderr
    assert "invalid int value: 'notanumber'" in result.stderr
    assert "Lab(" not in result.stdout  # no lab was started
