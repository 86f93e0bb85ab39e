"""Checkers for the notebooks' "Try it yourself" exercises: one module per
notebook, numbered as the notebooks are (``helpers.exercises.nb04`` checks
``04-tlsa-and-dane``), sharing :mod:`helpers.exercises.core`.

Notebooks import from their own module; this package re-exports every checker
for tests and the command line.
"""

from .core import ExerciseFailed, Passed, checker  # noqa: F401
from .nb00 import *  # noqa: F401,F403
from .nb01 import *  # noqa: F401,F403
from .nb02 import *  # noqa: F401,F403
from .nb03 import *  # noqa: F401,F403
from .nb04 import *  # noqa: F401,F403
from .nb05 import *  # noqa: F401,F403
from .nb06 import *  # noqa: F401,F403
from .nb07 import *  # noqa: F401,F403
from .nb08 import *  # noqa: F401,F403
