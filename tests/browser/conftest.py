"""JupyterLab in a real browser: one server per session, Chromium via Playwright.

The server runs on a free 127.0.0.1 port with a token, on a temporary copy of
``notebooks/`` (so running and autosaving never touch the repository), with
its own settings, workspaces and runtime folders. The browser is Debian's
Chromium, launched by its path: Playwright's PyPI wheel brings the driver,
and nothing is downloaded.

Without Chromium or Playwright these tests skip with one line saying what is
missing; with ``COURSE_BROWSER_REQUIRED=1`` (set by ``.ci/run``) they fail.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from . import jlab

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
CHROMIUM = os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]

# JupyterLab settings for a test run: every cell in the DOM (no virtual
# scrolling, so outputs can be counted), no autosave, no news pop-ups.
SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False},
}


def missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -r requirements-test.txt)"
    if not (Path(CHROMIUM).exists() and os.access(CHROMIUM, os.X_OK)):
        return f"no Chromium at {CHROMIUM} (Debian package chromium)"
    return None


def pytest_collection_modifyitems(config, items):
    reason = missing_browser()
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            if reason and not os.environ.get("COURSE_BROWSER_REQUIRED"):
                item.add_marker(pytest.mark.skip(reason=f"browser tests: {reason}"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabServer:
    def __init__(self, root: Path, port: int, token: str, process: subprocess.Popen):
        self.root, self.port, self.token, self.process = root, port, token, process

    def url(self, path: str, reset: bool = True) -> str:
        return (f"http://127.0.0.1:{self.port}/lab/tree/{path}?token={self.token}"
                + ("&reset" if reset else ""))


@pytest.fixture(scope="session")
def git_status_at_start():
    """``git status`` of the checkout before any browser test ran (None outside git)."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        return None
    return subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"],
                          cwd=ROOT, capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory, git_status_at_start):
    reason = missing_browser()
    if reason:
        pytest.fail(f"browser tests: {reason}; COURSE_BROWSER_REQUIRED is set")
    base = tmp_path_factory.mktemp("jupyterlab")
    root = base / "notebooks"
    shutil.copytree(NOTEBOOKS, root)
    settings = base / "settings"
    for name, values in SETTINGS.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(settings),
               JUPYTERLAB_WORKSPACES_DIR=str(base / "workspaces"),
               JUPYTER_RUNTIME_DIR=str(base / "runtime"), IPYTHONDIR=str(base / "ipython"))
    port, token = _free_port(), secrets.token_hex(16)
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}",
               "--ip=127.0.0.1", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
               "--ServerApp.port_retries=0"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = (base / "server.log").open("w")
    process = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = LabServer(root, port, token, process)
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("JupyterLab did not start: " + (base / "server.log").read_text()[-2000:])
        time.sleep(0.3)
    yield server
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture(scope="session")
def browser(lab_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                     headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(60_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def run_notebook(browser, lab_server):
    """Open a notebook, Restart Kernel and Run All; each notebook once per
    session: later tests reuse its page (and its live widgets)."""
    done = {}

    def run(relpath: str, keep: bool = True):
        """(page, report); with ``keep=False`` the page and its kernel are
        closed after the report (saves memory: the page is None then)."""
        if relpath not in done:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            context.set_default_timeout(60_000)
            page = context.new_page()
            jlab.open_notebook(page, lab_server, relpath)
            jlab.restart_and_run_all(page)
            cells = jlab.report(page)
            if not keep:
                jlab.shut_down_kernel(page)
                context.close()
                page = None
            done[relpath] = (page, cells)
        return done[relpath]

    yield run
    for page, _ in done.values():
        if page is not None:
            try:
                jlab.shut_down_kernel(page)
            finally:
                page.context.close()
