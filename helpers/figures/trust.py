"""The DNSSEC chain of trust behind a TLSA lookup."""

from __future__ import annotations

import matplotlib.pyplot as plt

from ._common import CLEAR_COLOUR, TLS_COLOUR, _done


def chain_of_trust(lookup, certificate=None, title: str | None = None):
    """The DNSSEC chain of trust behind a TLSA lookup, top to bottom: the trust
    anchor, each zone's keys, the signed TLSA record, and (if given) the
    certificate key the record names. Green boxes hold, a red one broke."""
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
    fig, ax = plt.subplots(figsize=(8, 0.75 * (len(steps) + 1) + 0.6))
    ax.set_xlim(0, 10)
    ax.set_ylim(len(steps) + 0.2, -0.8)
    ax.text(5, -0.4, "trust anchor: the root's DS record, configured in the sender",
            ha="center", va="center", fontsize=8, weight="bold",
            bbox=dict(boxstyle="round", fc="#dde8f5", ec="#1971c2"))
    for i, (step, ok) in enumerate(steps):
        colour = ("#e6f4e6", TLS_COLOUR) if ok else ("#fde8e0", CLEAR_COLOUR)
        ax.annotate("", xy=(5, i + 0.65 - 0.3), xytext=(5, i - 0.1),
                    arrowprops=dict(arrowstyle="->", color="#495057"))
        ax.text(5, i + 0.65, step if len(step) < 100 else step[:97] + "...", ha="center",
                va="center", fontsize=7.5, bbox=dict(boxstyle="round", fc=colour[0], ec=colour[1]))
    ax.axis("off")
    ax.set_title(title or f"Chain of trust for the TLSA record of {lookup.mx_host}: "
                 f"{lookup.status}", fontsize=10)
    return _done(fig)
