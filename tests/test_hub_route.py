"""The JupyterHub route of docs/INSTRUCTOR.md, end to end, as the image runs it.

What repo2docker really builds from ``binder/`` was read from its generated
Dockerfile (``repo2docker --no-build --debug .``, jupyter-repo2docker
2026.4.0, run on this repository):

    ARG REPO_DIR=${HOME}                     # /home/jovyan by default
    WORKDIR ${REPO_DIR}
    COPY --chown=0:0 src/binder/requirements.txt ${REPO_DIR}/binder/requirements.txt
    RUN apt-get ... install bind9-dnsutils openssl swaks          # binder/apt.txt
    COPY --chown=0:0 src/ ${REPO_DIR}/
    USER ${NB_USER}
    RUN ${KERNEL_PYTHON_PREFIX}/bin/pip install --no-cache-dir -r "binder/requirements.txt"

(``KERNEL_PYTHON_PREFIX`` is /srv/conda/envs/notebook, a Python 3.11
environment outside $HOME; there is no postBuild; repo2docker's base
environment has no nbgitpuller.) So the course is installed from the
repository folder, which on a hub with persistent home directories (Zero to
JupyterHub's default) is hidden by the learner's volume at run time.

The test does the same without Docker: a virtual environment stands for the
image's, ``pip install -r binder/requirements.txt`` runs in a copy of the
repository, that copy is then hidden (renamed), nbgitpuller's own puller
clones the course into a fresh home folder, ``python -m helpers start
--copy-only`` prepares ``my-work/``, and a kernel started there runs learner
notebooks' first cells. Then the instructor pushes a change and the link is
followed again: the course updates, the learner's answers stay.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PIP_TIMEOUT = 600


def _env(**extra) -> dict[str, str]:
    """The environment of a process in the image: none of this test run's
    Python or Jupyter settings (PYTHONPATH points at the worktree)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "JUPYTER", "VIRTUAL_ENV", "IPYTHON"))}
    env.update(extra)
    return env


