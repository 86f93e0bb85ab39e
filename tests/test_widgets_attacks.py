"""The attack x sender-policy explorer of notebook 02, on the real lab."""

from __future__ import annotations

import pytest

from helpers.sender import CLEAR, DEFERRED, UNVERIFIED, VERIFIED
from helpers.widgets.attack_explorer import attack_explorer, run_once


def test_strip_against_an_opportunistic_sender_is_read(lab):
    explorer = attack_explorer(lab)  # strip x opportunistic, sent at once
    assert explorer.last.status == CLEAR and explorer.last.attacker_read
    assert "READ the message" in explorer.verdict.value
    assert "XXXXXXXA" in explorer.attacker.value  # the stripped capability, as the attacker saw it
    assert "launch code" in explorer.mailbox.value or "mailbox:" in explorer.mailbox.value
    assert not lab.attackers, "the explorer leaves the lab as it found it"


def test_choosing_and_clicking_changes_all_three_panes(lab):
    explorer = attack_explorer(lab, run=False)
    assert explorer.last is None and "press the button" in explorer.verdict.value
    explorer.policy.value = "mta-sts"
    explorer.send.click()
    assert explorer.last.status == DEFERRED and not explorer.last.attacker_read
    assert "queued for a later retry: 1" in explorer.sender.value
    assert "mailbox: empty" in explorer.mailbox.value
    explorer.attack.value = "substitute"
    explorer.policy.value = "dane"
    explorer.send.click()
    assert explorer.last.status == DEFERRED
    explorer.attack.value = "none"
    explorer.send.click()
    assert explorer.last.status == VERIFIED
    assert "no attacker on the path" in explorer.attacker.value


@pytest.mark.parametrize("attack, policy, status, read", [
    ("substitute", "opportunistic", UNVERIFIED, True),
    ("spoof MX", "opportunistic", UNVERIFIED, True),
    ("first contact", "mta-sts", CLEAR, True),
    ("first contact", "dane", DEFERRED, False),
])
def test_runs_agree_with_the_matrix_of_notebook_02(lab, attack, policy, status, read):
    result = run_once(lab, attack, policy)
    assert (result.status, result.attacker_read) == (status, read)


def test_static_fallback_shows_the_three_parties(lab):
    explorer = attack_explorer(lab)
    page = explorer._repr_html_()
    for title in ("the sender", "the attacker", "the receiver's mailbox"):
        assert title in page
    assert "<script" not in page
    assert str(explorer).startswith("strip x opportunistic")


def test_unknown_choices_are_refused(lab):
    with pytest.raises(ValueError, match="the attacks are"):
        run_once(lab, "teleport", "dane")
    with pytest.raises(ValueError, match="the policies are"):
        run_once(lab, "strip", "paranoid")


def test_after_the_notebooks_lab_is_stopped_it_still_works():
    from helpers.lab import Lab

    stopped = Lab.start(seed=1)
    explorer = attack_explorer(stopped, run=False)
    stopped.stop()  # the notebook's clean-up cell, before the learner plays
    try:
        explorer.send.click()
        assert explorer.last is not None and explorer.last.status.startswith("delivered")
        own = explorer._labs.running()
        assert own is not stopped and own.running
    finally:
        explorer._labs.running().stop()
