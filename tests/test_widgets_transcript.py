"""The transcript stepper of notebook 01, driven headless as a learner would."""

from __future__ import annotations

import pytest

from helpers import smtp
from helpers.widgets.transcript_stepper import transcript_stepper

MESSAGE = "From: a@sender.example\r\nTo: bob@example.com\r\n\r\nTell nobody <b>.\r\n"


@pytest.fixture
def delivery(lab):
    d = smtp.deliver("mx1.example.com", lab.net, MESSAGE, sender="a@sender.example",
                     recipients=["bob@example.com"])
    assert d.accepted
    return d


def test_stepping_shows_each_line_and_what_a_tap_reads(delivery):
    stepper = transcript_stepper(delivery.transcript)
    lines = delivery.transcript.lines
    assert stepper.step.value == 1
    assert "greeting" in stepper.line.value and "in the clear" in stepper.line.value
    # The greeting is readable on the path, word for word.
    assert smtp.Line.text.fget(lines[0]).split()[0] in stepper.eavesdropper.value
    stepper.back.click()  # at the first line: stays there
    assert stepper.step.value == 1
    for _ in range(len(lines) + 3):  # past the end: stays at the last line
        stepper.next.click()
    assert stepper.step.value == len(lines)
    assert "inside TLS" in stepper.line.value
    assert "only TLS records" in stepper.eavesdropper.value


def test_the_switch_to_tls_is_where_the_transcript_says(delivery):
    t = delivery.transcript
    stepper = transcript_stepper(t, start=t.tls_starts_at)  # the last line in the clear
    assert "in the clear" in stepper.line.value and "220" in stepper.line.value
    stepper.next.click()
    assert "inside TLS" in stepper.line.value
    assert "TLS handshake" in stepper.so_far.value
    assert "only TLS records" in stepper.eavesdropper.value


def test_the_message_text_is_escaped_and_hidden_from_the_tap(delivery):
    t = delivery.transcript
    body = next(i for i, line in enumerate(t.lines) if "Tell nobody" in line.text)
    stepper = transcript_stepper(t, start=body + 1)
    assert "&lt;b&gt;" in stepper.line.value and "<b>." not in stepper.line.value
    assert "Tell nobody" not in stepper.eavesdropper.value
    for static in (stepper._repr_html_(),):
        assert "&lt;b&gt;" in static and "<b>." not in static


def test_static_fallback_lists_every_line(delivery):
    stepper = transcript_stepper(delivery.transcript)
    text, page = str(stepper), stepper._repr_html_()
    assert text.count("tap reads:") == len(delivery.transcript.lines)
    assert page.count("<tr style=") == len(delivery.transcript.lines)
    bundle = stepper._repr_mimebundle_()
    assert set(bundle) >= {"text/plain", "text/html",
                           "application/vnd.jupyter.widget-view+json"}


def test_an_empty_transcript_is_refused_with_a_reason():
    with pytest.raises(ValueError, match="empty"):
        transcript_stepper(smtp.Transcript("mx.example", ()))


def test_control_and_bidi_characters_in_a_line_are_shown_escaped(delivery):
    import dataclasses

    t = delivery.transcript
    odd = dataclasses.replace(t.lines[0], data="220 mx\u202eevil \x1b[31mred\r\n".encode())
    stepper = transcript_stepper(dataclasses.replace(t, lines=(odd, *t.lines[1:])))
    shown = [stepper.line.value, stepper.eavesdropper.value, stepper.so_far.value,
             str(stepper), stepper._repr_html_()]
    for out in shown:
        assert "\u202e" not in out and "\x1b" not in out
        assert "mx\\u202eevil \\x1b[31mred" in out
