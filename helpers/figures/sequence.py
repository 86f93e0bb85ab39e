"""SMTP sequence diagrams: who sent what, in the clear or inside TLS."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import Patch

from ..smtp import CLIENT, Transcript
from ._common import CLEAR_COLOUR, HANDSHAKE_COLOUR, TLS_COLOUR, _done


def _steps(transcript: Transcript):
    """Arrows to draw: one per command or reply, the message body folded into one."""
    steps = []
    body: list = []
    for i, line in enumerate(transcript.lines):
        if i == transcript.tls_starts_at:
            steps.append(("handshake", None, None))
        if line.note in ("message content", "end of message"):
            body.append(line)
            if line.note == "end of message":
                steps.append((CLIENT, f"message ({len(body) - 1} lines) + '.'", body[0].encrypted))
                body = []
            continue
        text = line.text if len(line.text) <= 38 else line.text[:35] + "..."
        steps.append((line.sender, text, line.encrypted))
    return steps


def sequence_diagram(transcript: Transcript, title: str | None = None):
    """The SMTP dialogue as a sequence diagram: client on the left, server on the
    right, time downwards; cleartext arrows warm, encrypted arrows green, the
    TLS handshake a band between them."""
    steps = _steps(transcript)
    height = 0.32 * len(steps) + 1.4
    fig, ax = plt.subplots(figsize=(9, height))
    n = len(steps)
    ax.set_xlim(0, 10)
    ax.set_ylim(n + 0.5, -0.8)
    for x, who in ((1.5, "sending MTA (client)"), (8.5, f"{transcript.host} (server)")):
        ax.plot([x, x], [-0.3, n + 0.2], color="#868e96", lw=1.5, zorder=1)
        ax.text(x, -0.55, who, ha="center", va="bottom", fontsize=9, weight="bold")
    for y, (who, text, encrypted) in enumerate(steps):
        if who == "handshake":
            ax.axhspan(y - 0.4, y + 0.4, color=HANDSHAKE_COLOUR, zorder=0)
            tls = transcript.tls
            label = f"TLS handshake ({tls.version}, {tls.cipher})" if tls else "TLS handshake"
            ax.text(5, y, label, ha="center", va="center", fontsize=8, style="italic")
            continue
        start, end = (1.5, 8.5) if who == CLIENT else (8.5, 1.5)
        colour = TLS_COLOUR if encrypted else CLEAR_COLOUR
        ax.annotate("", xy=(end, y), xytext=(start, y),
                    arrowprops=dict(arrowstyle="->", color=colour, lw=1.4), zorder=2)
        ax.text(5, y - 0.08, text, ha="center", va="bottom", fontsize=7.5,
                family="monospace", color=colour)
    ax.set_xticks([1.5, 8.5], ["client", "server"])
    ax.set_yticks([])
    ax.set_ylabel("time (downwards)")
    ax.set_xlabel("who sends: an arrow goes from sender to receiver")
    ax.set_title(title or f"SMTP session with {transcript.host}", fontsize=11)
    ax.legend(handles=[Patch(color=CLEAR_COLOUR, label="in the clear: anyone on the path reads it"),
                       Patch(color=TLS_COLOUR, label="inside TLS: encrypted")],
              loc="lower center", bbox_to_anchor=(0.5, -0.02 - 1.2 / height), ncol=2,
              fontsize=8, frameon=False)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    return _done(fig)
