"""Check any domain's mail transport security: MX, DNSSEC, DANE, STARTTLS,
certificates, MTA-STS, TLS-RPT, and what a sending MTA does with its mail.

``inspect(domain, net)`` returns an :class:`Inspection`: one :class:`Check` per
finding, each with a status (ok, info, warn, fail, skip), plain-words detail,
the RFC section, a fix and the equivalent terminal command. Live probes only
look (EHLO, STARTTLS, QUIT): the inspector never sends mail.

Before judging the domain, the inspection judges the network it looks
through: its resolver (:mod:`.resolver`: does it answer for the root, with
DNSSEC signatures?) and, when an MX host does not answer, outbound port 25
(:mod:`.port25`: does a reference mail server answer from here?). What the
network prevents is ``skip`` ("not checked here"), never blamed on the domain.

Layers: :mod:`.facts` (what the network said), :mod:`.assess` and :mod:`.path`
(pure judgement), :mod:`.gather` (the I/O, concurrent, through
:mod:`.sharednet`: each DNS query once), :mod:`.resolver` and :mod:`.port25`
(this network's part), :mod:`.commands` (the equivalent terminal commands,
shell-quoted), :mod:`.result` (the results, their text, HTML and JSON).
"""

from .gather import NotADomain, inspect, inspect_many, normalize
from .result import (FAIL, FAMILIES, INFO, OK, SKIP, STATUSES, WARN, Check, Inspection,
                     Table)

__all__ = ["inspect", "inspect_many", "normalize", "NotADomain", "Inspection", "Check",
           "Table", "STATUSES", "FAMILIES", "OK", "INFO", "WARN", "FAIL", "SKIP", "table"]


def table(inspections) -> Table:
    """Several inspections as one table (domain x check family, worst status)."""
    return Table(tuple(inspections))
