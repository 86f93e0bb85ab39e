"""Widgets for everyone in the room (issue 22): every text a course widget
shows (its live HTML parts and its static form) has WCAG AA contrast, 4.5:1,
against the background it is drawn on, computed from the inline colours the
widget uses (JupyterLab's own text colour and white where it sets none); and
the stepper's clear and TLS lines differ in more than hue."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import ipywidgets
from matplotlib.colors import to_rgba

from helpers.widgets import transcript_stepper as stepper_module
from tests.test_figures_access import AA_TEXT, contrast, luminance, over

DEFAULT_TEXT = "#212121"  # JupyterLab's light theme: rgba(0, 0, 0, 0.87) on white
VOID = {"br", "img", "hr", "input", "meta", "link", "wbr", "col"}


class _Texts(HTMLParser):
    """(text, foreground, background) of every piece of text in some HTML."""

    def __init__(self):
        super().__init__()
        self.stack = [("", DEFAULT_TEXT, "#ffffff")]
        self.found = []

    def handle_starttag(self, tag, attrs):
        style = dict(attrs).get("style") or ""
        fg = re.search(r"(?:^|;)\s*color\s*:\s*([^;]+)", style)
        bg = re.search(r"background(?:-color)?\s*:\s*([^;]+)", style)
        _, pfg, pbg = self.stack[-1]
        if tag not in VOID:
            self.stack.append((tag, fg.group(1).strip() if fg else pfg,
                               bg.group(1).strip() if bg else pbg))

    def handle_endtag(self, tag):
        if tag not in VOID and len(self.stack) > 1:
            self.stack.pop()

    def handle_data(self, data):
        if data.strip():
            _, fg, bg = self.stack[-1]
            self.found.append((data.strip()[:40], fg, bg))


def low_contrast(html: str):
    parser = _Texts()
    parser.feed(html)
    bad = []
    for text, fg, bg in parser.found:
        back = over(to_rgba(bg))
        ratio = contrast(over(to_rgba(fg), back), back)
        if ratio < AA_TEXT:
            bad.append((text, fg, bg, round(ratio, 2)))
    return bad


def _html_parts(widget):
    """The HTML of every ipywidgets.HTML in the widget's tree, and its static form."""
    parts, todo = [widget._repr_html_()], [widget.root]
    while todo:
        w = todo.pop()
        if isinstance(w, (ipywidgets.HTML, ipywidgets.HTMLMath)):
            parts.append(w.value)
        todo.extend(getattr(w, "children", ()))
    return parts


def _check(name, widget, problems):
    for html in _html_parts(widget):
        if bad := low_contrast(html):
            problems.setdefault(name, []).extend(bad)


def test_every_widget_text_has_aa_contrast(lab):
    from helpers import smtp
    from helpers.widgets.attack_explorer import attack_explorer
    from helpers.widgets.inspector import inspector
    from helpers.widgets.mx_playground import mx_playground
    from helpers.widgets.operator import operator_form
    from helpers.widgets.tlsa_calculator import tlsa_calculator

    problems = {}
    transcript = smtp.deliver("mx1.example.com", lab.net, "Subject: x\r\n\r\ny\r\n",
                              sender="a@sender.example", recipients=["b@example.com"]).transcript
    s = stepper_module.transcript_stepper(transcript)
    for step in (1, len(transcript.lines)):
        s.step.value = step
        _check("stepper", s, problems)
    for attack, policy in (("strip", "opportunistic"), ("strip", "mta-sts"), ("none", "mta-sts")):
        _check(f"explorer {attack}/{policy}", attack_explorer(lab, attack=attack, policy=policy),
               problems)
    for pattern, host in (("*.example.com", "mail.example.com"), ("*.example.com", "a.b.c"),
                          ("mail.*.example.com", "mail.x.example.com")):
        _check("mx playground", mx_playground(pattern, host), problems)
    w = inspector(lab)
    for domain in ("dane-rollover.example", "no-tls.example", "does-not-exist.example"):
        w.domain.value = domain
        assert w.wait(30)
        _check(f"inspector {domain}", w, problems)
    pki = lab.pki
    _check("tlsa calculator", tlsa_calculator(
        pki.leaf(("mx1.example.com",)).cert, pki.issuing.cert,
        pki.leaf(("mx1.example.com",), generation=1).cert,
        pki.leaf(("mx1.example.com",), key_label="mx1.example.com#2").cert), problems)
    _check("operator", operator_form(), problems)
    assert not problems, f"text under {AA_TEXT}:1: {problems}"


def test_clear_and_tls_lines_differ_in_brightness_and_in_words(lab):
    from helpers import smtp

    clear, tls = over(to_rgba(stepper_module.CLEAR_BG)), over(to_rgba(stepper_module.TLS_BG))
    assert abs(luminance(clear) - luminance(tls)) >= 0.1  # apart in greyscale too
    transcript = smtp.deliver("mx1.example.com", lab.net, "Subject: x\r\n\r\ny\r\n",
                              sender="a@sender.example", recipients=["b@example.com"]).transcript
    s = stepper_module.transcript_stepper(transcript, len(transcript.lines))
    rows = s.so_far.value.split("</div>")
    said = [r for r in rows if "font-family:monospace" in r]
    assert said and all((">TLS " in r) != (">clear " in r) for r in said), said[:3]
