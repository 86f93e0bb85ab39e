"""SMTP sequence diagrams: who sent what, in the clear or inside TLS."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
from matplotlib.patches import Patch

from ..smtp import CLIENT, Transcript
from ._common import CLEAR_COLOUR, HANDSHAKE_COLOUR, TLS_COLOUR, _done

# Sizes for a projector: the figure fits a 1024 px browser window without
# being scaled down, and no text is under 9.5 pt (tests/test_figures_legible.py).
WIDTH_IN = 8.0
FONT = 9.5
_WRAP = 52          # characters per line of an arrow's label (monospace)
_LINE_IN = 0.19     # height of one label line
_GAP_IN = 0.12      # from a label's last line to its arrow, and to the next step


def _steps(transcript: Transcript):
    """Arrows to draw: one per command or reply (a multiline reply is one
    arrow, as it is one reply), the message body folded into one."""
    steps: list[list] = []
    body: list = []
    continuing = False
    for i, line in enumerate(transcript.lines):
        if i == transcript.tls_starts_at:
            steps.append(["handshake", None, None])
            continuing = False
        if line.note in ("message content", "end of message"):
            body.append(line)
            if line.note == "end of message":
                steps.append([CLIENT, f"message ({len(body) - 1} lines) + '.'",
                              body[0].encrypted])
                body = []
            continue
        if continuing and steps and steps[-1][0] == line.sender:
            steps[-1][1] += "  " + line.shown
        else:
            steps.append([line.sender, line.shown, line.encrypted])
        # RFC 5321 §4.2.1: "250-" continues a reply, "250 " ends it.
        continuing = line.sender != CLIENT and line.text[3:4] == "-"
    return [tuple(s) for s in steps]


def _wrapped(text: str) -> list[str]:
    """A label cut at spaces, never inside a word; a word longer than a line
    (a long address, say) is split rather than cut off."""
    return textwrap.wrap(text, _WRAP, break_on_hyphens=False) or [""]


def sequence_diagram(transcript: Transcript, title: str | None = None):
    """The SMTP dialogue as a sequence diagram: client on the left, server on the
    right, time downwards; cleartext arrows warm, encrypted arrows green, the
    TLS handshake a band between them. Every word the peers sent is shown,
    as literal text (server replies are untrusted: no mathtext)."""
    steps = [(who, _wrapped(text) if text is not None else None, enc)
             for who, text, enc in _steps(transcript)]
    rows, y = [], 0.5
    for who, lines, encrypted in steps:
        height = _LINE_IN * (len(lines) if lines else 1) + 2 * _GAP_IN
        rows.append((y, height, who, lines, encrypted))
        y += height
    total = y + 0.2
    fig, ax = plt.subplots(figsize=(WIDTH_IN, total + 1.0))
    left, right = 0.8, WIDTH_IN - 0.8
    ax.set_xlim(0, WIDTH_IN)
    ax.set_ylim(total, 0)
    for x, who in ((left, "sending MTA (client)"), (right, f"{transcript.host} (server)")):
        ax.plot([x, x], [0.35, total], color="#868e96", lw=1.5, zorder=1)
        ax.text(x, 0.3, who, ha="center", va="bottom", fontsize=FONT + 0.5, weight="bold",
                parse_math=False)
    for top, height, who, lines, encrypted in rows:
        if who == "handshake":
            ax.axhspan(top + 0.05, top + height - 0.05, color=HANDSHAKE_COLOUR, zorder=0)
            tls = transcript.tls
            label = f"TLS handshake ({tls.version}, {tls.cipher})" if tls else "TLS handshake"
            ax.text(WIDTH_IN / 2, top + height / 2, label, ha="center", va="center",
                    fontsize=FONT, style="italic", parse_math=False)
            continue
        start, end = (left, right) if who == CLIENT else (right, left)
        colour = TLS_COLOUR if encrypted else CLEAR_COLOUR
        arrow_y = top + height - _GAP_IN / 2
        ax.annotate("", xy=(end, arrow_y), xytext=(start, arrow_y),
                    arrowprops=dict(arrowstyle="->", color=colour, lw=1.4), zorder=2)
        ax.text(WIDTH_IN / 2, arrow_y - 0.04, "\n".join(lines), ha="center", va="bottom",
                fontsize=FONT, family="monospace", color=colour, linespacing=1.15,
                parse_math=False)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_ylabel("time (downwards)", fontsize=FONT)
    ax.set_xlabel("who sends: an arrow goes from sender to receiver", fontsize=FONT)
    ax.set_title(title or f"SMTP session with {transcript.host}", fontsize=FONT + 2,
                 parse_math=False)
    ax.legend(handles=[Patch(color=CLEAR_COLOUR, label="in the clear: anyone on the path reads it"),
                       Patch(color=TLS_COLOUR, label="inside TLS: encrypted")],
              loc="upper center", bbox_to_anchor=(0.5, -0.01 - 0.35 / (total + 1.0)), ncol=2,
              fontsize=FONT, frameon=False, handlelength=1.2, columnspacing=1.0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    return _done(fig)
