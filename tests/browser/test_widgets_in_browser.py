"""Each widget used in JupyterLab as a person would: type, pick, click, read.

Widgets are found generically: every module of ``helpers.widgets`` (not
starting with ``_``) must be shown by some solution notebook, whose cell is
found by the module's name in its source. Widgets with a driver below are
used step by step with exact expectations; any other widget gets the generic
driver (click each button, the widget must change and no error appear).
A module listed in EXPECTED_ELSEWHERE that does not exist skips, naming its
issue; every module that exists is driven.
"""

from __future__ import annotations

import importlib
import importlib.util
import pkgutil

import pytest

import helpers.widgets

from . import jlab

NOTEBOOKS = jlab.Path(__file__).resolve().parents[2] / "notebooks"
SOLUTIONS = sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
EXPECTED_ELSEWHERE = {"inspector": "issue 14", "operator": "issue 12"}


def _expect():
    from playwright.sync_api import expect
    return expect


def drive_transcript_stepper(cell):
    expect = _expect()
    out = cell.locator(".jp-OutputArea-output")
    expect(out).to_contain_text("line 1 of")
    expect(out).to_contain_text("an eavesdropper on the path reads")
    nxt = cell.get_by_role("button", name="next ▶")
    nxt.click()
    expect(out).to_contain_text("line 2 of")
    for _ in range(15):  # past STARTTLS: the tap reads only ciphertext
        nxt.click()
    expect(out).to_contain_text("inside TLS")
    expect(out).to_contain_text("only TLS records")
    cell.get_by_role("button", name="◀ back").click()
    expect(out).to_contain_text("line 16 of")


def drive_attack_explorer(cell):
    expect = _expect()
    out = cell.locator(".jp-OutputArea-output")
    expect(out).to_contain_text("strip x opportunistic: delivered in the clear")
    selects = cell.locator("select")
    selects.nth(1).select_option("mta-sts")
    cell.get_by_role("button", name="send the message").click()
    expect(out).to_contain_text("strip x mta-sts: deferred")
    expect(out).to_contain_text("mailbox: empty")
    selects.nth(0).select_option("none")
    cell.get_by_role("button", name="send the message").click()
    expect(out).to_contain_text("none x mta-sts: delivered with verified TLS")
    expect(out).to_contain_text("no attacker on the path")


def drive_mx_playground(cell):
    expect = _expect()
    out = cell.locator(".jp-OutputArea-output")
    expect(out).to_contain_text("does not match")
    host = cell.locator("input[type=text]").nth(1)
    host.fill("")
    host.press_sequentially("MX.sts-mx-mismatch.example.")
    expect(out).to_contain_text("exactly one leftmost label")
    pattern = cell.locator("input[type=text]").nth(0)
    pattern.fill("")
    pattern.press_sequentially("mx.*.example")
    expect(out).to_contain_text("wildcard may only be the whole leftmost label")


def drive_tlsa_calculator(cell):
    expect = _expect()
    out = cell.locator(".jp-OutputArea-output")
    expect(out).to_contain_text("IN TLSA 3 1 1")
    selects = cell.locator("select")
    selects.nth(2).select_option(label="0 Cert")
    expect(out).to_contain_text("IN TLSA 3 0 1")
    expect(cell.get_by_role("row", name="after a renewal with the same key does NOT match")
           ).to_be_visible()
    selects.nth(0).select_option(label="the issuing CA's certificate")
    selects.nth(1).select_option(label="2 DANE-TA")
    expect(out).to_contain_text("IN TLSA 2 0 1")
    expect(cell.get_by_role("row", name="after a renewal with a new key matches")
           ).to_be_visible()


def drive_operator(cell):
    """Answer the operator's questions: without DNSSEC, DANE leaves the advice."""
    expect = _expect()
    out = cell.locator(".jp-OutputArea-output")
    expect(out).to_contain_text("Publish both DANE and MTA-STS")
    cell.get_by_role("checkbox", name="Can your DNS host sign the zone").uncheck()
    expect(out).to_contain_text("Publish MTA-STS (starting in testing)")
    expect(out).not_to_contain_text("Publish both DANE")
    cell.get_by_role("checkbox", name="Can your DNS host sign the zone").check()
    expect(out).to_contain_text("Publish both DANE and MTA-STS")


def drive_inspector(cell):
    """Type a lab domain and press Enter, then inspect another with the button:
    the checks arrive and the broken one is named."""
    expect = _expect()
    out = cell.locator(".jp-OutputArea-output")
    box = cell.get_by_placeholder("a domain, e.g. example.com")
    box.fill("dane-rollover.example")
    box.press("Enter")
    expect(out).to_contain_text("dane:mx.dane-rollover.example", timeout=30_000)
    expect(cell.get_by_role("button", name="Inspect")).to_be_enabled(timeout=30_000)
    box.fill("no-tls.example")
    cell.get_by_role("button", name="Inspect").click()
    expect(out).to_contain_text("starttls:mx.no-tls.example", timeout=30_000)
    expect(out).not_to_contain_text("dane:mx.dane-rollover.example")


