"""The cache-timeline figure of notebook 03: each operator change is drawn just
before the message that first sees it (cause, then effect), and every text is
legible when the figure is shown 1024 px wide."""

from __future__ import annotations

import matplotlib.text

from helpers import figures, mtasts
from helpers.mtasts import parse_policy

POLICY = parse_policy("version: STSv1\nmode: enforce\nmx: mx.example.com\nmax_age: 604800\n")


def _story():
    clock = mtasts.ManualClock()
    cache = mtasts.PolicyCache(clock=clock)
    events = []
    cache.update("example.com", "A", lambda: POLICY)
    for day, record_id, event in ((1, "A", None), (2, "B", "new id"), (3, None, "TXT removed"),
                                  (4, None, None)):
        clock.advance(86400)
        if event:
            events.append((clock(), event))
        cache.update("example.com", record_id, lambda: POLICY)
    return cache.history, events


def test_each_change_is_drawn_just_before_its_first_effect():
    decisions, events = _story()
    fig = figures.cache_timeline(decisions, events)
    ax = fig.axes[0]
    lines = [line.get_xdata()[0] for line in ax.get_lines()]
    dots = sorted(c.get_offsets()[0][0] for c in ax.collections)
    assert len(lines) == len(events) == 2
    for x, (t, _) in zip(lines, events):
        effect = (t - decisions[0].at) / 86400
        assert x < effect  # drawn before the message that sees the change
        assert not [d for d in dots if x <= d < effect]  # and after every earlier one
        assert effect - x < 0.25


def test_every_text_is_at_least_9_pt_at_1024_px():
    decisions, events = _story()
    fig = figures.cache_timeline(decisions, events)
    width_px = fig.get_figwidth() * 100  # shown at the inline backend's 100 dpi
    scale = min(1.0, 900 / width_px)  # a 1024 px window leaves about 900 px for output
    texts = [t for t in fig.findobj(matplotlib.text.Text) if t.get_text().strip()]
    assert any("TXT removed" in t.get_text() for t in texts)
    for t in texts:
        shown = t.get_fontsize() * scale * 100 / 96  # CSS pt: 96 px per 72 pt
        assert shown >= 9, (t.get_text(), t.get_fontsize())
