"""The inspector as a learner types into it (issue 22): an empty box, Enter on
the same domain again, a domain that does not exist."""

from __future__ import annotations

import time

from helpers.widgets.inspector import inspector


def _press_enter(w):
    """What the box sends on Enter (ipywidgets' Text: a "submit" message)."""
    w.domain._handle_custom_msg({"event": "submit"}, [])


def test_an_empty_box_clears_the_previous_domains_results(lab):
    w = inspector(lab)
    w.domain.value = "example.com"
    assert w.wait(30) and "mx1.example.com" in w.results.value
    w.domain.value = "   "
    assert "type a domain first" in w.status.value
    assert w.results.value == "" and w.result is None


def test_enter_on_the_same_domain_inspects_again(lab):
    w = inspector(lab)
    w.domain.value = "example.com"
    assert w.wait(30)
    first = w.result
    _press_enter(w)  # no value change comes with it
    deadline = time.monotonic() + 5
    while not w.running and w.result is first and time.monotonic() < deadline:
        time.sleep(0.05)
    assert w.wait(30) and w.result is not first and w.result.domain == "example.com"


def test_enter_with_a_new_domain_inspects_it_once(lab):
    w = inspector(lab)
    w.domain.value = "example.com"
    assert w.wait(30)
    _press_enter(w)  # the submit message may come before the new value
    w.domain.value = "no-tls.example"
    assert w.wait(30)
    time.sleep(0.5)  # past the submit's grace period: nothing else starts
    assert not w.running and w.result.domain == "no-tls.example"


def test_a_domain_that_does_not_exist_is_told_so_not_what_to_publish(lab):
    w = inspector(lab)
    w.domain.value = "does-not-exist.example"
    assert w.wait(30)
    assert "does-not-exist.example does not exist" in w.status.value
    assert "check the spelling" in w.status.value
    shown = w.results.value
    assert "does not exist" in shown
    assert "TLSRPTv1" not in shown and "STSv1" not in shown and "publish" not in shown
