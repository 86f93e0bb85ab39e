"""What every figure shares: the colours and how a figure is handed over."""

from __future__ import annotations

import matplotlib.pyplot as plt

# Colours carry one meaning throughout: warm for what anyone on the path can
# read, green for what travels inside TLS.
CLEAR_COLOUR = "#d9480f"
TLS_COLOUR = "#2b8a3e"
HANDSHAKE_COLOUR = "#dde8f5"


def _done(fig):
    """Lay out ``fig`` and hand it over without leaving it open in pyplot: the
    notebook shows it once, as the cell's value, and nothing accumulates."""
    fig.tight_layout()
    plt.close(fig)
    return fig
