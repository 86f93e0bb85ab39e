"""The attack x sender-policy matrix of notebook 02."""

from __future__ import annotations

import matplotlib.pyplot as plt

from ._common import _done


def attack_matrix(matrix, title: str | None = None):
    """The attack × sender-policy matrix: each cell the outcome, in colour and words."""
    from ..sender import CLEAR, DEFERRED, UNVERIFIED, VERIFIED

    colours = {VERIFIED: "#b2f2bb", UNVERIFIED: "#ffec99", CLEAR: "#ffa8a8",
               DEFERRED: "#a5d8ff"}
    attacks, policies = matrix.attacks, matrix.policies
    fig, ax = plt.subplots(figsize=(2.3 * len(policies) + 1.8, 0.75 * len(attacks) + 1.6))
    for i, attack in enumerate(attacks):
        for j, policy in enumerate(policies):
            cell = matrix.cell(attack, policy)
            ax.add_patch(plt.Rectangle((j, i), 1, 1, facecolor=colours[cell.status],
                                       edgecolor="white", lw=2))
            words = cell.words.replace("; ATTACKER READ IT", "\nATTACKER READ IT")
            words = words.replace(", ", ",\n", 1) if "\n" not in words else words
            ax.text(j + 0.5, i + 0.5, words, ha="center", va="center", fontsize=7.5,
                    weight="bold" if cell.attacker_read else "normal",
                    color="#c92a2a" if cell.attacker_read else "#212529")
    ax.set_xlim(0, len(policies))
    ax.set_ylim(len(attacks), 0)
    ax.set_xticks([j + 0.5 for j in range(len(policies))], policies)
    ax.set_yticks([i + 0.5 for i in range(len(attacks))], attacks)
    ax.xaxis.tick_top()
    ax.set_xlabel("the sender's policy")
    ax.set_ylabel("the attack")
    ax.set_title(title or f"Mail to {matrix.domain}: what each sender does under each attack",
                 fontsize=11, pad=28)
    for side in ax.spines.values():
        side.set_visible(False)
    ax.tick_params(length=0)
    return _done(fig)