DRIVERS = {"transcript_stepper": drive_transcript_stepper,
           "attack_explorer": drive_attack_explorer,
           "mx_playground": drive_mx_playground,
           "tlsa_calculator": drive_tlsa_calculator,
           "operator": drive_operator,
           "inspector": drive_inspector}


def drive_generic(cell):
    """Click each button in turn: the widget must change, and stay error-free."""
    expect = _expect()
    out = cell.locator(".jp-OutputArea-output").first
    buttons = cell.locator(".jp-OutputArea-output button")
    assert buttons.count(), "the widget has no button to press"
    changed = False
    for i in range(buttons.count()):
        before = out.inner_text()
        buttons.nth(i).click()
        try:
            expect(out).not_to_have_text(before, timeout=15_000)
            changed = True
        except AssertionError:
            pass
    assert changed, "no button press changed what the widget shows"


MODULES = sorted({m.name for m in pkgutil.iter_modules(helpers.widgets.__path__)
                  if not m.name.startswith("_")} | set(EXPECTED_ELSEWHERE))


def _builders(name):
    """The public functions and classes ``helpers.widgets.<name>`` defines."""
    module = importlib.import_module(f"helpers.widgets.{name}")
    return {attr for attr, value in vars(module).items()
            if not attr.startswith("_") and callable(value)
            and getattr(value, "__module__", "") == module.__name__}


def _widget_cell(name):
    """(notebook, cell index) of the first solution-notebook cell that shows the
    widget: it calls one of the module's builders outside an import line."""
    calls = [f"{b}(" for b in _builders(name)] + [f"widgets.{name}."]
    for path in SOLUTIONS:
        for i, cell in enumerate(jlab.json.loads(path.read_text())["cells"]):
            if cell["cell_type"] != "code":
                continue
            lines = [line for line in "".join(cell["source"]).splitlines()
                     if not line.lstrip().startswith(("import ", "from "))]
            if any(call in line for line in lines for call in calls):
                return path, i
    return None, None


@pytest.mark.parametrize("name", MODULES)
def test_widget_used_in_the_browser(run_notebook, name):
    if importlib.util.find_spec(f"helpers.widgets.{name}") is None:
        pytest.skip(f"helpers.widgets.{name} does not exist yet "
                    f"({EXPECTED_ELSEWHERE.get(name, 'no issue')})")
    path, index = _widget_cell(name)
    assert path is not None, f"no solution notebook shows helpers.widgets.{name}"
    page, cells = run_notebook(path.relative_to(NOTEBOOKS).as_posix())
    assert cells[index].widgets >= 1, f"{path.name} cell {index}: the widget did not render"
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    cell.scroll_into_view_if_needed()
    DRIVERS.get(name, drive_generic)(cell)
    after = jlab.report(page)[index]
    assert not after.errors, f"{path.name} cell {index}: {after.errors}"


_NOTEBOOK_STATE = """() => {
  const nb = window.jupyterapp.shell.currentWidget.content;
  return {types: nb.widgets.map(c => c.model.type),
          sources: nb.widgets.map(c => c.model.sharedModel.getSource()),
          active: nb.activeCellIndex};
}"""
CONTROLS = ("select, input, textarea, .noUi-handle, "
            "button, [tabindex]:not([tabindex='-1'])")
# Command-mode shortcuts of JupyterLab 4: move to another cell, change the
# cell's type, cut, delete, insert above/below, undo.
KEYS = ["ArrowDown", "ArrowUp", "ArrowLeft", "ArrowRight", "j", "k", "r", "m", "y", "x",
        "d", "d", "a", "b", "z"]


@pytest.mark.parametrize("name", MODULES)
def test_keys_typed_into_a_widget_stay_there(run_notebook, name):
    """Focus each of the widget's controls and type the notebook's shortcuts:
    the widget may change, the notebook's cells must not (no cell moved to,
    changed to raw or Markdown, cut, deleted or inserted)."""
    if importlib.util.find_spec(f"helpers.widgets.{name}") is None:
        pytest.skip(f"helpers.widgets.{name} does not exist yet "
                    f"({EXPECTED_ELSEWHERE.get(name, 'no issue')})")
    path, index = _widget_cell(name)
    page, cells = run_notebook(path.relative_to(NOTEBOOKS).as_posix())
    page.bring_to_front()  # other notebooks' pages stay open: type into this one
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    cell.scroll_into_view_if_needed()
    controls = cell.locator(".jp-OutputArea-output").locator(CONTROLS)
    assert controls.count(), f"{name}: no control to focus"
    for i in range(controls.count()):
        control = controls.nth(i)
        if not control.is_visible() or not control.is_enabled():
            continue
        control.focus()
        assert control.evaluate("e => e === document.activeElement"), f"{name}: control {i}"
        before = page.evaluate(_NOTEBOOK_STATE)
        assert before["active"] == index, f"{name}: focusing control {i} left its cell"
        for key in KEYS:
            page.keyboard.press(key)
        page.wait_for_timeout(300)
        after = page.evaluate(_NOTEBOOK_STATE)
        what = control.evaluate("e => e.outerHTML.slice(0, 80)")
        assert after == before, f"{name}: keys typed into {what} changed the notebook"


