"""The domain inspector widget: type a domain, press Enter (or Inspect), watch
the checks arrive one by one.

``inspector(lab)`` (or ``inspector(net, domains=...)``) returns an
:class:`Inspector`; display it in a notebook. Its parts are handles for tests
and scripts: ``domain`` (a Combobox: Enter submits), ``mode`` (lab / live),
``button``, ``status`` and ``results`` (a box of one HTML row per check: a
finished check adds its row only, so a browser receives each row once, not the
whole table again); ``inspect()`` starts an inspection,
``wait()`` waits for it, ``result`` is the last :class:`~helpers.domain.Inspection`.
The inspection runs in a background thread, so the cell is never frozen; the
button is disabled while it runs; errors appear in the widget. Everything
that came from the network is escaped (see :mod:`helpers.domain.result`).
"""

from __future__ import annotations

import threading

import ipywidgets as widgets

from .. import domain as _domain
from ..domain.result import COLOURS, FAIL, STATUSES, escape
from ..net import Network
from ._common import CourseWidget, LabKeeper

#: One check per row, each row its own small table: fixed columns keep them aligned.
_ROW = ('<table style="table-layout:fixed;width:100%;margin:0"><colgroup>'
        '<col style="width:4em"><col style="width:16em"><col><col style="width:11em">'
        "</colgroup>{}</table>")
_HEAD = _ROW.format("<tr><th>status</th><th>check</th><th>finding</th><th>RFC</th></tr>")

#: Real domains offered in live mode: large mail providers with MTA-STS and/or DANE.
LIVE_SUGGESTIONS = ("gmail.com", "outlook.com", "yahoo.com", "posteo.de", "mailbox.org",
                    "protonmail.com", "ietf.org")


class _Rows(widgets.VBox):
    """The results: a box of HTML rows; ``value`` is their HTML, joined (for
    tests and scripts, as if it were one HTML widget)."""

    @property
    def value(self) -> str:
        return "".join(row.value for row in self.children)