def _run(cmd, cwd, timeout=120, **extra) -> str:
    done = subprocess.run(cmd, cwd=cwd, env=_env(**extra), capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, (f"{' '.join(map(str, cmd))} failed ({done.returncode}):\n"
                                  f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done.stdout


def _git(*args, cwd):
    return _run(["git", "-c", "user.name=Instructor", "-c", "user.email=i@example.com",
                 "-c", "init.defaultBranch=main", *args], cwd=cwd)


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    """(python of the image, upstream repository, home folder) after the image
    is built and its build folder hidden."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    base = tmp_path_factory.mktemp("hub")
    # The course as pushed: this worktree's files (committed or not, not ignored).
    upstream = base / "upstream"
    upstream.mkdir()
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.split("\0")
    for name in filter(None, files):
        src = ROOT / name
        if src.is_file() and not src.is_symlink():
            (upstream / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, upstream / name)
    _git("init", "-q", cwd=upstream)
    _git("add", "-A", cwd=upstream)
    _git("commit", "-q", "-m", "course", cwd=upstream)

    # The image: COPY src/ ${REPO_DIR}/, then pip install -r binder/requirements.txt
    # from there into an environment outside $HOME.
    build = base / "jovyan"
    _git("clone", "-q", str(upstream), str(build), cwd=base)
    image = base / "srv-conda-env"
    _run([sys.executable, "-m", "venv", str(image)], cwd=base)
    python = image / "bin" / "python"
    _run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
          "-r", "binder/requirements.txt"], cwd=build, timeout=PIP_TIMEOUT)
    assert not (build / "binder" / "postBuild").exists(), "postBuild exists: simulate it here"
    # At run time the learner's persistent volume is mounted over /home/jovyan.
    build.rename(base / "hidden-by-the-home-volume")
    home = base / "home"
    home.mkdir()
    return python, upstream, home


def _pull(python, upstream: Path, home: Path) -> str:
    """What the guide's link does: nbgitpuller's GitPuller into ~/REPO."""
    script = ("import sys\nfrom nbgitpuller.pull import GitPuller\n"
              "for line in GitPuller(sys.argv[1], sys.argv[2], branch='main').pull():\n"
              "    print(line, end='')\n")
    return _run([python, "-c", script, f"file://{upstream}", str(home / "REPO")], cwd=home,
                HOME=str(home))


KERNEL = textwrap.dedent("""\
    import json, sys
    import nbformat
    from nbclient import NotebookClient
    name, count = sys.argv[1], int(sys.argv[2])
    nb = nbformat.read(name, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"][:count]
    probe = nbformat.v4.new_code_cell(
        "import helpers, os, sys\\n"
        "print(json.dumps({'helpers': helpers.__file__, 'cwd': os.getcwd(),"
        " 'python': sys.executable}))")
    nb.cells = code + [nbformat.v4.new_code_cell("import json"), probe]
    NotebookClient(nb, timeout=60, kernel_name="python3",
                   resources={"metadata": {"path": "."}}).execute()
    print(nb.cells[-1].outputs[0]["text"].strip())
""")


def _first_cells(python, folder: Path, notebook: str, count: int, home: Path) -> dict:
    """Run ``notebook``'s first ``count`` code cells in a kernel started in
    ``folder``, as JupyterLab starts it there; what the kernel imported."""
    out = _run([python, "-c", KERNEL, notebook, str(count)], cwd=folder, HOME=str(home))
    return json.loads(out.strip().splitlines()[-1])


def test_hub_route_with_a_persistent_home(hub):
    python, upstream, home = hub
    print(_pull(python, upstream, home))
    repo = home / "REPO"
    assert (repo / "notebooks" / "learner" / "00-start-here.ipynb").is_file()

    # The guide's step: prepare my-work/ in the pulled course.
    said = _run([python, "-m", "helpers", "start", "--copy-only"], cwd=repo, HOME=str(home))
    work = repo / "my-work"
    assert "00-start-here.ipynb" in said and (work / "00-start-here.ipynb").is_file()

    # Kernels in my-work/: the course imports from the image (the build folder
    # is gone) and its sample data is found (06 reads data/ through sample_path).
    seen = _first_cells(python, work, "00-start-here.ipynb", 2, home)
    assert Path(seen["helpers"]).is_relative_to(python.parents[1]), seen
    assert seen["cwd"] == str(work)
    code = [c for c in json.loads((work / "06-tls-reporting.ipynb").read_text())["cells"]
            if c["cell_type"] == "code"]
    upto = next(i for i, c in enumerate(code) if "sample_path" in "".join(c["source"])) + 1
    _first_cells(python, work, "06-tls-reporting.ipynb", upto, home)

    # The image's JupyterLab has the course's settings (no news pop-up,
    # Markdown opened rendered), from its own configuration path.
    settings = _run([python, "-c", "import json\n"
                     "from jupyter_server.services.config import ConfigManager\n"
                     "cm = ConfigManager(config_dir_name='labconfig')\n"
                     "print(json.dumps([cm.get('page_config'), "
                     "cm.get('default_setting_overrides')]))"], cwd=work, HOME=str(home))
    page, overrides = json.loads(settings)
    assert page["disabledExtensions"]["@jupyterlab/apputils-extension:announcements"]
    assert overrides["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"] == {
        "markdown": "Markdown Preview"}

    # A learner's answer, then the instructor updates a notebook during the workshop
    # and learners follow the link again: the course updates, the answer stays.
    mine = work / "01-starttls-transcript.ipynb"
    answered = json.loads(mine.read_text())
    answered["cells"].append({"cell_type": "code", "execution_count": None, "id": "mine",
                              "metadata": {}, "outputs": [], "source": ["'my answer'"]})
    mine.write_text(json.dumps(answered, indent=1) + "\n")
    learner_nb = upstream / "notebooks" / "learner" / "01-starttls-transcript.ipynb"
    nb = json.loads(learner_nb.read_text())
    nb["cells"][1]["source"] = ["A correction made during the workshop.\n"]
    learner_nb.write_text(json.dumps(nb, indent=1) + "\n")
    _git("commit", "-q", "-am", "fix a typo", cwd=upstream)
    _pull(python, upstream, home)
    assert "A correction made during the workshop." in (
        repo / "notebooks" / "learner" / "01-starttls-transcript.ipynb").read_text()
    again = _run([python, "-m", "helpers", "start", "--copy-only"], cwd=repo, HOME=str(home))
    assert "my answer" in mine.read_text()
    assert "the course has a newer 01-starttls-transcript.ipynb" in again


def test_binder_requirements_install_the_course_not_editable():
    """The image's install must not point into $HOME (see the module docstring);
    nbgitpuller must be in the image for the guide's link."""
    lines = [line.split("#")[0].strip()
             for line in (ROOT / "binder" / "requirements.txt").read_text().splitlines()]
    lines = [line for line in lines if line]
    assert "." in lines, "binder/requirements.txt must install the course (`.`)"
    assert not any(line.startswith(("-e", "--editable")) for line in lines)
    assert any(line.startswith("nbgitpuller==") for line in lines)
    learner = (ROOT / "requirements.txt").read_text()
    assert "-e ." not in learner.split("\n"), "requirements.txt is read by binder too"
