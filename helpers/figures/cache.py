"""The MTA-STS policy cache over simulated time (RFC 8461 §5.1)."""

from __future__ import annotations

import matplotlib.pyplot as plt

from ._common import CLEAR_COLOUR, TLS_COLOUR, _done


_ACTION_ROWS = ("fetched", "cached", "kept-after-failure", "kept-without-record", "none")
_ACTION_COLOURS = {"fetched": "#1971c2", "cached": TLS_COLOUR, "kept-after-failure": "#e67700",
                   "kept-without-record": "#e67700", "none": CLEAR_COLOUR}


def cache_timeline(decisions, events=(), title: str = "MTA-STS policy cache over time"):
    """The §5.1 cache over simulated time: one marker per message sent, on the
    row of what the cache did, labelled with the policy id that applied;
    ``events`` are (time, text) changes made by the domain's operator."""
    fig, ax = plt.subplots(figsize=(9, 3.6))
    if not decisions:
        return _done(fig)
    t0 = decisions[0].at
    shown_id = object()
    for d in decisions:
        x = (d.at - t0) / 86400
        y = _ACTION_ROWS.index(d.action)
        ax.scatter([x], [y], s=60, color=_ACTION_COLOURS[d.action], zorder=3)
        if d.id != shown_id:  # label the policy in force only when it changes
            ax.annotate(f"id {d.id}" if d.id else "no policy", (x, y),
                        textcoords="offset points", xytext=(6, -12), fontsize=7)
            shown_id = d.id
    for i, (t, text) in enumerate(events):
        x = (t - t0) / 86400
        ax.axvline(x, color="#868e96", ls="--", lw=1, zorder=1)
        ax.text(x, len(_ACTION_ROWS) - 0.7 + 0.45 * (i % 2), " " + text, fontsize=7,
                ha="left", va="center", color="#495057")
    ax.set_yticks(range(len(_ACTION_ROWS)), _ACTION_ROWS)
    ax.set_ylim(-0.6, len(_ACTION_ROWS) + 0.1)
    ax.set_xlim(-0.5, max((d.at - t0) / 86400 for d in decisions) + 1.8)
    ax.invert_yaxis()
    ax.set_xlabel("days since the first message")
    ax.set_ylabel("what the cache did")
    ax.set_title(title, fontsize=11)
    ax.grid(axis="x", color="#e9ecef")
    return _done(fig)
