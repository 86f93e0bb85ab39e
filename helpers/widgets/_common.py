"""What every course widget shares: display as the live widget where a widget
manager runs (JupyterLab), and as static HTML/text everywhere else."""

from __future__ import annotations

import html


class CourseWidget:
    """Base of the widget builders' results: ``.root`` is the ipywidgets tree.

    Displaying the object sends one bundle with three representations: the
    live widget view (JupyterLab renders it), the static ``_repr_html_`` (what
    GitHub and nbviewer show) and ``__str__`` (text). The static forms describe
    the widget's *current* state, so a stored notebook still reads well.
    """

    root = None

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = dict(self.root._repr_mimebundle_() or {})
        bundle["text/plain"] = str(self)
        bundle["text/html"] = self._repr_html_()
        return bundle

    def _repr_html_(self) -> str:  # pragma: no cover - every widget overrides it
        return f"<pre>{html.escape(str(self))}</pre>"


class LabKeeper:
    """The notebook's lab while it runs; once the notebook's clean-up cell has
    stopped it (after Run All, say), a lab of the widget's own with the same
    seed, so the widget keeps working. That lab is not registered as the
    notebook's lab, so a later ``Lab.start()`` in the notebook does not stop
    it, nor it that."""

    def __init__(self, lab):
        self.lab, self._own = lab, None

    def running(self):
        if self.lab.running:
            return self.lab
        if self._own is None or not self._own.running:
            from ..lab import Lab
            self._own = Lab(self.lab.seed, key_kind=self.lab.key_kind).__enter__()
        return self._own


def pre(text: str, colour: str = "") -> str:
    """``text`` escaped in a <pre> block (text from the wire is untrusted)."""
    style = f' style="background:{colour};padding:4px;margin:0"' if colour else ' style="margin:0"'
    return f"<pre{style}>{html.escape(text)}</pre>"
