"""The attack x sender-policy matrix of notebook 02."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt

from ._common import _done

# Sized for a projector: fits a 1024 px browser window unscaled; no text
# under 9.5 pt; each cell's words wrapped at spaces inside the cell.
FONT = 9.5
_COL_IN, _ROW_IN, _LABEL_IN = 1.62, 0.92, 1.25


def _cell_text(words: str) -> str:
    outcome, _, alarm = words.partition("; ")
    lines = textwrap.wrap(outcome, 16, break_on_hyphens=False)
    return "\n".join(lines + textwrap.wrap(alarm, 16))


def attack_matrix(matrix, title: str | None = None):
    """The attack × sender-policy matrix: each cell the outcome, in colour and words."""
    from ..sender import BOUNCED, CLEAR, DEFERRED, UNVERIFIED, VERIFIED

    colours = {VERIFIED: "#b2f2bb", UNVERIFIED: "#ffec99", CLEAR: "#ffa8a8",
               DEFERRED: "#a5d8ff", BOUNCED: "#d0bfff"}
    attacks, policies = matrix.attacks, matrix.policies
    fig, ax = plt.subplots(figsize=(_COL_IN * len(policies) + _LABEL_IN,
                                    _ROW_IN * len(attacks) + 1.5))
    for i, attack in enumerate(attacks):
        for j, policy in enumerate(policies):
            cell = matrix.cell(attack, policy)
            ax.add_patch(plt.Rectangle((j, i), 1, 1, facecolor=colours[cell.status],
                                       edgecolor="white", lw=2))
            ax.text(j + 0.5, i + 0.5, _cell_text(cell.words), ha="center", va="center",
                    fontsize=FONT, linespacing=1.1, parse_math=False,
                    weight="bold" if cell.attacker_read else "normal",
                    # dark red: 4.9:1 on the cell's light red (WCAG AA)
                    color="#8f1a1a" if cell.attacker_read else "#212529")
    ax.set_xlim(0, len(policies))
    ax.set_ylim(len(attacks), 0)
    ax.set_xticks([j + 0.5 for j in range(len(policies))], policies, fontsize=FONT + 0.5)
    ax.set_yticks([i + 0.5 for i in range(len(attacks))], attacks, fontsize=FONT + 0.5)
    ax.xaxis.tick_top()
    ax.set_xlabel("the sender's policy", fontsize=FONT)
    ax.set_ylabel("the attack", fontsize=FONT)
    ax.set_title("\n".join(textwrap.wrap(
        title or f"Mail to {matrix.domain}: what each sender does under each attack", 70)),
        fontsize=FONT + 1.5, pad=12, parse_math=False)
    for side in ax.spines.values():
        side.set_visible(False)
    ax.tick_params(length=0)
    return _done(fig)
