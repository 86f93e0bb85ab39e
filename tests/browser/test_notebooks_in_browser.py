"""Every notebook, solution and learner copy, run in JupyterLab in Chromium.

Generic on purpose: the notebooks are found by name (``notebooks/NN-*.ipynb``
and ``notebooks/learner/NN-*.ipynb``), and what each must show, figures and
widget views cell by cell, is counted from its own stored outputs (for a
learner copy, from its solution notebook's), so a notebook added later is
covered without editing this file.
"""

from __future__ import annotations

import re

import pytest

from . import jlab

NOTEBOOKS = jlab.Path(__file__).resolve().parents[2] / "notebooks"
SOLUTIONS = sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
LEARNER = sorted((NOTEBOOKS / "learner").glob("[0-9][0-9]-*.ipynb"))
HINT = "Not yet"


def _rel(path) -> str:
    return path.relative_to(NOTEBOOKS).as_posix()


def _check_ran(path, cells, expected):
    code = [(i, c) for i, c in enumerate(cells) if c.type == "code"]
    assert code, f"{path.name}: no code cells in the page"
    assert len(cells) == len(expected.figures), f"{path.name}: the page shows another cell count"
    not_run = [i for i, c in code if c.execution_count is None]
    assert not not_run, f"{path.name}: cells {not_run} did not run (Run All stopped early)"
    for i, c in code:
        if jlab.RAISES not in c.tags:
            assert not c.errors, f"{path.name} cell {i}: unexpected error {c.errors}"
        assert c.images == expected.figures[i], \
            f"{path.name} cell {i}: {c.images} figures rendered, {expected.figures[i]} expected"
        assert c.widgets == expected.widgets[i], \
            f"{path.name} cell {i}: {c.widgets} widgets rendered, {expected.widgets[i]} expected"


@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_solution_notebook_runs_and_renders(run_notebook, path):
    _, cells = run_notebook(_rel(path))
    expected = jlab.expected(path)
    _check_ran(path, cells, expected)
    for i, c in enumerate(cells):
        if "check" in c.tags:
            assert not c.errors and c.text.strip(), f"{path.name} cell {i}: check did not pass"
            assert HINT not in c.text


@pytest.mark.parametrize("path", LEARNER, ids=[p.stem for p in LEARNER])
def test_learner_copy_runs_and_every_check_gives_a_hint(run_notebook, path):
    solution = NOTEBOOKS / path.name
    _, cells = run_notebook(_rel(path), keep=False)
    _check_ran(path, cells, jlab.expected(path, solution if solution.exists() else None))
    checks = [(i, c) for i, c in enumerate(cells) if "check" in c.tags]
    assert checks, f"{path.name}: no check cells"
    for i, c in checks:
        # Holds for a traceback ending in the hint and for a hint shown alone.
        assert HINT in c.text, f"{path.name} cell {i}: no hint ({HINT!r}) visible: {c.text[:300]}"
        assert "Correct" not in c.text, \
            f"{path.name} cell {i}: the check passed before the exercise was done"


def _nav_link(path, arrow: str):
    """(label, href) of the navigation link starting or ending with ``arrow``."""
    first = jlab.json.loads(path.read_text())["cells"][0]
    for label, href in re.findall(r"\[([^\]]*)\]\(([^)]+\.ipynb)\)", "".join(first["source"])):
        if label.startswith(arrow) or label.endswith(arrow):
            return label, href
    return None


@pytest.mark.parametrize("folder", [SOLUTIONS, LEARNER], ids=["solutions", "learner"])
def test_navigation_links_open_the_next_and_previous_notebook(page, lab_server, folder):
    """Follow every "next" link from the first notebook to the last, then
    every "previous" link back, clicking in the page as a reader does."""
    assert folder, "no notebooks"
    jlab.open_notebook(page, lab_server, _rel(folder[0]), wait_kernel=False)
    for arrow, order in (("→", folder), ("←", folder[::-1])):
        for here, there in zip(order, order[1:]):
            assert jlab.current_path(page) == _rel(here)
            link = _nav_link(here, arrow)
            assert link, f"{here.name}: no {arrow} link in the first cell"
            label, href = link
            assert (here.parent / href).resolve() == there.resolve(), \
                f"{here.name}: {arrow} goes to {href}, not {there.name}"
            panel = page.evaluate("() => window.jupyterapp.shell.currentWidget.id")
            page.locator(f"[id='{panel}'] .jp-Cell").first.get_by_role(
                "link", name=label).click()
            page.wait_for_function(
                "want => { const w = window.jupyterapp.shell.currentWidget;"
                " return !!w && !!w.context && w.context.path === want; }", arg=_rel(there))
    # Kernels stay: the notebooks' own pages may share them (one kernel per path).
