"""The MTA-STS policy cache over simulated time (RFC 8461 §3.3, §5.1)."""

from __future__ import annotations

import matplotlib.pyplot as plt

from ._common import CLEAR_COLOUR, TLS_COLOUR, _done

_ACTION_ROWS = ("fetched", "refreshed", "cached", "kept-after-failure", "kept-without-record",
                "none")
_ACTION_COLOURS = {"fetched": "#1971c2", "refreshed": "#1971c2", "cached": TLS_COLOUR,
                   "kept-after-failure": "#e67700", "kept-without-record": "#e67700",
                   "none": CLEAR_COLOUR}
#: Every text at least this size: legible when the figure is shown 1024 px wide.
FONT = 10

def cache_timeline(decisions, events=(), title: str = "MTA-STS policy cache over time"):
    """The cache over simulated time: one marker per message sent, on the row
    of what the cache did, labelled with the policy id that applied when it
    changes. ``events`` are (time, text) changes made by the domain's operator,
    at the time of the first message that could see them: each is drawn as a
    numbered line just before that message (cause, then effect), with its text
    in the key below the plot."""
    fig, (ax, key) = plt.subplots(2, 1, figsize=(8, 4.8),
                                  gridspec_kw={"height_ratios": [4, 1]})
    key.axis("off")
    if not decisions:
        return _done(fig)
    t0 = decisions[0].at
    shown_id = object()
    for d in decisions:
        x = (d.at - t0) / 86400
        y = _ACTION_ROWS.index(d.action)
        ax.scatter([x], [y], s=70, color=_ACTION_COLOURS[d.action], zorder=3)
        if d.id != shown_id:  # label the policy in force only when it changes
            ax.annotate(f"id {d.id}" if d.id else "no policy", (x, y),
                        textcoords="offset points", xytext=(6, 7), fontsize=FONT,
                        color="#343a40", zorder=4,
                        bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none"})
            shown_id = d.id
    lead = 0.08  # days: the line sits just before the message it affects
    for i, (t, _text) in enumerate(events):
        x = (t - t0) / 86400 - lead
        ax.axvline(x, color="#868e96", ls="--", lw=1.2, zorder=1)
        ax.text(x, -0.75, str(i + 1), fontsize=FONT, ha="center", va="center",
                color="#495057", bbox={"boxstyle": "circle,pad=0.25", "fc": "white",
                                       "ec": "#868e96"})
    ax.set_yticks(range(len(_ACTION_ROWS)), _ACTION_ROWS, fontsize=FONT)
    ax.tick_params(axis="x", labelsize=FONT)
    ax.set_ylim(-1.1, len(_ACTION_ROWS) - 0.4)
    last = max((d.at - t0) / 86400 for d in decisions)
    ax.set_xlim(-0.5, last + 1.2)
    ax.invert_yaxis()
    ax.set_xlabel("days since the first message", fontsize=FONT)
    ax.set_title(title, fontsize=FONT + 2)
    ax.grid(axis="x", color="#e9ecef")
    if events:
        entries = [f"({i + 1}) {text}" for i, (_, text) in enumerate(events)]
        rows = [entries[i:i + 2] for i in range(0, len(entries), 2)]
        key.text(0.0, 1.0, "\n".join("      ".join(r) for r in rows), fontsize=FONT,
                 va="top", ha="left", transform=key.transAxes, color="#343a40",
                 linespacing=1.5)
    return _done(fig)