_BROKEN_WORDS = """(root) => {
  // Every word or number (letters and digits) of the widget's <pre> panes that
  // the browser drew on more than one line although it fits on one line of its
  // pane. (Lines may still wrap after a hyphen or a slash, as text does.)
  const broken = [];
  for (const pre of root.querySelectorAll('pre')) {
    const text = pre.firstChild;
    if (!text || text.nodeType !== Node.TEXT_NODE) continue;
    const width = pre.clientWidth;
    const re = /[A-Za-z0-9]+/g;
    let m;
    while ((m = re.exec(text.data))) {
      const range = document.createRange();
      range.setStart(text, m.index);
      range.setEnd(text, m.index + m[0].length);
      const rects = Array.from(range.getClientRects()).filter(r => r.width > 0);
      const total = rects.reduce((s, r) => s + r.width, 0);
      if (rects.length > 1 && new Set(rects.map(r => Math.round(r.top))).size > 1
          && total < width) broken.push(m[0]);
    }
  }
  return broken;
}"""


def test_attack_explorer_breaks_lines_between_words(run_notebook):
    """At a laptop's 1366 px, the explorer's three panes are narrow: lines
    wrap, but never inside a word or number that fits (``250-SIZE 335544 / 32``)."""
    path, index = _widget_cell("attack_explorer")
    page, _ = run_notebook(path.relative_to(NOTEBOOKS).as_posix())
    page.bring_to_front()
    page.set_viewport_size({"width": 1366, "height": 768})
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    cell.scroll_into_view_if_needed()
    out = cell.locator(".jp-OutputArea-output").first
    selects = cell.locator("select")  # the stripping case, whatever ran before
    selects.nth(0).select_option("strip")
    selects.nth(1).select_option("opportunistic")
    cell.get_by_role("button", name="send the message").click()
    _expect()(out).to_contain_text("strip x opportunistic", timeout=30_000)
    _expect()(out).to_contain_text("SIZE")
    broken = out.evaluate(_BROKEN_WORDS)
    assert not broken, f"tokens broken across lines: {broken[:10]}"


def test_lab_live_toggle_says_which_is_pressed(run_notebook):
    """A screen reader hears which of the inspector's lab/live buttons is on."""
    path, index = _widget_cell("inspector")
    page, _ = run_notebook(path.relative_to(NOTEBOOKS).as_posix())
    page.bring_to_front()
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    cell.scroll_into_view_if_needed()
    lab = cell.get_by_role("button", name="lab", exact=True)
    live = cell.get_by_role("button", name="live", exact=True)
    expect = _expect()
    expect(lab).to_have_attribute("aria-pressed", "true")
    expect(live).to_have_attribute("aria-pressed", "false")
    live.click()
    expect(live).to_have_attribute("aria-pressed", "true")
    expect(lab).to_have_attribute("aria-pressed", "false")
    lab.click()
    expect(lab).to_have_attribute("aria-pressed", "true")


_CLIPPED = """(root) => Array.from(root.querySelectorAll('.widget-html, .widget-html-content, .widget-box'))
  .filter(e => e.offsetParent !== null && e.scrollWidth > e.clientWidth + 1)
  .map(e => e.innerText.slice(0, 60))"""


def test_long_unbroken_input_wraps_instead_of_being_clipped(run_notebook):
    """A 300-character name typed into the inspector and into the MX
    playground is shown whole, wrapped, not cut at the widget's edge."""
    long = "a" * 60 + "." + "b" * 240 + ".example"
    expect = _expect()
    for name in ("inspector", "mx_playground"):
        path, index = _widget_cell(name)
        page, _ = run_notebook(path.relative_to(NOTEBOOKS).as_posix())
        page.bring_to_front()
        cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
        cell.scroll_into_view_if_needed()
        out = cell.locator(".jp-OutputArea-output").first
        box = cell.locator("input[type=text]").last
        box.fill(long)
        box.press("Enter")
        expect(out).to_contain_text("b" * 40, timeout=30_000)
        page.wait_for_timeout(500)
        clipped = out.evaluate(_CLIPPED)
        assert not clipped, f"{name}: clipped: {clipped}"
