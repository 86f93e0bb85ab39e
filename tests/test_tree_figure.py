"""The decision-tree figure: drawn from helpers.policy.TREE, path highlighted, legible."""

from __future__ import annotations

import io
import struct

import pytest

from helpers import policy
from helpers.figures import decision_tree
from helpers.figures.tree import _box_text


def _texts(fig):
    return [t for t in fig.findobj(lambda a: hasattr(a, "get_text") and hasattr(a, "get_fontsize"))
            if t.get_text().strip()]


def test_every_node_and_answer_of_the_tree_is_drawn():
    texts = " ".join(t.get_text().replace("\n", " ") for t in _texts(decision_tree()))
    for node in policy.TREE.values():
        assert node.rfc in texts
        for label, _ in node.branches:
            assert label.split()[0] in texts


@pytest.mark.parametrize("column", [1024, 920])  # the window; a notebook column in it
def test_no_text_under_9_pt_when_shown_1024_pixels_wide(column):
    """Rendered as the notebook stores it (cropped PNG at the figure's dpi),
    then scaled down to fit ``column`` pixels if wider: every text stays at 9 pt
    or more (a point being dpi/72 pixels of the PNG)."""
    fig = decision_tree()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    width = struct.unpack(">I", buf.getvalue()[16:20])[0]
    assert width <= 1024
    scale = min(1.0, column / width)
    sizes = [t.get_fontsize() * scale for t in _texts(fig)]
    assert sizes and min(sizes) >= 9


def test_the_path_taken_is_bold_and_the_rest_is_not(lab):
    trace = policy.trace("sts-mx-mismatch.example", lab.net)
    fig = decision_tree(trace)
    bold = {t.get_text() for t in _texts(fig) if t.get_fontweight() == "bold"}
    boxes = {_box_text(n) for n in policy.TREE.values()}
    assert bold & boxes == {_box_text(policy.TREE[n]) for n in trace.path()}
    assert trace.path() == ("mx", "sts", "match", "skip-sts")
    assert "sts-mx-mismatch.example" in fig.axes[0].get_title()
