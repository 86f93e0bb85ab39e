"""What `make lab` and `make test` install (issue 22): a learner's environment
gets what the course runs; `make test` adds the test tools on top. Read from
make's own dry run on a fresh environment folder."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _dry_run(target: str, tmp_path) -> str:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    done = subprocess.run(["make", "-n", target, f"VENV={tmp_path / 'fresh-venv'}"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_make_lab_installs_only_what_the_course_runs(tmp_path):
    installs = [line for line in _dry_run("lab", tmp_path).splitlines() if "pip install" in line]
    assert installs and all("requirements-test.txt" not in line for line in installs)
    assert any("-r requirements.txt" in line and "-e ." in line for line in installs)


def test_make_test_adds_the_test_tools(tmp_path):
    installs = [line for line in _dry_run("test", tmp_path).splitlines() if "pip install" in line]
    assert any("-r requirements.txt" in line for line in installs)
    assert any("-r requirements-test.txt" in line for line in installs)
    assert "python -m pytest" in _dry_run("test", tmp_path)
