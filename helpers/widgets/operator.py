"""The operator's form: the questions of :func:`helpers.policy.recommend` as
controls, the recommendation updating live below them.

``form = operator_form()`` (optionally with the answers to start from);
``form.root`` is the widget, ``form.controls`` the check boxes by
:class:`~helpers.recommend.Profile` field, ``form.output`` the HTML pane, and
``form.recommendation`` what the answers currently give. Tests set
``form.controls["https"].value = True`` and read ``form.recommendation``.
Displayed where widgets do not render (GitHub, nbviewer), the form falls back
to its questions and the recommendation as static HTML.
"""

from __future__ import annotations

import html
from dataclasses import asdict, fields

import ipywidgets as widgets

from ..recommend import Profile, Recommendation, recommend
from ._common import CourseWidget

QUESTIONS = {
    "dnssec": "Can your DNS host sign the zone with DNSSEC and serve TLSA records?",
    "own_mx": "Do you run your own MX hosts (rather than a mail provider's)?",
    "provider_dane": "If a provider runs them: does it publish DANE TLSA for its MX hosts?",
    "https": "Can you serve https://mta-sts.<your domain>/ with a valid certificate?",
    "automate_tlsa": "Do TLSA records follow MX key changes automatically?",
    "reports": "Do you want TLS-RPT reports (and will someone read them)?",
}


class OperatorForm(CourseWidget):
    """The form's root widget and handles to its parts (see the module docstring)."""

    def __init__(self, profile: Profile | None = None):
        start = asdict(profile or Profile())
        if set(QUESTIONS) != {f.name for f in fields(Profile)}:
            raise ValueError("the form's questions do not match helpers.recommend.Profile")
        self.controls = {
            name: widgets.Checkbox(value=bool(start[name]), description=text, indent=False,
                                   layout=widgets.Layout(width="auto"))
            for name, text in QUESTIONS.items()}
        self.output = widgets.HTML()
        self.root = widgets.VBox([widgets.HTML("<b>What can you do for your domain?</b>"),
                                  *self.controls.values(), self.output])
        for control in self.controls.values():
            control.observe(self._update, names="value")
        self._update()

    @property
    def profile(self) -> Profile:
        return Profile(**{name: c.value for name, c in self.controls.items()})

    @property
    def recommendation(self) -> Recommendation:
        return recommend(self.profile)

    def _update(self, change=None) -> None:
        self.output.value = self.recommendation._repr_html_()

    def _answers(self) -> list[tuple[str, bool]]:
        return [(QUESTIONS[name], c.value) for name, c in self.controls.items()]

    def __str__(self) -> str:
        lines = [f"[{'x' if v else ' '}] {q}" for q, v in self._answers()]
        return "\n".join(lines + ["", str(self.recommendation)])

    def _repr_html_(self) -> str:
        answers = "".join(f"<li>{'&#9745;' if v else '&#9744;'} {html.escape(q)}</li>"
                          for q, v in self._answers())
        return (f'<ul style="list-style:none">{answers}</ul>'
                f"{self.recommendation._repr_html_()}")


def operator_form(profile: Profile | None = None, **answers) -> OperatorForm:
    """The operator's form, starting from ``profile`` (or ``answers``)."""
    return OperatorForm(profile if profile is not None else Profile(**answers))
