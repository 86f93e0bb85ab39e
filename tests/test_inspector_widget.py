"""The inspector widget, driven without a browser: set .value, click, wait, read."""

from __future__ import annotations

import socket

from helpers.net import Network
from helpers.widgets.inspector import LIVE_SUGGESTIONS, inspector


def test_enter_runs_an_inspection_check_by_check(lab):
    w = inspector(lab)
    assert "dane-rollover.example" in w.domain.options
    seen = []
    w.results.observe(lambda change: seen.append(len(change["new"])), "children")
    w.domain.value = "dane-rollover.example"  # what Enter does: commit the value
    assert w.running and w.button.disabled
    assert not w.inspect()  # one inspection at a time
    assert w.wait(30)
    assert not w.button.disabled and not w.running
    assert w.result.domain == "dane-rollover.example"
    assert "2 failed" in w.status.value
    assert "dane:mx.dane-rollover.example" in w.results.value
    assert len(seen) >= 5 and seen[:3] == [2, 3, 4]  # row by row, after the head row
    assert "dane-rollover.example" in w._repr_html_()  # the static view shows the result


def test_the_button_inspects_the_text_box(lab):
    w = inspector(lab.net, domains=lab.domains)
    w.domain.value = "example.com"
    assert w.wait(30)
    first = w.result
    w.button.click()  # the same text again: only the button starts it
    assert w.wait(30) and w.result is not first
    assert w.result.domain == "example.com" and w.result.ok


def test_bad_input_and_failures_show_in_the_widget(lab):
    w = inspector(lab)
    w.inspect("")
    assert "type a domain" in w.status.value and not w.running
    w.domain.value = "not a domain!"
    assert w.wait(30)
    assert "not a domain name" in w.status.value and "RFC 1035" in w.status.value

    def broken():
        raise OSError("no route to the internet")

    w = inspector(lab, live=broken)
    w.mode.value = "live"
    assert w.domain.options == LIVE_SUGGESTIONS
    w.domain.value = "example.org"
    assert w.wait(30)
    assert "the inspection failed" in w.status.value and "no route" in w.status.value
    assert not w.button.disabled


def test_live_dns_timeout_is_a_message(lab):
    silent = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    silent.bind(("127.0.0.1", 0))
    try:
        port = silent.getsockname()[1]
        w = inspector(lab, live=lambda: Network(nameserver="127.0.0.1", dns_port=port,
                                                dns_timeout=0.3, connect_timeout=0.3))
        w.mode.value = "live"
        w.domain.value = "example.org"
        assert w.wait(30)
    finally:
        silent.close()
    assert "this network&#x27;s resolver" in w.status.value  # not the domain: the resolver


def test_hostile_records_are_escaped_in_the_widget(lab):
    lab.set_records("opportunistic.example", "_smtp._tls.opportunistic.example", "TXT",
                    ['"v=TLSRPTv1; rua=mailto:<script>alert(1)</script>"'])
    w = inspector(lab)
    w.domain.value = "opportunistic.example"
    assert w.wait(30)
    assert "<script" not in w.results.value and "&lt;script&gt;" in w.results.value


def test_it_keeps_working_after_the_notebooks_clean_up_cell():
    """Run All ends with lab.stop(); the widget then inspects a lab of its own."""
    from helpers.lab import Lab

    lab = Lab.start(seed=1)
    w = inspector(lab)
    lab.stop()
    w.domain.value = "dane-rollover.example"
    assert w.wait(30)
    assert w.error is None and "dane:mx.dane-rollover.example" in w.results.value
    assert w._labs.running() is not lab
    w._labs.running().stop()
