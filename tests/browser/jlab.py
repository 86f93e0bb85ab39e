"""Driving JupyterLab 4 the way a person does, and reading what it shows.

Actions go through the page (menu, dialog, buttons, typing); what the
notebook holds afterwards (each cell's outputs, tags, execution count) is read
from the application object JupyterLab exposes with
``--LabApp.expose_app_in_browser``, beside what the page renders (images
loaded, widget views drawn, visible text).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
RAISES = "raises-exception"

_KERNEL_IDLE = """() => {
  const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return !!k && k.status === 'idle';
}"""

_ALL_DONE = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  const k = w.sessionContext.session && w.sessionContext.session.kernel;
  if (!k || k.status !== 'idle') return false;
  const prompts = Array.from(w.node.querySelectorAll('.jp-InputArea-prompt'));
  if (prompts.some(p => p.textContent.includes('*'))) return false;
  const first = w.content.widgets.find(c => c.model.type === 'code');
  return !first || first.model.executionCount === 1;
}"""

_EXECUTED = """() => window.jupyterapp.shell.currentWidget.content.widgets
  .map(c => c.model.type === 'code' ? c.model.executionCount : -1)"""

_REPORT = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  return w.content.widgets.map(cell => {
    const json = cell.model.toJSON();
    const outs = Array.from(cell.node.querySelectorAll('.jp-OutputArea-output'));
    const images = Array.from(cell.node.querySelectorAll('.jp-OutputArea-output img'))
      .filter(img => img.complete && img.naturalWidth > 0 && img.offsetWidth > 0).length;
    const widgets = Array.from(cell.node.querySelectorAll(
        '.jp-OutputArea-output .jupyter-widgets.widget-container, ' +
        '.jp-OutputArea-output > .jupyter-widgets:not(.jupyter-widgets-output-area)'))
      .filter(n => !n.parentElement.closest('.jupyter-widgets')).length;
    return {
      type: json.cell_type,
      source: json.source,
      tags: (json.metadata && json.metadata.tags) || [],
      execution_count: json.execution_count === undefined ? null : json.execution_count,
      outputs: (json.outputs || []).map(o => ({
        type: o.output_type, mimes: Object.keys(o.data || {}),
        ename: o.ename || '', evalue: o.evalue || ''})),
      images: images,
      widgets: widgets,
      text: outs.map(n => n.innerText).join('\\n'),
    };
  });
}"""


@dataclass
class Cell:
    type: str
    source: str
    tags: list
    execution_count: int | None
    outputs: list
    images: int
    widgets: int
    text: str

    @property
    def errors(self) -> list[str]:
        return [f"{o['ename']}: {o['evalue']}" for o in self.outputs if o["type"] == "error"]


@dataclass
class Expected:
    """What a notebook should show once run, counted from stored outputs."""

    figures: list[int] = field(default_factory=list)  # per cell
    widgets: list[int] = field(default_factory=list)
    tags: list[list[str]] = field(default_factory=list)


def expected(path: Path, counts_from: Path | None = None) -> Expected:
    """Per cell: image/png and widget-view outputs stored in ``counts_from``
    (the solution notebook, for a learner copy whose outputs are cleared),
    and ``path``'s own tags. Cells that may raise count for nothing."""
    own = json.loads(path.read_text())["cells"]
    source = json.loads((counts_from or path).read_text())["cells"]
    assert len(own) == len(source), f"{path.name} and {counts_from} have different cells"
    out = Expected()
    for mine, stored in zip(own, source):
        tags = mine.get("metadata", {}).get("tags", [])
        outputs = [] if RAISES in tags else stored.get("outputs", [])
        out.figures.append(sum("image/png" in o.get("data", {}) for o in outputs))
        out.widgets.append(sum(WIDGET_MIME in o.get("data", {}) for o in outputs))
        out.tags.append(tags)
    return out


def open_notebook(page, server, relpath: str, wait_kernel: bool = True) -> None:
    page.goto(server.url(relpath))
    page.wait_for_selector(".jp-Notebook .jp-Cell")
    page.wait_for_function("() => !!(window.jupyterapp && window.jupyterapp.shell.currentWidget"
                           " && window.jupyterapp.shell.currentWidget.context)")
    if wait_kernel:
        page.wait_for_function(_KERNEL_IDLE, timeout=90_000)


def current_path(page) -> str:
    return page.evaluate("() => window.jupyterapp.shell.currentWidget.context.path")


def restart_and_run_all(page, timeout_ms: int = 240_000) -> None:
    """Kernel > Restart Kernel and Run All Cells…, accept the dialog, wait
    until no prompt shows [*] and the kernel is idle."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Kernel").click()
    page.locator(".lm-Menu-itemLabel", has_text="Restart Kernel and Run All Cells").click()
    page.locator(".jp-Dialog .jp-mod-accept").click()
    # Between two cells the kernel can be idle with no [*] shown for a moment
    # (after a cell that raised, say): done means the same state twice, 2 s apart.
    deadline = time.monotonic() + timeout_ms / 1000
    last = None
    while True:
        remaining = max(1_000, int((deadline - time.monotonic()) * 1000))
        page.wait_for_function(_ALL_DONE, timeout=remaining, polling=500)
        now = page.evaluate(_EXECUTED)
        if now == last:
            return
        last = now
        page.wait_for_timeout(2_000)


def report(page) -> list[Cell]:
    return [Cell(**c) for c in page.evaluate(_REPORT)]


def shut_down_kernel(page) -> None:
    """Shut down the kernel of the page's current notebook (only that one:
    other pages may share kernels by path)."""
    page.evaluate("() => window.jupyterapp.shell.currentWidget.sessionContext.shutdown()")
