"""The notebook pipeline: learner copies, navigation, text twins, anatomy.

The solution notebooks themselves are run by nbval (strict) as part of the
same pytest run; these tests check what nbval does not.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from helpers import notebooks as pipeline

SOLUTIONS = pipeline.solution_notebooks()
IDS = [p.name for p in SOLUTIONS]


def test_there_are_notebooks():
    assert [p.name[:2] for p in SOLUTIONS][:2] == ["00", "01"]


@pytest.mark.parametrize("path", SOLUTIONS, ids=IDS)
def test_learner_copy_is_current(path):
    committed = pipeline.LEARNER / path.name
    assert committed.exists(), f"no learner copy of {path.name}: run make notebooks"
    expected = pipeline.dumps(pipeline.learner_version(pipeline.read(path)))
    assert committed.read_text() == expected, f"{committed} is stale: run make learner"


@pytest.mark.parametrize("path", SOLUTIONS, ids=IDS)
def test_text_twin_is_current(path):
    twin = pipeline.text_path(path)
    assert twin.exists() and twin.read_text() == pipeline.as_text(pipeline.read(path)), \
        f"{twin} is stale: run make notebooks"


def test_navigation_and_contents_are_current():
    entries = [pipeline.entry(p) for p in SOLUTIONS]
    for i, path in enumerate(SOLUTIONS):
        nb = pipeline.read(path)
        expected = pipeline.with_navigation(nb, entries, i)
        assert [c.source for c in nb.cells] == [c.source for c in expected.cells], path.name
    readme = (pipeline.NOTEBOOKS / "README.md").read_text()
    assert pipeline.readme_with_toc(readme, entries) == readme
    for e in entries:
        assert f"[{e.title}]({e.path.name}) | {e.time} |" in readme


@pytest.mark.parametrize("path", SOLUTIONS, ids=IDS)
def test_notebook_anatomy(path):
    nb = pipeline.read(path)
    md = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    code = [c for c in nb.cells if c.cell_type == "code"]
    for heading in ("**In this notebook**", "**Questions:**", "**Objectives:**",
                    "**Time:**", "**Prerequisites:**", "## Try it yourself",
                    "## Equivalent commands", "## Key points", "## Clean-up"):
        assert heading in md, f"{path.name} lacks {heading}"
    checks = [c for c in code if pipeline.CHECK_TAG in c.metadata.get("tags", [])]
    solutions = [c for c in code if pipeline.BEGIN in c.source]
    assert len(checks) >= 2 and len(solutions) >= 2
    for cell in checks:
        assert re.search(r"\bcheck_\w+\(", cell.source), "a check cell calls a checker"
    assert "lab.stop()" in code[-1].source, "the last code cell cleans up"
    for cell in code:
        assert cell.execution_count is not None, "committed notebooks are executed"
        for line in cell.source.splitlines():
            if "NBVAL_" in line:
                assert re.fullmatch(r"\s*# NBVAL_[A-Z_]+\s*", line), \
                    f"an nbval marker must be alone on its line: {line!r}"


@pytest.mark.parametrize("path", SOLUTIONS, ids=IDS)
def test_learner_notebook_runs_and_every_check_fails(path):
    """The learner copy runs top to bottom; each check cell fails (until the
    learner writes the code), and nothing else does."""
    nb = pipeline.execute(pipeline.read(pipeline.LEARNER / path.name))
    checks = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        tags = cell.metadata.get("tags", [])
        if pipeline.CHECK_TAG in tags:
            checks += 1
            assert errors, f"check cell passes without the learner's code:\n{cell.source}"
            assert errors[0].ename == "ExerciseFailed", \
                f"an unanswered exercise gets a hint, not {errors[0].ename}:\n{cell.source}"
            shown = "\n".join(errors[0].traceback)
            # Only which check, "Not yet" and the hint: no traceback, whose
            # source lines (the checker's code) would give the answer away.
            checker = re.findall(r"\b(check_\w+)\(", cell.source)[-1]
            assert "Not yet." in shown and f"{checker}: Not yet." in shown, shown
            for leak in ("helpers/", "Traceback", "---->", ".py", "File "):
                assert leak not in shown, f"{leak!r} in a check's output:\n{shown}"
        elif pipeline.RAISES_TAG not in tags:
            assert not errors, f"{errors[0].ename} in a cell that should run:\n{cell.source}"
    assert checks >= 2


def test_strip_solutions_keeps_indentation_and_surrounding_code():
    source = ("def f(x):\n    y = 1\n    ### BEGIN SOLUTION\n    return x + y\n"
              "    ### END SOLUTION\nprint('after')")
    assert pipeline.strip_solutions(source) == (
        'def f(x):\n    y = 1\n    raise NotImplementedError("your code here")\nprint(\'after\')')
    with pytest.raises(ValueError, match="without END"):
        pipeline.strip_solutions("### BEGIN SOLUTION\nx = 1")


def test_learner_version_tags_clears_and_relinks():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("[Contents](README.md)", metadata={"tags": ["navigation"]}),
        nbformat.v4.new_code_cell("### BEGIN SOLUTION\nx = 1\n### END SOLUTION",
                                  outputs=[nbformat.v4.new_output("stream", text="hi")],
                                  execution_count=3),
        nbformat.v4.new_code_cell("check_x(x)", metadata={"tags": ["check"]}),
    ]
    out = pipeline.learner_version(nb)
    assert out.cells[1].source == 'raise NotImplementedError("your code here")'
    assert out.cells[1].outputs == [] and out.cells[1].execution_count is None
    assert out.cells[1].metadata["tags"] == ["raises-exception"]
    assert out.cells[2].metadata["tags"] == ["check", "raises-exception"]
    assert nb.cells[1].source.startswith("### BEGIN")  # the solution copy is untouched


_LINK = re.compile(r"\]\(([^)\s]+)\)")


@pytest.mark.parametrize("folder", [pipeline.NOTEBOOKS, pipeline.LEARNER],
                         ids=["solutions", "learner"])
def test_every_relative_link_in_a_notebook_resolves(folder):
    checked = 0
    for path in sorted(folder.glob("[0-9][0-9]-*.ipynb")):
        for cell in pipeline.read(path).cells:
            if cell.cell_type != "markdown":
                continue
            for target in _LINK.findall(cell.source):
                if target.startswith(("http:", "https:", "#", "mailto:")):
                    continue
                checked += 1
                assert (path.parent / target.split("#")[0]).exists(), \
                    f"{path.relative_to(pipeline.ROOT)} links to missing {target}"
    assert checked


def test_learner_contents_lists_learner_copies_and_links_the_solutions():
    readme = (pipeline.LEARNER / pipeline.LEARNER_README).read_text()
    entries = [pipeline.entry(p) for p in SOLUTIONS]
    assert readme == pipeline.learner_readme(entries), "stale: run make learner"
    for e in entries:
        assert f"[{e.title}]({e.path.name})" in readme
        assert (pipeline.LEARNER / e.path.name).exists()
    assert "](../README.md)" in readme  # the solutions, one step away


@pytest.mark.parametrize("path", SOLUTIONS, ids=IDS)
def test_opening_in_jupyterlab_changes_nothing(path):
    """JupyterLab stores the kernel's spec (name, display name, language) in
    the notebook when it connects; a different stored value makes the
    notebook dirty at once and autosave rewrites it. And no jupytext
    pairing: saving a notebook must not rewrite its text twin."""
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec("python3")
    nb = pipeline.read(path)
    assert nb.metadata.kernelspec == {"name": "python3", "display_name": spec.display_name,
                                      "language": spec.language}
    assert "jupytext" not in nb.metadata
    assert "formats" not in pipeline.text_path(path).read_text().split("# ---")[1]
    learner = pipeline.read(pipeline.LEARNER / path.name)
    assert learner.metadata.kernelspec == nb.metadata.kernelspec
    assert "jupytext" not in learner.metadata
