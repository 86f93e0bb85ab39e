"""Figures for everyone in the room (issue 22): every text in a figure has
WCAG AA contrast (4.5:1) against what is drawn behind it, computed from the
colours the figure uses; and no distinction is made by colour alone."""

from __future__ import annotations

import matplotlib
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_rgba

from helpers import dane, figures, policy, smtp, tlsrpt
from helpers.attacks import run_matrix

AA_TEXT = 4.5  # WCAG 2.1 success criterion 1.4.3, normal-size text


def luminance(rgb) -> float:
    """WCAG 2.1 relative luminance of an sRGB colour (components 0-1)."""
    def lin(c):
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (lin(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def over(colour, background=(1, 1, 1)):
    """``colour`` (with its alpha) painted on ``background``."""
    r, g, b, a = to_rgba(colour)
    return tuple(a * c + (1 - a) * k for c, k in zip((r, g, b), background))


def _background(text, fig, renderer):
    """The colour behind the middle of ``text``: its own box if it has one,
    else the topmost filled patch under it, else its axes' (or figure's) face."""
    box = text.get_bbox_patch()
    if box is not None and box.get_fill():
        return over(box.get_facecolor())
    ext = text.get_window_extent(renderer)
    x, y = (ext.x0 + ext.x1) / 2, (ext.y0 + ext.y1) / 2
    ax = text.axes
    base = over(ax.get_facecolor()) if ax is not None else over(fig.get_facecolor())
    under = [p for p in (ax.patches if ax is not None else fig.patches)
             if p.get_visible() and p.get_fill() and to_rgba(p.get_facecolor())[3] > 0
             and p.get_window_extent(renderer).contains(x, y)]
    if ax is not None:
        under += [p for c in ax.containers for p in getattr(c, "patches", ())
                  if p not in under and p.get_visible()
                  and p.get_window_extent(renderer).contains(x, y)]
    under.sort(key=lambda p: p.get_zorder())
    for p in under:
        base = over(p.get_facecolor(), base)
    return base


def low_contrast(fig):
    if not hasattr(fig.canvas, "get_renderer"):
        FigureCanvasAgg(fig)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    found = []
    for t in fig.findobj(matplotlib.text.Text):
        if not t.get_visible() or not t.get_text().strip():
            continue
        bg = _background(t, fig, renderer)
        r, g, b, a = to_rgba(t.get_color())
        ratio = contrast(over((r, g, b, a * (t.get_alpha() if t.get_alpha() is not None else 1)), bg), bg)
        if ratio < AA_TEXT:
            found.append((t.get_text()[:40], t.get_color(), round(ratio, 2)))
    return found


def _figures(lab):
    transcript = smtp.deliver("mx1.example.com", lab.net, "Subject: x\r\n\r\ny\r\n",
                              sender="a@sender.example", recipients=["b@example.com"]).transcript
    yield "sequence", figures.sequence_diagram(transcript)
    yield "matrix", figures.attack_matrix(run_matrix(lab))
    cert = lab.certificate("mx1.example.com").cert
    for host in ("mx1.example.com", "mx.dnssec-bogus.example"):
        yield f"trust {host}", figures.chain_of_trust(dane.lookup_tlsa(host, lab.net), cert)
    yield "tree", figures.decision_tree()
    yield "tree traced", figures.decision_tree(policy.trace("sts-mx-mismatch.example", lab.net))
    from tests.test_cache_figure import _story
    decisions, events = _story()
    yield "cache", figures.cache_timeline(decisions, events)
    tlsrpt.simulate_week(lab)
    agg = tlsrpt.aggregate(tlsrpt.collect(lab.mailbox, "tlsrpt@sts-testing.example", net=lab.net))
    yield "reports", figures.report_chart(agg)


def test_every_text_in_every_figure_has_aa_contrast(lab):
    problems = {name: bad for name, fig in _figures(lab) if (bad := low_contrast(fig))}
    assert not problems, f"text under {AA_TEXT}:1 contrast: {problems}"


def test_contrast_formula_matches_wcag_examples():
    assert contrast((0, 0, 0), (1, 1, 1)) == pytest.approx(21)
    assert contrast(over("#767676"), (1, 1, 1)) == pytest.approx(4.54, abs=0.01)


def test_failure_types_differ_by_more_than_colour(lab):
    """06's chart: each result type's bars have a hatching of their own (and the
    legend shows it), so the types are told apart in greyscale too."""
    tlsrpt.simulate_week(lab)
    agg = tlsrpt.aggregate(tlsrpt.collect(lab.mailbox, "tlsrpt@sts-testing.example", net=lab.net))
    fig = figures.report_chart(agg)
    top = fig.axes[0]
    hatches = {}
    for container in top.containers:
        label = container.get_label()
        if label in agg.per_result_type():
            hatches[label] = {p.get_hatch() for p in container.patches}
    assert len(hatches) >= 2
    assert all(len(h) == 1 and None not in h for h in hatches.values()), hatches
    assert len({next(iter(h)) for h in hatches.values()}) == len(hatches), hatches
    from helpers.figures.reports import RESULT_HATCHES
    assert len(set(RESULT_HATCHES.values())) == len(RESULT_HATCHES)


@pytest.mark.parametrize("traced", [False, True])
def test_tree_answers_sit_beside_the_boxes_not_over_them(lab, traced):
    """05's tree: no answer written on an arrow covers part of a box."""
    from helpers.figures.tree import _box_text

    trace = policy.trace("sts-mx-mismatch.example", lab.net) if traced else None
    fig = figures.decision_tree(trace)
    FigureCanvasAgg(fig) if not hasattr(fig.canvas, "get_renderer") else None
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    boxes = {_box_text(n) for n in policy.TREE.values()}
    nodes = [t for t in ax.texts if t.get_text() in boxes]
    answers = [t for t in ax.texts if t.get_text() not in boxes and t.get_text().strip()]
    assert len(nodes) == len(policy.TREE) and answers
    for a in answers:
        ext = a.get_window_extent(renderer)
        for n in nodes:
            box = n.get_bbox_patch().get_window_extent(renderer)
            assert not ext.overlaps(box), (f"answer {a.get_text()!r} covers the box "
                                           f"{n.get_text().splitlines()[0]!r}")


def _solution_notebooks():
    from helpers import notebooks
    return sorted(notebooks.NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))


@pytest.mark.parametrize("path", _solution_notebooks(), ids=lambda p: p.stem)
def test_every_figure_has_a_text_equivalent_beside_it(path):
    """Each cell that draws a figure is followed by its text equivalent: a
    Markdown cell starting "*In words:*" (02's matrix also as a table)."""
    import json

    cells = json.loads(path.read_text())["cells"]
    for i, cell in enumerate(cells):
        if not any("image/png" in o.get("data", {}) for o in cell.get("outputs", [])):
            continue
        after = cells[i + 1] if i + 1 < len(cells) else {}
        text = "".join(after.get("source", ""))
        assert after.get("cell_type") == "markdown" and text.startswith("*In words:*"), (
            f"{path.name} cell {i}: the figure has no text equivalent after it")
        assert len(text.split()) >= 12, f"{path.name} cell {i}: a few words are not enough"
        if "attack_matrix(" in "".join(cell["source"]):
            table = cells[i + 2]
            html = "".join(o.get("data", {}).get("text/html", "")
                           if isinstance(o.get("data", {}).get("text/html", ""), str)
                           else "".join(o["data"]["text/html"])
                           for o in table.get("outputs", []))
            assert "<table" in html, f"{path.name}: the attack matrix has no table after it"
