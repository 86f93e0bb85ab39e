"""A real Postfix 3.7 against the lab, cell by cell beside the course's Sender.

The matrix run here (about a minute): every lab domain x the attacks none,
strip, refuse, substitute, spoof MX, strip TLSA RRSIGs x the Postfix set-ups
may, encrypt, dane, dane-only, MTA-STS (sts) and DANE + MTA-STS (auto). That
subset covers every divergence class of helpers.mta.conformance.EXPECTED (the
bounce, the MX pattern, MTA-STS overriding DANE, testing mode, mandatory
levels, the validating resolver); the remaining attacks of the full study
(first contact, the other DNS-path attacks, unusable TLSA) add no class.

Needs root and Debian's postfix and unbound (and postfix-mta-sts-resolver from
requirements-test.txt): skipped with the reason outside CI, required in CI
(COURSE_POSTFIX_REQUIRED=1, set by .ci/run). Select with ``-m postfix``.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import time
from pathlib import Path

import pytest

from helpers.mta import conformance, postfix
from helpers.mta.config import SETUPS

pytestmark = pytest.mark.postfix


def _require():
    reason = postfix.missing()
    if reason and not os.environ.get("COURSE_POSTFIX_REQUIRED"):
        pytest.skip(reason)
    assert not reason, f"{reason}; COURSE_POSTFIX_REQUIRED is set (.ci/run installs it)"


def _digest(path: str) -> str:
    p = Path(path)
    return hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else "absent"


def _alive(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped) is not running.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split(")")[-1].split()[0] != "Z"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The matrix, plus what the machine looked like around it."""
    _require()
    from helpers.lab import Lab
    before = {f: _digest(f) for f in ("/etc/resolv.conf", "/etc/postfix/main.cf")}
    started = time.monotonic()
    pids, services = {}, ""
    with Lab(seed=7, standard_ports=True,
             directory=tmp_path_factory.mktemp("lab")) as lab, postfix.PostfixRig(lab) as rig:
        pids["unbound"] = rig._unbound.pid
        pids["mta-sts-daemon"] = rig._daemon.pid
        pid_file = rig.directory / "postfix" / "spool" / "pid" / "master.pid"
        pids["postfix master"] = int(pid_file.read_text().split()[0])
        services = subprocess.run(["postconf", "-c", str(rig.etc), "-M"], capture_output=True,
                                  text=True, timeout=30).stdout
        directory = rig.directory
        cells = conformance.run(lab, rig, log=lambda line: None)
    elapsed = time.monotonic() - started
    after = {f: _digest(f) for f in before}
    return {"cells": cells, "elapsed": elapsed, "pids": pids, "services": services,
            "before": before, "after": after, "directory": directory}


def _show(cells) -> str:
    return "\n".join(f"  {c.setup:<9} {c.domain:<28} {c.attack:<18} {c.letters():<8} "
                     f"Postfix: {c.postfix_reason[:70]} | course: {c.course_reason[:70]}"
                     for c in cells)


def test_every_difference_from_the_course_is_explained(run):
    cells = run["cells"]
    domains = {c.domain for c in cells}
    assert len(domains) >= 16 and "example.com" in domains
    assert len(cells) == len(conformance.ATTACKS) * len(SETUPS) * len(domains)
    missing = conformance.unexplained(cells)
    assert not missing, ("Postfix and the course's Sender differ where no entry of "
                         "helpers.mta.conformance.EXPECTED explains it:\n" + _show(missing))


def test_every_explanation_is_still_needed(run):
    stale = conformance.unused(run["cells"])
    assert not stale, ("EXPECTED entries no cell needs any more (update the table): "
                       + ", ".join(e.id for e in stale))


def test_the_divergences_the_course_teaches_show_up(run):
    by = {(c.setup, c.domain, c.attack): c for c in run["cells"]}
    # MX not in the policy, delivered with verified TLS (Postfix 3.7 + the resolver)
    assert by[("sts", "sts-mx-mismatch.example", "none")].postfix == "verified"
    # MTA-STS overrides a failing DANE in the auto set-up, not in plain dane
    assert by[("auto", "example.com", "strip TLSA RRSIGs")].postfix == "verified"
    assert by[("dane", "example.com", "strip TLSA RRSIGs")].postfix == "deferred"
    # A 530 after stripping is a bounce, for Postfix and for the course
    assert by[("may", "tls-required.example", "strip")].postfix == "bounced"
    assert by[("may", "tls-required.example", "strip")].agree
    # DANE stops the substituting attacker; opportunistic TLS does not
    assert by[("dane", "example.com", "substitute")].postfix_host != "mx.attacker.example"
    assert by[("may", "example.com", "substitute")].postfix == "unverified"
    agree = sum(c.agree for c in run["cells"])
    assert agree > 0.75 * len(run["cells"])


def test_it_runs_within_two_minutes(run):
    assert run["elapsed"] < 150, f"the conformance run took {run['elapsed']:.0f} s"


def test_postfix_listens_on_nothing_and_the_machine_is_untouched(run):
    assert " inet " not in run["services"] and "smtpd" not in run["services"]
    assert run["after"] == run["before"]  # /etc/resolv.conf, /etc/postfix/main.cf


def test_everything_is_stopped_afterwards(run):
    alive = [name for name, pid in run["pids"].items() if _alive(pid)]
    assert not alive, f"still running after the rig stopped: {', '.join(alive)}"
    assert not run["directory"].exists()


def test_the_rig_stops_everything_when_a_run_fails(tmp_path):
    _require()
    from helpers.lab import Lab
    with Lab(seed=7, standard_ports=True, directory=tmp_path / "lab") as lab:
        rig = postfix.PostfixRig(lab)
        with pytest.raises(RuntimeError, match="boom"):
            with rig:
                pids = [rig._unbound.pid, rig._daemon.pid]
                with pytest.raises(postfix.RigError, match="already in use"):
                    postfix.PostfixRig(lab).start()  # a second rig on the same addresses
                assert rig.running  # and the first one is left alone
                raise RuntimeError("boom")
        assert not rig.running
        assert not any(_alive(pid) for pid in pids)


def test_a_lab_without_standard_ports_is_refused_with_the_reason(session_lab):
    with pytest.raises(postfix.RigError, match="standard_ports=True"):
        postfix.PostfixRig(session_lab)


def test_without_mount_namespaces_the_reason_says_what_is_needed():
    _require()
    import shutil
    import sys
    if shutil.which("capsh") is None:
        pytest.skip("capsh (libcap2-bin) not installed")
    code = "from helpers.mta import postfix; print(postfix.missing())"
    run = subprocess.run(["capsh", "--drop=cap_sys_admin", "--", "-c",
                          f"{sys.executable} -c '{code}'"], capture_output=True, text=True,
                         timeout=60, env={**os.environ,
                                          "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    assert "mount namespace" in run.stdout and "CAP_SYS_ADMIN" in run.stdout, run.stderr
