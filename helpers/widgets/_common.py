"""What every course widget shares: display as the live widget where a widget
manager runs (JupyterLab), and as static HTML/text everywhere else."""

from __future__ import annotations

import html


# JupyterLab 4 runs a notebook's command-mode shortcuts on keys typed into a
# widget's dropdown, checkbox, slider or button (arrows move to another cell,
# `d d` deletes the widget's cell; ipywidgets issue 3912). Lumino's command
# registry skips a key event whose target, or an ancestor it reaches before a
# shortcut's selector matches, has the attribute `data-lm-suppress-shortcuts`;
# the command-mode selectors end in `:focus`, which the focused control itself
# matches, so the control must carry it. ipywidgets sets classes, not
# attributes, so a hidden image with no data, failing to load each time the
# view is drawn, marks the widget's box and every control that gets focus in it
# (and keeps toggle buttons' aria-pressed in step with their state).
KEEP_KEYS_CLASS = "course-widget"
SUPPRESS_SHORTCUTS = "data-lm-suppress-shortcuts"
_KEEP_KEYS_JS = (f"var s='{SUPPRESS_SHORTCUTS}',r=this.closest('.{KEEP_KEYS_CLASS}');"
                 "if(r&&!r.hasAttribute(s)){r.setAttribute(s,'true');"
                 "r.addEventListener('focusin',function(e){e.target.setAttribute(s,'true')});"
                 # Toggle buttons (the inspector's lab/live) show their state by a
                 # class only: say it to screen readers too (aria-pressed).
                 "var p=function(){r.querySelectorAll('.widget-toggle-button').forEach("
                 "function(b){b.setAttribute('aria-pressed',"
                 "b.classList.contains('mod-active')?'true':'false')})};"
                 "p();new MutationObserver(p).observe(r,{subtree:true,childList:true,"
                 "attributes:true,attributeFilter:['class']})}")
# And a long unbroken text (a 300-character name typed into the inspector)
# wraps inside the widget instead of being clipped at its edge.
_WRAP_CSS = (f"<style>.{KEEP_KEYS_CLASS} .widget-html-content"
             "{overflow-wrap:anywhere}</style>")
_KEEP_KEYS_HTML = (_WRAP_CSS + '<img alt="" src="data:," style="display:none" '
                   f'onerror="{_KEEP_KEYS_JS}">')


def keeps_keys(root):
    """``root`` in a box whose keystrokes stay in the widget (see above)."""
    import ipywidgets as w

    marker = w.HTML(_KEEP_KEYS_HTML, layout=w.Layout(display="none"))
    box = w.VBox([root, marker])
    box.add_class(KEEP_KEYS_CLASS)
    return box


class CourseWidget:
    """Base of the widget builders' results: ``.root`` is the ipywidgets tree.

    Displaying the object sends one bundle with three representations: the
    live widget view (JupyterLab renders it, in a box that keeps the widget's
    keystrokes from the notebook's shortcuts), the static ``_repr_html_``
    (what GitHub and nbviewer show) and ``__str__`` (text). The static forms
    describe the widget's *current* state, so a stored notebook still reads well.
    """

    root = None
    _shown = None

    def _repr_mimebundle_(self, include=None, exclude=None):
        if self._shown is None or self._shown.children[0] is not self.root:
            # object.__setattr__: the subclasses are frozen dataclasses; this is
            # a cache of the displayed box, not part of the value.
            object.__setattr__(self, "_shown", keeps_keys(self.root))
        bundle = dict(self._shown._repr_mimebundle_() or {})
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
    """``text`` escaped in a <pre> block (text from the wire is untrusted).

    Long lines wrap at spaces, and inside a word only when the word alone is
    wider than the pane (JupyterLab's widget styles break anywhere, which cut
    ``250-SIZE 33554432`` in the middle of the number)."""
    wrap = "margin:0;white-space:pre-wrap;word-break:normal;overflow-wrap:anywhere"
    style = f"background:{colour};padding:4px;{wrap}" if colour else wrap
    return f'<pre style="{style}">{html.escape(text)}</pre>'
