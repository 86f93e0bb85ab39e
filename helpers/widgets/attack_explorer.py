"""Notebook 02: pick an attack and a sender policy, watch all three parties.

One delivery of the secret message to ``bob@<domain>`` in the lab, with a
fresh sender (no cached MTA-STS policy), under the chosen attack
(:mod:`helpers.attacks`) and sender policy (:mod:`helpers.sender`): what the
sender decided, what the attacker saw, what reached the mailbox.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import ipywidgets as w

from ..attacks import ATTACKS, MESSAGE, ROGUE_MX, SECRET, set_up
from ..sender import BOUNCED, CLEAR, DEFERRED, POLICIES, UNVERIFIED, VERIFIED, Sender
from ._common import CourseWidget, LabKeeper, pre

COLOURS = {VERIFIED: "#d3f9d8", UNVERIFIED: "#fff3bf", CLEAR: "#ffc9c9", DEFERRED: "#d0ebff",
           BOUNCED: "#e5dbff"}


@dataclass(frozen=True)
class Run:
    """One delivery under one attack and one sender policy, as text."""

    attack: str
    policy: str
    status: str
    attacker_read: bool
    sender: str
    attacker: str
    mailbox: str

    @property
    def headline(self) -> str:
        read = "the attacker READ the message" if self.attacker_read else \
            "the attacker did not read the message"
        return f"{self.attack} x {self.policy}: {self.status}; {read}"


def run_once(lab, attack: str, policy: str, domain: str = "example.com") -> Run:
    """Deliver the secret once under ``attack`` and ``policy``; the lab is
    reset afterwards (the attackers' logs are kept in the result)."""
    if attack not in ATTACKS:
        raise ValueError(f"unknown attack {attack!r}; the attacks are {', '.join(ATTACKS)}")
    if policy not in POLICIES:
        raise ValueError(f"unknown sender policy {policy!r}; the policies are "
                         f"{', '.join(POLICIES)}")
    read = set_up(lab, attack, domain)
    try:
        sender = Sender(lab.net, policy)
        outcome = sender.send(MESSAGE, f"bob@{domain}")
        queued = f"\nqueued for a later retry: {len(sender.queue)} message(s)"
        seen = [str(a) for a in lab.attackers.values()]
        if attack == "spoof MX":
            rogue = lab.mailbox.for_host(ROGUE_MX)
            seen.append(f"the attacker's own MX {ROGUE_MX} received {len(rogue)} message(s)")
        if not seen:
            seen = ["no attacker on the path"]
        return Run(attack, policy, outcome.status, read(SECRET), str(outcome) + queued,
                   "\n".join(seen), str(lab.mailbox))
    finally:
        lab.reset()


class AttackExplorer(CourseWidget):
    """Handles: ``attack``, ``policy`` (dropdowns), ``send`` (button),
    ``verdict``, ``sender``, ``attacker``, ``mailbox`` (HTML panes); ``last``:
    the last :class:`Run`."""

    def __init__(self, lab, domain: str = "example.com", attack: str = "strip",
                 policy: str = "opportunistic", run: bool = True):
        self.lab, self.domain = lab, domain
        self._labs = LabKeeper(lab)
        self.attack = w.Dropdown(options=ATTACKS, value=attack, description="attack")
        self.policy = w.Dropdown(options=POLICIES, value=policy, description="sender policy",
                                 style={"description_width": "initial"})
        self.send = w.Button(description="send the message", button_style="primary")
        self.verdict = w.HTML()
        self.sender, self.attacker, self.mailbox = w.HTML(), w.HTML(), w.HTML()
        self.last: Run | None = None
        self.send.on_click(lambda _: self.run())
        panes = [w.VBox([w.HTML(f"<b>{title}</b>"), pane],
                        layout=w.Layout(width="33%", overflow="auto"))
                 for title, pane in (("the sender", self.sender), ("the attacker", self.attacker),
                                     ("the receiver's mailbox", self.mailbox))]
        self.root = w.VBox([
            w.HTML(f"<b>Mail to <code>bob@{html.escape(domain)}</code></b>: pick an attack "
                   "and a sender policy, then send."),
            w.HBox([self.attack, self.policy, self.send]), self.verdict, w.HBox(panes)])
        if run:
            self.run()
        else:
            self.verdict.value = "<i>press the button to send</i>"

    def run(self) -> Run | None:
        self.send.disabled = True
        self.verdict.value = "<i>sending…</i>"
        try:
            result = run_once(self._labs.running(), self.attack.value, self.policy.value,
                              self.domain)
        except Exception as e:  # a callback's exception would vanish: show it
            self.verdict.value = (f'<div style="color:#b02525">could not send: '
                                  f"{html.escape(str(e) or type(e).__name__)}</div>")
            return None
        finally:
            self.send.disabled = False
        self.last = result
        self.verdict.value = (f'<div style="background:{COLOURS[result.status]};padding:4px">'
                              f"<b>{html.escape(result.headline)}</b></div>")
        self.sender.value = pre(result.sender)
        self.attacker.value = pre(result.attacker, "#fde8e0" if result.attacker_read else "")
        self.mailbox.value = pre(result.mailbox)
        return result

    def __str__(self) -> str:
        if self.last is None:
            return f"Attack explorer for mail to bob@{self.domain} (nothing sent yet)"
        r = self.last
        return "\n\n".join([r.headline, "the sender:\n" + r.sender,
                            "the attacker:\n" + r.attacker, "the mailbox:\n" + r.mailbox])

    def _repr_html_(self) -> str:
        if self.last is None:
            return f"<p>{html.escape(str(self))}</p>"
        r = self.last
        cells = "".join(f'<td style="text-align:left;vertical-align:top">{pre(text)}</td>'
                        for text in (r.sender, r.attacker, r.mailbox))
        return (f'<p style="background:{COLOURS[r.status]};padding:4px"><b>'
                f"{html.escape(r.headline)}</b> (in JupyterLab: pick another attack and "
                "policy and send again)</p><table><tr><th>the sender</th><th>the attacker</th>"
                f"<th>the receiver's mailbox</th></tr><tr>{cells}</tr></table>")


def attack_explorer(lab, domain: str = "example.com", attack: str = "strip",
                    policy: str = "opportunistic", run: bool = True) -> AttackExplorer:
    """The explorer on ``lab``; with ``run`` it sends once at once, so the
    stored notebook shows one case."""
    return AttackExplorer(lab, domain, attack, policy, run)
