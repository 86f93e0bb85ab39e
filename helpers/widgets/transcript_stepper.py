"""Notebook 01: step through an SMTP transcript line by line (RFC 5321, RFC 3207).

Each step shows the next line of the session beside what a passive
eavesdropper on the path gets from it: the exact line while the session is in
the clear, only TLS records once STARTTLS has switched (RFC 3207 §4).
"""

from __future__ import annotations

import html

import ipywidgets as w

from ..smtp import CLIENT, Transcript
from ._common import CourseWidget

# The clear is light, TLS darker (luminance 0.89 and 0.73, apart in greyscale
# too), and each row also says which in words: never colour alone. Text on
# either has over 12:1 contrast (WCAG AA asks 4.5:1).
CLEAR_BG, TLS_BG, NOW_BORDER = "#fff0e6", "#c3e6cb", "#1c7ed6"
TEXT = "#212529"


def _who(line) -> str:
    return "client" if line.sender == CLIENT else "server"


def eavesdropper_view(line) -> str:
    """What a passive tap reads of ``line``: the line itself, or only ciphertext."""
    if line.encrypted:
        return (f"only TLS records carrying {len(line.data)} encrypted bytes: "
                "unreadable without the session keys")
    return line.shown


class TranscriptStepper(CourseWidget):
    """Handles: ``back``, ``next`` (buttons), ``step`` (slider: lines shown),
    ``line`` (HTML: the current line and what it is), ``eavesdropper`` (HTML:
    what a tap on the path reads of it), ``so_far`` (HTML: the lines so far)."""

    def __init__(self, transcript: Transcript, start: int = 1):
        if not transcript.lines:
            raise ValueError("the transcript is empty: deliver a message first, "
                             "e.g. smtp.deliver(...).transcript")
        self.transcript = transcript
        n = len(transcript.lines)
        self.back = w.Button(description="◀ back", tooltip="previous line")
        self.next = w.Button(description="next ▶", tooltip="next line")
        self.step = w.IntSlider(value=max(1, min(start, n)), min=1, max=n,
                                description="line", continuous_update=True)
        self.line = w.HTML()
        self.eavesdropper = w.HTML()
        self.so_far = w.HTML()
        self.back.on_click(lambda _: self._move(-1))
        self.next.on_click(lambda _: self._move(+1))
        self.step.observe(lambda _: self._show(), names="value")
        self.root = w.VBox([
            w.HTML(f"<b>Step through the session with <code>{html.escape(transcript.host)}"
                   "</code></b>: red lines travel in the clear, green ones inside TLS."),
            w.HBox([self.back, self.step, self.next]),
            self.line, self.eavesdropper, self.so_far])
        self._show()

    @property
    def current(self):
        return self.transcript.lines[self.step.value - 1]

    def _move(self, delta: int) -> None:
        self.step.value = max(self.step.min, min(self.step.max, self.step.value + delta))

    def _show(self) -> None:
        i, line = self.step.value - 1, self.current
        where = "inside TLS" if line.encrypted else "in the clear"
        colour = TLS_BG if line.encrypted else CLEAR_BG
        note = f" ({html.escape(line.note)})" if line.note else ""
        self.line.value = (
            f'<div style="background:{colour};color:{TEXT};padding:4px">line {i + 1} of '
            f"{len(self.transcript.lines)}, from the {_who(line)}, {where}{note}:<br>"
            f"<code>{html.escape(line.shown)}</code></div>")
        self.eavesdropper.value = (
            f"<div><b>an eavesdropper on the path reads:</b> "
            f"<code>{html.escape(eavesdropper_view(line))}</code></div>")
        rows = []
        for j, seen in enumerate(self.transcript.lines[:i + 1]):
            if j == self.transcript.tls_starts_at:
                rows.append('<div style="text-align:center;background:#dde8f5">'
                            "=== TLS handshake ===</div>")
            border = f"border-left:4px solid {NOW_BORDER};" if j == i else ""
            rows.append(f'<div style="background:{TLS_BG if seen.encrypted else CLEAR_BG};'
                        f'color:{TEXT};{border}font-family:monospace;white-space:pre">'
                        f"{'TLS  ' if seen.encrypted else 'clear'} "
                        f"{'C:' if seen.sender == CLIENT else 'S:'} "
                        f"{html.escape(seen.shown)}</div>")
        self.so_far.value = "".join(rows)

    def __str__(self) -> str:
        out = [f"Stepping through the SMTP session with {self.transcript.host} "
               f"(line {self.step.value} of {len(self.transcript.lines)}); "
               "what an eavesdropper reads of each line:"]
        for i, line in enumerate(self.transcript.lines):
            if i == self.transcript.tls_starts_at:
                out.append("    === TLS handshake ===")
            where = "TLS  " if line.encrypted else "CLEAR"
            out.append(f"{i + 1:>3} {where} {'C:' if line.sender == CLIENT else 'S:'} "
                       f"{line.shown}  | tap reads: {eavesdropper_view(line)}")
        return "\n".join(out)

    def _repr_html_(self) -> str:
        rows = []
        for i, line in enumerate(self.transcript.lines):
            if i == self.transcript.tls_starts_at:
                rows.append('<tr><td colspan="4" style="background:#dde8f5;text-align:center">'
                            "TLS handshake</td></tr>")
            rows.append(
                f'<tr style="background:{TLS_BG if line.encrypted else CLEAR_BG};color:{TEXT}">'
                f"<td>{i + 1}</td><td>{_who(line)}, {'in TLS' if line.encrypted else 'clear'}</td>"
                f'<td style="text-align:left"><code>{html.escape(line.shown)}</code></td>'
                f'<td style="text-align:left">{html.escape(eavesdropper_view(line))}</td></tr>')
        return (f"<p>The session with <code>{html.escape(self.transcript.host)}</code>, "
                "line by line (in JupyterLab: a stepper with back/next buttons)</p>"
                "<table><tr><th>#</th><th>from</th><th>line</th>"
                f"<th>an eavesdropper reads</th></tr>{''.join(rows)}</table>")


def transcript_stepper(transcript: Transcript, start: int = 1) -> TranscriptStepper:
    """A stepper over ``transcript`` (e.g. ``delivery.transcript``), at line ``start``."""
    return TranscriptStepper(transcript, start)
