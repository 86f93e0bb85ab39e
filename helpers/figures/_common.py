"""What every figure shares: the colours and how a figure is handed over."""

from __future__ import annotations

import matplotlib.pyplot as plt

# Colours carry one meaning throughout: warm for what anyone on the path can
# read, green for what travels inside TLS. Both dark enough for text on white
# (WCAG AA, 4.5:1: 5.2:1 and 5.3:1; tests/test_figures_access.py computes it).
CLEAR_COLOUR = "#c2410c"
TLS_COLOUR = "#2b7a3b"
HANDSHAKE_COLOUR = "#dde8f5"


def _done(fig):
    """Lay out ``fig`` and hand it over without leaving it open in pyplot: the
    notebook shows it once, as the cell's value, and nothing accumulates."""
    fig.tight_layout()
    plt.close(fig)
    return fig
