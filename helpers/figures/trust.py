"""The DNSSEC chain of trust behind a TLSA lookup."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt

from ._common import CLEAR_COLOUR, TLS_COLOUR, _done

# Sized for a projector: fits a 1024 px browser window unscaled; no text
# under 9.5 pt; each box's text wrapped at spaces, never cut.
FONT = 9.5
WIDTH_IN = 8.0
_WRAP = 84
_LINE_IN = 0.19


def _wrapped(text: str) -> str:
    return "\n".join(textwrap.wrap(text, _WRAP, break_on_hyphens=False))


def chain_of_trust(lookup, certificate=None, title: str | None = None):
    """The DNSSEC chain of trust behind a TLSA lookup, top to bottom: the trust
    anchor, each zone's keys, the signed TLSA record, and (if given) the
    certificate key the record names. Green boxes hold, a red one broke.
    DNS data is drawn as literal text (no mathtext)."""
    from ..dane import TLSA

    steps = [(step, True) for step in lookup.chain]
    if lookup.status in ("bogus", "error"):
        steps.append((f"{lookup.status.upper()}: {lookup.reason}", False))
    elif lookup.records and certificate is not None:
        record = lookup.records[0]
        served = TLSA.from_cert(certificate, record.usage, record.selector, record.matching_type)
        ok = served.data == record.data
        steps.append((f"server certificate: {record.selector_name} {record.matching_type_name} "
                      f"{served.data.hex()[:16]}... "
                      + ("= the TLSA data" if ok else "does NOT match the TLSA data"), ok))
    boxes = [("trust anchor: the root's DS record, configured in the sender", None)]
    boxes += [(_wrapped(text), ok) for text, ok in steps]
    heights = [_LINE_IN * (text.count("\n") + 1) + 0.42 for text, _ in boxes]
    total = sum(heights)
    fig, ax = plt.subplots(figsize=(WIDTH_IN, total + 0.5))
    ax.set_xlim(0, WIDTH_IN)
    ax.set_ylim(total, 0)
    top = 0.0
    for k, ((text, ok), height) in enumerate(zip(boxes, heights)):
        if ok is None:
            face, edge, weight = "#dde8f5", "#1971c2", "bold"
        else:
            face, edge = ("#e6f4e6", TLS_COLOUR) if ok else ("#fde8e0", CLEAR_COLOUR)
            weight = "normal"
        centre = top + height / 2 - 0.05
        ax.text(WIDTH_IN / 2, centre, text, ha="center", va="center", fontsize=FONT,
                weight=weight, linespacing=1.15, parse_math=False,
                bbox=dict(boxstyle="round", fc=face, ec=edge))
        if k + 1 < len(boxes):
            ax.annotate("", xy=(WIDTH_IN / 2, top + height + 0.1), xytext=(WIDTH_IN / 2, top + height - 0.18),
                        arrowprops=dict(arrowstyle="->", color="#495057"))
        top += height
    ax.axis("off")
    ax.set_title(title or f"Chain of trust for the TLSA record of {lookup.mx_host}: "
                 f"{lookup.status}", fontsize=FONT + 1.5, parse_math=False)
    return _done(fig)
