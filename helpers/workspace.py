"""The learner's workspace: ``my-work/``, where a learner's own notebooks live.

``make lab`` (``python -m helpers start``) copies every learner notebook
(``notebooks/learner/NN-*.ipynb``) into ``my-work/`` the first time, and then
never again: a file already there is the learner's and is never overwritten.
``my-work/`` is git-ignored, so an instructor's ``git pull`` (or an nbgitpuller
link) updates the course without touching anyone's answers, and ``make test``
never sees them. A notebook added to the course later is copied on the next
start; a notebook the course changed is reported, and a learner who wants the
new version renames theirs and starts again.

JupyterLab then opens ``my-work/00-start-here.ipynb`` (not the Launcher),
with the course folder as its root, so the solutions (``notebooks/``) are one
folder up. The repository's ``jupyter/`` folder joins Jupyter's configuration
path for that run (``JUPYTER_CONFIG_PATH``): its ``labconfig/page_config.json``
switches off JupyterLab's announcements plugin, so no "official Jupyter news"
pop-up, and ``labconfig/default_setting_overrides.json`` opens Markdown files
(``my-work/README.md``) rendered rather than as source.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from . import notebooks as pipeline

ROOT = pipeline.ROOT
WORK = ROOT / "my-work"
CONFIG = ROOT / "jupyter"
MANIFEST = ".course-copies.json"
FIRST = "00-start-here.ipynb"
UPDATES_HEADING = "## The course has newer versions of your notebooks"
_LINK = re.compile(r"\]\(([^)\s]+)\)")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def relocated(text: str, source: Path, target: Path) -> str:
    """Markdown ``text`` written for folder ``source``, its relative links
    rewritten for folder ``target``: files that are copied along (learner
    notebooks, the contents page) keep their names, others point back into
    the course."""
    def fix(m: re.Match) -> str:
        link = m.group(1)
        if link.startswith(("http:", "https:", "#", "mailto:")):
            return m.group(0)
        path, _, anchor = link.partition("#")
        resolved = (source / path).resolve()
        if resolved.parent == pipeline.LEARNER.resolve():
            new = resolved.name
        else:
            new = Path(os.path.relpath(resolved, target)).as_posix()
        return f"]({new}{'#' + anchor if anchor else ''})"
    return _LINK.sub(fix, text)


def _copy_text(path: Path, target: Path) -> str:
    if path.suffix != ".ipynb":
        return relocated(path.read_text(), path.parent, target)
    nb = pipeline.read(path)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = relocated(cell.source, path.parent, target)
    return pipeline.dumps(nb)


@dataclass(frozen=True)
class Prepared:
    """What preparing the workspace did."""

    folder: Path
    copied: tuple[str, ...]
    kept: tuple[str, ...]
    changed_upstream: tuple[str, ...]

    def __str__(self) -> str:
        lines = [f"Your work lives in {self.folder} (not tracked by git)."]
        if self.copied:
            lines.append(f"  copied in: {', '.join(self.copied)}")
        if self.kept:
            lines.append(f"  yours, kept as they are: {len(self.kept)} notebook(s)")
        for name in self.changed_upstream:
            lines.append(f"  the course has a newer {name}: to start it afresh, rename yours "
                         "and start again (your answers stay in the renamed file)")
        return "\n".join(lines)


def prepare(work: Path | None = None, learner: Path = pipeline.LEARNER) -> Prepared:
    """Copy the learner notebooks that ``work`` (default ``my-work/``) lacks;
    never overwrite one. The contents page is regenerated each time (it is the
    course's, not the learner's), so notebooks added to the course appear in it."""
    work = WORK if work is None else work
    if not learner.is_dir():  # e.g. run outside the course folder, on an installed copy
        raise FileNotFoundError(f"no learner notebooks in {learner}: run this in the course "
                                "folder (on a hub: cd ~/REPO first)")
    work.mkdir(parents=True, exist_ok=True)
    manifest_path = work / MANIFEST
    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, ValueError):
        manifest = {}
    copied, kept, changed = [], [], []
    for path in sorted(learner.glob("[0-9][0-9]-*.ipynb")):
        text = _copy_text(path, work)
        target = work / path.name
        if target.exists():
            kept.append(path.name)
            if manifest.get(path.name, _digest(text)) != _digest(text):
                changed.append(path.name)
            continue
        target.write_text(text)
        manifest[path.name] = _digest(text)
        copied.append(path.name)
    readme = learner / pipeline.LEARNER_README
    if readme.exists():
        text = _copy_text(readme, work)
        if changed:  # said in the browser too, on the contents page
            text = updates_notice(changed) + "\n" + text
        (work / "README.md").write_text(text)
    manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return Prepared(work, tuple(copied), tuple(kept), tuple(changed))


def updates_notice(changed) -> str:
    """Markdown for the top of ``my-work/README.md``: which of the learner's
    notebooks the course has changed since they were copied, and what to do."""
    names = "\n".join(f"- `{name}`" for name in changed)
    return (f"{UPDATES_HEADING}\n\n{names}\n\nYours are kept as they are. To get the "
            "new version of one, rename yours (your answers stay in the renamed file) and "
            "start again (`make lab`, or `python -m helpers start --copy-only` on a hub).\n")


def lab_command(work: Path = WORK, extra: list[str] | None = None) -> list[str]:
    """The JupyterLab command line: root at the course folder (solutions one
    folder up from the learner's), opening ``work``'s first notebook (the
    folder if it has none) instead of the Launcher."""
    opened = work / FIRST if (work / FIRST).exists() else work
    return [sys.executable, "-m", "jupyterlab",
            f"--ServerApp.root_dir={ROOT}",
            f"--LabApp.default_url=/lab/tree/{opened.relative_to(ROOT).as_posix()}",
            *(extra or [])]


def lab_environment(env: dict[str, str] | None = None) -> dict[str, str]:
    """``env`` with the course's Jupyter configuration first on the path."""
    env = dict(os.environ if env is None else env)
    rest = env.get("JUPYTER_CONFIG_PATH")
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join([str(CONFIG), *([rest] if rest else [])])
    return env


def start(extra: list[str] | None = None) -> int:
    """Prepare ``my-work/`` and run JupyterLab on it until it is stopped."""
    import subprocess

    print(prepare(), flush=True)
    try:
        return subprocess.call(lab_command(extra=extra), env=lab_environment())
    except KeyboardInterrupt:
        return 0
