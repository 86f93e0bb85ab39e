"""Figures for a projector: measured with matplotlib's own layout.

A notebook shows a figure as a PNG at ``figure.dpi`` (100), cropped to its
tight bounding box, one image pixel per CSS pixel, scaled down only when it
is wider than the output area. In a 1024 px browser window JupyterLab's
output area is about 840 px wide (left sidebar collapsed). So for each figure:
displayed size of a text = its points x dpi/96 x min(1, 840 / width in px),
and it must be at least 9 pt; no text is cut short ('...'); no two texts
overlap; a matrix cell's words stay inside the cell.
"""

from __future__ import annotations

import itertools

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
import pytest

from helpers import dane, figures, smtp
from helpers.attacks import run_matrix

OUTPUT_AREA_PX = 840
MIN_PT = 9.0


def _texts(fig):
    if not hasattr(fig.canvas, "get_renderer"):  # closed in pyplot: give it Agg's
        FigureCanvasAgg(fig)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    return renderer, [t for t in fig.findobj(matplotlib.text.Text)
                      if t.get_visible() and t.get_text().strip()]


def _displayed_sizes(fig):
    renderer, texts = _texts(fig)
    width_px = fig.get_tightbbox(renderer).width * fig.dpi
    scale = min(1.0, OUTPUT_AREA_PX / width_px)
    return width_px, [(t.get_text(), t.get_fontsize() * fig.dpi / 96 * scale) for t in texts]


def assert_legible(fig):
    width_px, sizes = _displayed_sizes(fig)
    small = [(text, round(pt, 1)) for text, pt in sizes if pt < MIN_PT]
    assert not small, f"text under {MIN_PT} pt at {width_px:.0f} px wide: {small[:3]}"
    renderer, texts = _texts(fig)
    cut = [t.get_text() for t in texts if "..." in t.get_text().replace("...=", "")
           and not t.get_text().startswith("server certificate")]
    assert not cut, f"text cut short: {cut}"
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts]
    for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
        assert not box_a.overlaps(box_b), f"{a!r} overlaps {b!r}"


def _transcript(lab):
    return smtp.deliver("mx1.example.com", lab.net, "Subject: x\r\n\r\ny\r\n",
                        sender="a-rather-long-sender-address@sender.example",
                        recipients=["b@example.com"]).transcript


def test_sequence_diagram_is_legible_and_shows_every_word(lab):
    transcript = _transcript(lab)
    fig = figures.sequence_diagram(transcript)
    assert_legible(fig)
    drawn = " ".join(t.get_text() for t in fig.axes[0].texts).split()
    assert "FROM:<a-rather-long-sender-address@sender.example>" in drawn


def test_sequence_diagram_draws_server_text_literally(lab):
    """A reply with TeX in it ($\\x$) is drawn as it is, not parsed (and so
    cannot make the figure raise)."""
    import dataclasses

    transcript = _transcript(lab)
    odd = dataclasses.replace(transcript.lines[0], data=b"220 mx1 ready $\\x$ 50% off_{a}\r\n")
    transcript = dataclasses.replace(transcript, lines=(odd, *transcript.lines[1:]))
    fig = figures.sequence_diagram(transcript)
    _texts(fig)
    assert any("$\\x$ 50% off_{a}" in t.get_text() for t in fig.axes[0].texts)


def assert_words_inside_cells(fig):
    """Each cell's words stay inside its box (a matrix figure: patches and texts pair up)."""
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    for patch, text in zip(ax.patches, ax.texts):
        cell = patch.get_window_extent(renderer)
        words = text.get_window_extent(renderer)
        assert cell.x0 <= words.x0 and words.x1 <= cell.x1 and cell.y0 <= words.y0 \
            and words.y1 <= cell.y1, f"{text.get_text()!r} spills out of its cell"


def test_attack_matrix_is_legible_with_words_inside_cells(lab):
    fig = figures.attack_matrix(run_matrix(lab))
    assert_legible(fig)
    assert_words_inside_cells(fig)


@pytest.mark.parametrize("host", ["mx1.example.com", "mx.dnssec-bogus.example"])
def test_chain_of_trust_is_legible(lab, host):
    fig = figures.chain_of_trust(dane.lookup_tlsa(host, lab.net),
                                 lab.certificate("mx1.example.com").cert)
    assert_legible(fig)


def test_sequence_diagram_draws_control_and_bidi_characters_escaped(lab):
    import dataclasses

    transcript = _transcript(lab)
    odd = dataclasses.replace(transcript.lines[0], data="220 mx\u202eevil \x1b[31m\r\n".encode())
    transcript = dataclasses.replace(transcript, lines=(odd, *transcript.lines[1:]))
    fig = figures.sequence_diagram(transcript)
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert "\u202e" not in texts and "\x1b" not in texts
    assert "mx\\u202eevil" in texts and "\\x1b[31m" in texts


def test_conformance_matrix_is_legible_with_words_inside_cells():
    from helpers.mta import conformance
    fig = figures.conformance_matrix(conformance.load()[0])
    assert_legible(fig)
    assert_words_inside_cells(fig)
