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


def pre(text: str, colour: str = "") -> str:
    """``text`` escaped in a <pre> block (text from the wire is untrusted)."""
    style = f' style="background:{colour};padding:4px;margin:0"' if colour else ' style="margin:0"'
    return f"<pre{style}>{html.escape(text)}</pre>"
