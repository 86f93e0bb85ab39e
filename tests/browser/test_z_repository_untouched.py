"""Running the notebooks in the browser must not change the repository: the
server works on a temporary copy, with autosave off."""

from __future__ import annotations

import subprocess

import pytest

from .conftest import ROOT


def test_the_browser_session_left_the_repository_as_it_was(lab_server, git_status_at_start):
    if git_status_at_start is None:
        pytest.skip("not a git checkout (or git is not installed): nothing to compare")
    assert ROOT not in lab_server.root.parents, "the server must run on a copy"
    now = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    assert now == git_status_at_start, "the browser tests changed files in the repository"
