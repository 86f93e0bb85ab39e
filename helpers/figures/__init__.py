"""Figures for the course (matplotlib). Each function returns the Figure,
closed in pyplot, so a notebook cell shows it once as its value.

One module per kind of figure; import them from here
(``from helpers.figures import sequence_diagram``).
Colours carry one meaning throughout: warm for what anyone on the path can
read, green for what travels inside TLS.
"""

from ._common import CLEAR_COLOUR, HANDSHAKE_COLOUR, TLS_COLOUR
from .cache import cache_timeline
from .matrix import attack_matrix
from .postfix import conformance_matrix
from .reports import report_chart
from .sequence import sequence_diagram
from .tree import decision_tree
from .trust import chain_of_trust

__all__ = ["CLEAR_COLOUR", "HANDSHAKE_COLOUR", "TLS_COLOUR", "attack_matrix",
           "cache_timeline", "chain_of_trust", "conformance_matrix", "decision_tree", "report_chart",
           "sequence_diagram"]
