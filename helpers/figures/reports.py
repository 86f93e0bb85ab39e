"""TLS-RPT reports over time (RFC 8460 §4): what a domain owner's reports say.

Top: sessions per day, successful ones in green and failed ones stacked by
result type, so an attack shows as a block of ``starttls-not-supported``.
Bottom: each sending organisation's successful and failed sessions, since only
senders that apply a policy can notice (and report) a failure.
Sized for a 1024-pixel-wide notebook: 10 in at 100 dpi, no text under 10 pt.
"""

from __future__ import annotations

import matplotlib.pyplot as plt

from ._common import CLEAR_COLOUR, TLS_COLOUR, _done

# One colour per result type; the ones the course produces first.
RESULT_COLOURS = {
    "starttls-not-supported": CLEAR_COLOUR,
    "certificate-expired": "#7048e8",
    "certificate-host-mismatch": "#ae3ec9",
    "certificate-not-trusted": "#c2255c",
    "validation-failure": "#f59f00",
    "tlsa-invalid": "#1c7ed6",
    "dnssec-invalid": "#0b7285",
    "dane-required": "#5c940d",
    "sts-policy-fetch-error": "#868e96",
    "sts-policy-invalid": "#495057",
    "sts-webpki-invalid": "#212529",
}
_OTHER = "#adb5bd"
# And one hatching per result type, so that the types are told apart without
# colour (in greyscale, by the colour-blind): the legend shows it too.
RESULT_HATCHES = {
    "starttls-not-supported": "//",
    "certificate-expired": "..",
    "certificate-host-mismatch": "xx",
    "certificate-not-trusted": "\\\\",
    "validation-failure": "oo",
    "tlsa-invalid": "++",
    "dnssec-invalid": "--",
    "dane-required": "||",
    "sts-policy-fetch-error": "**",
    "sts-policy-invalid": "OO",
    "sts-webpki-invalid": "x.",
}
_OTHER_HATCH = "/."
FONT = 10  # points; the figure is shown at its own size (1000 px) in a notebook


def _check_counts(agg) -> None:
    """Counts matplotlib can draw (it works in floating point): reports from
    ``parse_report`` hold at most 2^53 - 1 sessions a count; a Report built in
    code may hold any integer."""
    from helpers.tlsrpt import TlsRptError

    totals = [(f"{d:%Y-%m-%d}", agg.successful(d) + agg.failed(d)) for d in agg.days]
    totals += [(org, ok + bad) for org, (ok, bad) in agg.per_organization().items()]
    for where, total in totals:
        try:
            float(total)
        except OverflowError:
            raise TlsRptError(f"a {total.bit_length()}-bit session count is more than the "
                              "chart can draw (counts are at most 2^53 - 1: RFC 7493 §2.2)",
                              rule="§4.4", where=where) from None


def report_chart(agg, title: str = "TLS reports received, per day"):
    """Draw an :class:`~helpers.tlsrpt.Aggregate` (see the module docstring)."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 7.2),
                                      gridspec_kw={"height_ratios": [3, 1.6]})
    days = agg.days
    _check_counts(agg)
    x = list(range(len(days)))
    ok = [agg.successful(d) for d in days]
    top.bar(x, ok, color=TLS_COLOUR, label="successful sessions", width=0.7)
    base = list(ok)
    for result, counts in agg.per_result_type().items():
        heights = [counts[d] for d in days]
        top.bar(x, heights, bottom=base, width=0.7, label=result,
                color=RESULT_COLOURS.get(result, _OTHER),
                hatch=RESULT_HATCHES.get(result, _OTHER_HATCH), edgecolor="white")
        base = [b + h for b, h in zip(base, heights)]
    for i, d in enumerate(days):
        failed = agg.failed(d)
        if failed:
            top.annotate(f"{failed} failed", (i, base[i]), textcoords="offset points",
                         xytext=(0, 4), ha="center", fontsize=FONT, color="#212529")
    top.set_xticks(x, [f"{d:%a}\n{d:%d %b}" for d in days], fontsize=FONT)
    top.tick_params(axis="y", labelsize=FONT)
    top.set_ylabel("sessions reported", fontsize=FONT)
    top.set_ylim(0, max(base, default=1) * 1.25 + 1)
    top.set_title(title, fontsize=12)
    top.legend(fontsize=FONT, loc="upper left", ncol=3, frameon=False)
    top.grid(axis="y", color="#e9ecef")
    top.set_axisbelow(True)

    orgs = agg.per_organization()
    names = list(orgs)
    y = list(range(len(names)))
    good = [orgs[n][0] for n in names]
    bad = [orgs[n][1] for n in names]
    bottom.barh(y, good, color=TLS_COLOUR, height=0.6, label="successful")
    bottom.barh(y, bad, left=good, color=CLEAR_COLOUR, height=0.6, hatch="//",
                edgecolor="white", label="failed")
    for i, (g, b) in enumerate(zip(good, bad)):
        bottom.text(g + b, i, f"  {b} failed" if b else "  none failed", va="center",
                    fontsize=FONT)
    bottom.set_yticks(y, names, fontsize=FONT)
    bottom.tick_params(axis="x", labelsize=FONT)
    bottom.set_xlim(0, max((g + b for g, b in zip(good, bad)), default=1) * 1.5 + 1)
    bottom.invert_yaxis()
    bottom.set_xlabel("sessions over the whole period, per sending organisation", fontsize=FONT)
    bottom.legend(fontsize=FONT, loc="center right", frameon=False)
    bottom.grid(axis="x", color="#e9ecef")
    bottom.set_axisbelow(True)
    return _done(fig)
