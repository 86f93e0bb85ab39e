"""The Postfix conformance matrix of notebook 08: where a real Postfix and the
course's Sender agree, and which explained divergence each difference is."""

from __future__ import annotations

import textwrap
from collections import Counter

import matplotlib.pyplot as plt

from ._common import _done

FONT = 9.5
_AGREE, _DIFFER = "#d3f9d8", "#ffe8cc"


def conformance_matrix(cells, title: str | None = None):
    """Set-ups (rows) x attacks (columns); each cell says how many domains agree
    and names the divergences by their marks (D1, D2 ... of
    :func:`helpers.mta.conformance.summary`), in words. Colour and hatching repeat what the
    words say (green: all agree; orange, hatched: some differ)."""
    setups = list(dict.fromkeys(c.setup for c in cells))
    attacks = list(dict.fromkeys(c.attack for c in cells))
    from ..mta.conformance import EXPECTED, mark
    # Sized for a projector: 6 x 6 cells fit an 840 px output area at >= 9 pt.
    fig, ax = plt.subplots(figsize=(1.25 * len(attacks) + 1.4, 0.95 * len(setups) + 1.6))
    for i, setup in enumerate(setups):
        for j, attack in enumerate(attacks):
            here = [c for c in cells if c.setup == setup and c.attack == attack]
            agree = sum(c.agree for c in here)
            kinds = Counter(mark(c.divergence) for c in here if not c.agree)
            differ = agree < len(here)
            ax.add_patch(plt.Rectangle((j, i), 1, 1, facecolor=_DIFFER if differ else _AGREE,
                                       hatch="//" if differ else None, edgecolor="white",
                                       lw=2))
            lines = [f"{agree}/{len(here)} agree"]
            lines += [f"≠ {k} ×{n}" for k, n in sorted(kinds.items())]
            ax.text(j + 0.5, i + 0.5, "\n".join(lines), ha="center", va="center",
                    fontsize=FONT, linespacing=1.1, parse_math=False,
                    bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none",
                          "pad": 1.5} if differ else None)
    ax.set_xlim(0, len(attacks))
    ax.set_ylim(len(setups), 0)
    ax.set_xticks([j + 0.5 for j in range(len(attacks))],
                  ["\n".join(textwrap.wrap(a, 11)) for a in attacks], fontsize=FONT + 0.5)
    ax.set_yticks([i + 0.5 for i in range(len(setups))], setups, fontsize=FONT + 0.5)
    ax.xaxis.tick_top()
    ax.set_xlabel("the attack (on every lab domain at once)", fontsize=FONT)
    ax.set_ylabel("the Postfix set-up", fontsize=FONT)
    ax.set_title("\n".join(textwrap.wrap(
        title or "Postfix beside the course's Sender: domains that agree, and the "
                 f"divergences (D1 to D{len(EXPECTED)}) where they do not", 60)),
        fontsize=FONT + 1.5, pad=12, parse_math=False)
    for side in ax.spines.values():
        side.set_visible(False)
    ax.tick_params(length=0)
    return _done(fig)
