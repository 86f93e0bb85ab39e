"""The learner's workspace (my-work/) and the JupyterLab set-up of make lab."""

from __future__ import annotations

import json
import os
import re
import subprocess

from helpers import notebooks as pipeline
from helpers import workspace

_LINK = re.compile(r"\]\(([^)\s#]+)")


def _links(path):
    if path.suffix == ".md":
        return _LINK.findall(path.read_text())
    return [t for c in pipeline.read(path).cells if c.cell_type == "markdown"
            for t in _LINK.findall(c.source)]


def test_first_start_copies_every_learner_notebook_with_working_links(tmp_path):
    work = tmp_path / "my-work"
    done = workspace.prepare(work)
    learner = sorted(p.name for p in pipeline.LEARNER.glob("[0-9][0-9]-*.ipynb"))
    assert list(done.copied) == learner and not done.kept
    assert sorted(p.name for p in work.glob("*.ipynb")) == learner
    checked = 0
    for path in [work / "README.md", *work.glob("*.ipynb")]:
        for target in _links(path):
            if target.startswith(("http:", "https:", "mailto:")):
                continue
            checked += 1
            assert (path.parent / target).exists(), f"{path.name} links to missing {target}"
    assert checked
    # Contents from a learner's notebook leads to the learner copies.
    first = pipeline.read(work / learner[0])
    assert "[Contents](README.md)" in first.cells[0].source
    assert "your copies" in (work / "README.md").read_text()


def test_a_learners_file_is_never_overwritten(tmp_path):
    work = tmp_path / "my-work"
    workspace.prepare(work)
    mine = work / "00-start-here.ipynb"
    mine.write_text(mine.read_text().replace("your answer", "MY ANSWER"))
    (work / "01-starttls-transcript.ipynb").unlink()
    done = workspace.prepare(work)
    assert "MY ANSWER" in mine.read_text()
    assert done.copied == ("01-starttls-transcript.ipynb",)
    assert "00-start-here.ipynb" in done.kept and not done.changed_upstream


def test_a_course_update_is_reported_not_applied(tmp_path):
    work = tmp_path / "my-work"
    workspace.prepare(work)
    manifest = json.loads((work / workspace.MANIFEST).read_text())
    manifest["00-start-here.ipynb"] = "an older version"
    (work / workspace.MANIFEST).write_text(json.dumps(manifest))
    before = (work / "00-start-here.ipynb").read_text()
    done = workspace.prepare(work)
    assert done.changed_upstream == ("00-start-here.ipynb",)
    assert "rename yours" in str(done)
    assert (work / "00-start-here.ipynb").read_text() == before
    # Said in the browser too: at the top of the contents page in my-work/.
    contents = (work / "README.md").read_text()
    assert contents.startswith(workspace.UPDATES_HEADING)
    notice = contents.split("\n## ", 1)[0]
    assert "`00-start-here.ipynb`" in notice and "rename yours" in notice


def test_my_work_is_ignored_by_git():
    run = subprocess.run(["git", "check-ignore", "-q", "my-work/00-start-here.ipynb"],
                         cwd=pipeline.ROOT, timeout=30)
    assert run.returncode == 0, "my-work/ must be git-ignored"


def test_jupyterlab_opens_on_my_work_without_the_news_popup():
    command = workspace.lab_command()
    assert any(c.startswith("--LabApp.default_url=/lab/tree/my-work") for c in command)
    assert f"--ServerApp.root_dir={pipeline.ROOT}" in command
    env = workspace.lab_environment({"JUPYTER_CONFIG_PATH": "/elsewhere"})
    first, *rest = env["JUPYTER_CONFIG_PATH"].split(os.pathsep)
    page = json.loads((workspace.CONFIG / "labconfig" / "page_config.json").read_text())
    assert first == str(workspace.CONFIG) and rest == ["/elsewhere"]
    assert page["disabledExtensions"]["@jupyterlab/apputils-extension:announcements"] is True
    # JupyterLab itself reads it: its page config, as the server builds it.
    from jupyterlab_server.config import get_page_config

    old = os.environ.get("JUPYTER_CONFIG_PATH")
    os.environ["JUPYTER_CONFIG_PATH"] = env["JUPYTER_CONFIG_PATH"]
    try:
        config = get_page_config([], None)
    finally:
        if old is None:
            del os.environ["JUPYTER_CONFIG_PATH"]
        else:
            os.environ["JUPYTER_CONFIG_PATH"] = old
    assert "@jupyterlab/apputils-extension:announcements" in config["disabledExtensions"]


