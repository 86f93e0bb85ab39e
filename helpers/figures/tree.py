"""The sending MTA's decision tree (helpers.policy.TREE), with a path highlighted.

Drawn from the same data structure the sender decides with, so the figure
cannot drift from the code: every box is a node of ``TREE``, every arrow one
of its branches, labelled with the answer. Sized for a 1024-pixel-wide
display (10 in at 100 dpi, at most 1024 pixels once cropped), with no text
smaller than 10 pt.
"""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt

from ._common import CLEAR_COLOUR, TLS_COLOUR, _done

WIDTH_IN, DPI = 10.0, 100
# 10 pt, so that text stays above 9 pt when the figure is shown a little
# narrower than 1024 pixels (a notebook column in a 1024-pixel window).
MIN_FONT = 10.0

# Where each node sits (x from 0 to 10, y from 0 at the top, one row per level).
_POSITIONS = {
    "mx": (4.6, 0.0), "defer": (9.2, 0.0),
    "tlsa": (1.6, 1.5), "implicit": (4.6, 1.5), "bounce": (9.2, 1.5),
    "dane": (0.3, 3.0), "skip-dnssec": (2.4, 3.0), "unusable": (4.6, 3.0), "sts": (7.6, 3.0),
    "dane-encrypt": (1.5, 4.3), "match": (4.6, 4.3), "sts-testing": (7.2, 4.3),
    "opportunistic": (9.3, 4.3),
    "sts-enforce": (3.4, 5.6), "skip-sts": (5.8, 5.6),
}
# Where along an arrow its answer is written, where the default (half-way)
# would collide with a neighbour's.
_LABEL_AT = {("tlsa", "dane"): 0.42, ("tlsa", "skip-dnssec"): 0.5, ("tlsa", "unusable"): 0.45,
             ("tlsa", "sts"): 0.62, ("mx", "sts"): 0.62, ("sts", "opportunistic"): 0.5,
             ("mx", "tlsa"): 0.45, ("mx", "implicit"): 0.5, ("mx", "defer"): 0.5,
             ("mx", "bounce"): 0.3, ("implicit", "tlsa"): 0.5, ("implicit", "bounce"): 0.5,
             ("implicit", "defer"): 0.55, ("implicit", "sts"): 0.35}
# Leaf colours by what reaches the wire: authenticated TLS, TLS that may be
# unauthenticated, possibly the clear, or nothing (this MX is not used).
_LEAF = {"dane": ("#d3f9d8", TLS_COLOUR), "sts-enforce": ("#d3f9d8", TLS_COLOUR),
         "dane-encrypt": ("#fff3bf", "#e67700"),
         # Testing mode delivers whatever the check says (RFC 8461 §5): an attacker who
         # strips STARTTLS gets the mail in the clear, as with no policy at all.
         "sts-testing": ("#ffe8cc", CLEAR_COLOUR), "opportunistic": ("#ffe8cc", CLEAR_COLOUR),
         "bounce": ("#e5dbff", "#5f3dc4")}
_SKIP = ("#d0ebff", "#1971c2")
_QUESTION = ("#f1f3f5", "#495057")
_PATH = "#212529"
_FADED_TEXT = "#5c636a"  # 6.1:1 on white: faded, yet readable (WCAG AA 4.5:1)


def _box_text(node) -> str:
    return "\n".join(textwrap.wrap(node.text, 20, break_on_hyphens=False)) + f"\n{node.rfc}"


def decision_tree(trace=None, host: str | None = None, title: str | None = None):
    """The sender's tree; with ``trace`` (a :class:`helpers.policy.Trace`), the
    path it took (for MX ``host`` only, if given) is drawn bold and the rest
    faded."""
    from ..policy import TREE

    if set(_POSITIONS) != set(TREE):
        raise ValueError("the figure's layout does not cover helpers.policy.TREE")
    on_path = set(trace.path(host)) if trace is not None else set(TREE)
    edges = trace.edges(host) if trace is not None else set()
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 8.8), dpi=DPI)
    ax.set_xlim(-0.45, 10.45)
    ax.set_ylim(6.45, -0.6)
    ax.axis("off")
    boxes = {}
    for node_id, node in TREE.items():
        x, y = _POSITIONS[node_id]
        face, edge = (_QUESTION if not node.leaf else _LEAF.get(node_id, _SKIP))
        bold = node_id in on_path and trace is not None
        faded = node_id not in on_path
        # Faded: the box, not its words (they keep 4.5:1 contrast, WCAG AA).
        boxes[node_id] = ax.text(
            x, y, _box_text(node), ha="center", va="center", fontsize=MIN_FONT,
            weight="bold" if bold else "normal", color=_FADED_TEXT if faded else _PATH,
            bbox=dict(boxstyle="round,pad=0.35" if node.leaf else "square,pad=0.35",
                      fc=face, ec=_PATH if bold else edge, lw=2.6 if bold else 1.0,
                      alpha=0.45 if faded else 1.0))
    for node_id, node in TREE.items():
        for label, target in node.branches:
            taken = (node_id, target) in edges
            colour = _PATH if taken else "#adb5bd"  # a line, not text
            ax.annotate("", xy=_POSITIONS[target], xytext=_POSITIONS[node_id],
                        arrowprops=dict(arrowstyle="-|>", color=colour,
                                        lw=2.6 if taken else 1.0,
                                        patchA=boxes[node_id].get_bbox_patch(),
                                        patchB=boxes[target].get_bbox_patch(),
                                        shrinkA=1, shrinkB=1), zorder=0)
            (x0, y0), (x1, y1) = _POSITIONS[node_id], _POSITIONS[target]
            at = _LABEL_AT.get((node_id, target), 0.55)
            ax.text(x0 + at * (x1 - x0), y0 + at * (y1 - y0),
                    "\n".join(textwrap.wrap(label, 14)), ha="center", va="center",
                    fontsize=MIN_FONT, color=_PATH if taken else _FADED_TEXT,
                    weight="bold" if taken else "normal",
                    bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.9))
    if title is None:
        title = "The sending MTA's decision tree, per MX host (RFC 7672 §2.2, RFC 8461 §2-5)"
        if trace is not None:
            which = f", MX {host}" if host else ""
            title = f"The path of {trace.domain} for an {trace.mode} sender{which}"
    ax.set_title(title, fontsize=12.5)
    fig.text(0.5, 0.01, "Grey boxes ask a question; rounded boxes are rules: green = TLS "
             "authenticated, yellow = TLS maybe unauthenticated, orange = maybe in the clear, "
             "blue = not delivered there, purple = returned to the sender."
             + (" Bold: the path taken." if trace else ""),
             ha="center", va="bottom", fontsize=MIN_FONT, wrap=True)
    return _done(fig)
