"""The test suite started in the background (`make test &`, `nohup make test`):
the shell starts it with SIGINT ignored, and a test that relies on Ctrl-C must
set up the signal handling it needs."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NEEDS_CTRL_C = "tests/test_robustness.py::test_ctrl_c_during_attack_leaves_no_listener"


def test_ctrl_c_test_passes_with_sigint_ignored():
    def ignore_sigint():  # what `cmd &` in a non-interactive shell does
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "--no-header", "-o", "addopts=", NEEDS_CTRL_C],
                          cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                          preexec_fn=ignore_sigint, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "1 passed" in done.stdout