def test_first_start_opens_start_here_and_markdown_rendered(tmp_path):
    """Not the Launcher: the first notebook; my-work/README.md opens rendered
    (JupyterLab's own settings loader reads the course's override)."""
    command = workspace.lab_command(pipeline.LEARNER)  # as my-work/ after the first copy
    assert "--LabApp.default_url=/lab/tree/notebooks/learner/00-start-here.ipynb" in command
    from jupyterlab_server.settings_utils import _get_overrides

    env = workspace.lab_environment()
    old = os.environ.get("JUPYTER_CONFIG_PATH")
    os.environ["JUPYTER_CONFIG_PATH"] = env["JUPYTER_CONFIG_PATH"]
    try:
        overrides, error = _get_overrides(str(tmp_path))
    finally:
        if old is None:
            del os.environ["JUPYTER_CONFIG_PATH"]
        else:
            os.environ["JUPYTER_CONFIG_PATH"] = old
    assert not error
    viewers = overrides["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]
    assert viewers["markdown"] == "Markdown Preview"


def test_readme_course_table_leads_learners_to_learner_copies():
    readme = (pipeline.ROOT / "README.md").read_text()
    for target in _LINK.findall(readme):
        if not target.startswith(("http:", "https:", "mailto:")):
            assert (pipeline.ROOT / target).exists(), f"README.md links to missing {target}"
    rows = [line for line in readme.splitlines() if re.match(r"\| \d\d \|", line)]
    assert rows, "the README has a course table"
    for row in rows:
        links = _LINK.findall(row)
        assert links[0].startswith("notebooks/learner/"), f"first link of a course row: {row}"
        assert any(re.fullmatch(r"notebooks/\d\d-[\w-]+\.ipynb", t) for t in links), row


def test_start_command_line_and_the_solutions_variant():
    import sys

    run = subprocess.run([sys.executable, "-m", "helpers", "start", "--help"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and "--solutions" in run.stdout and "my-work" in run.stdout
    command = workspace.lab_command(pipeline.NOTEBOOKS, ["--allow-root"])
    assert "--LabApp.default_url=/lab/tree/notebooks/00-start-here.ipynb" in command
    assert command[-1] == "--allow-root"


def test_copy_only_prepares_my_work_without_starting_jupyterlab(tmp_path, monkeypatch, capsys):
    """On a JupyterHub or Binder, JupyterLab already runs: only the copy is wanted."""
    from helpers.__main__ import main

    monkeypatch.setattr(workspace, "WORK", tmp_path / "my-work")
    assert main(["start", "--copy-only"]) == 0
    copied = sorted(p.name for p in (tmp_path / "my-work").glob("[0-9][0-9]-*.ipynb"))
    assert copied == sorted(p.name for p in pipeline.LEARNER.glob("[0-9][0-9]-*.ipynb"))
    assert "Your work lives in" in capsys.readouterr().out


def test_outside_the_course_folder_it_says_where_to_run_it(tmp_path):
    import pytest

    with pytest.raises(FileNotFoundError, match="run this in the course folder"):
        workspace.prepare(tmp_path / "my-work", learner=tmp_path / "notebooks" / "learner")
    assert not (tmp_path / "my-work").exists()
