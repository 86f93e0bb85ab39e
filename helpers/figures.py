"""Figures for the course (matplotlib). Each function returns the Figure,
closed in pyplot, so a notebook cell shows it once as its value.

Colours carry one meaning throughout: warm for what anyone on the path can
read, green for what travels inside TLS.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import Patch

from .smtp import CLIENT, Transcript

CLEAR_COLOUR = "#d9480f"
TLS_COLOUR = "#2b8a3e"
HANDSHAKE_COLOUR = "#dde8f5"


def _done(fig):
    """Lay out ``fig`` and hand it over without leaving it open in pyplot: the
    notebook shows it once, as the cell's value, and nothing accumulates."""
    fig.tight_layout()
    plt.close(fig)
    return fig


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


def chain_of_trust(lookup, certificate=None, title: str | None = None):
    """The DNSSEC chain of trust behind a TLSA lookup, top to bottom: the trust
    anchor, each zone's keys, the signed TLSA record, and (if given) the
    certificate key the record names. Green boxes hold, a red one broke."""
    from .dane import TLSA

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


def attack_matrix(matrix, title: str | None = None):
    """The attack × sender-policy matrix: each cell the outcome, in colour and words."""
    from .sender import CLEAR, DEFERRED, UNVERIFIED, VERIFIED

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