class Inspector(CourseWidget):
    """See the module docstring. ``live``: a factory for the live Network
    (default :meth:`Network.live`), called only when live mode is used.
    ``lab``: the lab ``net`` belongs to, if any; once the notebook's clean-up
    cell has stopped it, lab mode uses a lab of the widget's own."""

    def __init__(self, net: Network, *, domains=(), live=Network.live, smtp: bool = True,
                 timeout: float = 30.0, lab=None):
        self.lab_net, self.live_factory = net, live
        self._labs = LabKeeper(lab) if lab is not None else None
        self.lab_domains = tuple(domains)
        self.smtp, self.timeout = smtp, timeout
        self.result: _domain.Inspection | None = None
        self.error: str | None = None
        self._checks: list = []
        self._rows: dict = {}  # check -> its HTML row widget
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._done = threading.Event()
        self._done.set()

        self.domain = widgets.Combobox(value="", placeholder="a domain, e.g. example.com",
                                       options=self.lab_domains, ensure_option=False,
                                       continuous_update=False, description="Domain:")
        self.mode = widgets.ToggleButtons(options=["lab", "live"],
                                          value="lab" if net.is_lab else "live",
                                          tooltips=["the offline lab", "the real internet "
                                                    "(needs DNS and, for STARTTLS, port 25)"])
        self.button = widgets.Button(description="Inspect", button_style="primary",
                                     icon="search")
        self.status = widgets.HTML("")
        self.results = _Rows([])
        self.root = widgets.VBox([widgets.HBox([self.domain, self.mode, self.button]),
                                  self.status, self.results])
        # Enter (or leaving the box) commits the value: that submits. Enter on
        # the same domain changes no value: the box's "submit" message says it.
        self._started = 0
        self.domain.observe(lambda change: self.inspect(), "value")
        self.domain.on_msg(self._submitted)
        self.button.on_click(lambda _: self.inspect())
        self.mode.observe(self._mode_changed, "value")
        self._mode_changed()

    # -- actions -----------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return not self._done.is_set()

    def network(self) -> Network:
        if self.mode.value == "live":
            return self.live_factory()
        return self._labs.running().net if self._labs else self.lab_net

    def inspect(self, domain: str | None = None) -> bool:
        """Start inspecting ``domain`` (default: the text box); False if one is running."""
        with self._lock:
            if self.running:
                return False
            name = (domain if domain is not None else self.domain.value).strip()
            if not name:  # and no results of the previous domain under it
                self.status.value = "<i>type a domain first</i>"
                self.results.children = ()
                self.result, self.error = None, None
                return False
            self._done.clear()
            self._started += 1
        self._checks, self._rows = [], {}
        self.result, self.error = None, None
        self.button.disabled = True
        self.status.value = f"inspecting <code>{escape(name)}</code> ({self.mode.value})&hellip;"
        self.results.children = ()
        self._thread = threading.Thread(target=self._run, args=(name,), daemon=True,
                                        name="inspector")
        self._thread.start()
        return True

    def _submitted(self, _widget, content, _buffers) -> None:
        """Enter in the box: inspect again if no value change comes with it (a
        changed value starts its own inspection; its message may come second)."""
        if not isinstance(content, dict) or content.get("event") != "submit":
            return
        started = self._started
        threading.Timer(0.3, lambda: self._started == started and self.inspect()).start()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the running inspection; True when none is running."""
        return self._done.wait(timeout)

    def _run(self, name: str) -> None:
        try:
            result = _domain.inspect(name, self.network(), smtp=self.smtp, timeout=self.timeout,
                                     on_check=self._found)
            self.result = result
            missing = next((c for c in result.checks
                            if c.id == "mx" and c.title.endswith("does not exist")), None)
            if missing is not None:  # nothing to publish for a name that is not there
                self.status.value = (f'<span style="color:{COLOURS[FAIL]}"><b>'
                                     f"{escape(missing.title)}</b>: {escape(missing.fix)}</span>")
                self._show([missing])
                return
            self.status.value = self._verdict_html(result)
            self._show(result.checks)
        except Exception as e:  # whatever it is, show it in the widget, not as a traceback
            self.error = f"{type(e).__name__}: {e}"
            self.status.value = (f'<span style="color:{COLOURS[FAIL]}"><b>the inspection '
                                 f"failed:</b> {escape(self.error)}</span>")
        finally:
            self.button.disabled = False
            self._done.set()

    def _found(self, check) -> None:
        """A check has finished: add its row (only its row) to the results."""
        with self._lock:
            self._checks.append(check)
            row = self._rows[check] = widgets.HTML(_ROW.format(check.html_row()))
            self.results.children = (self.results.children or (widgets.HTML(_HEAD),)) + (row,)
            count = len(self._checks)
        self.status.value = f"{count} checks so far&hellip;"

    def _show(self, checks) -> None:
        """The final order (the result's): rows already sent are reused, in place."""
        with self._lock:
            rows = [self._rows.get(c) or widgets.HTML(_ROW.format(c.html_row())) for c in checks]
            head = self.results.children[:1] or (widgets.HTML(_HEAD),)
            self.results.children = tuple(head) + tuple(rows) if rows else ()

    def _mode_changed(self, change=None) -> None:
        self.domain.options = self.lab_domains if self.mode.value == "lab" else LIVE_SUGGESTIONS

    @staticmethod
    def _verdict_html(result) -> str:
        if result.error:
            return (f'<span style="color:{COLOURS[FAIL]}"><b>{escape(result.domain)}</b>: '
                    f"{escape(result.verdict)}</span>")
        counts = ", ".join(f'<span style="color:{COLOURS[s]}">{n} {s}</span>'
                           for s in STATUSES
                           if (n := sum(c.status == s for c in result.checks)))
        return f"<b>{escape(result.domain)}</b>: {escape(result.verdict)} ({counts})"

    # -- display ----------------------------------------------------------------------------------

    def __repr__(self) -> str:
        return "<Inspector: type a domain, press Enter>"

    def __str__(self) -> str:
        """The text form (text/plain): the short description, as before."""
        return repr(self)

    def _repr_html_(self) -> str:
        """The static view (where widgets do not render): the last result, if any."""
        if self.result is not None:
            return self.result._repr_html_()
        return ("<p><i>The domain inspector: run this notebook in Jupyter to type a domain "
                "and watch its checks arrive.</i></p>")


def inspector(net_or_lab, *, domains=None, **options) -> Inspector:
    """An :class:`Inspector` on a lab (its network and domains) or a Network."""
    is_lab = hasattr(net_or_lab, "net")
    net = net_or_lab.net if is_lab else net_or_lab
    if domains is None:
        domains = net_or_lab.domains if is_lab else ()
    return Inspector(net, domains=domains, lab=net_or_lab if is_lab else None, **options)
