"""The exercise-checking machinery every notebook's checkers share.

Each checker takes the learner's answer, compares it with what the helpers
compute, and either returns a :class:`Passed` verdict or raises
:class:`ExerciseFailed` with a hint that points at the mistake without giving
the solution away. Raising is deliberate: in the generated learner notebooks a
check cell fails (visibly, in red) until the exercise is done.
"""

from __future__ import annotations

import functools
import html
import sys
import textwrap
from dataclasses import dataclass


class ExerciseFailed(AssertionError):
    """The answer is not right yet; the message says what to look at.

    In a notebook it is shown as the check's name, "Not yet" and the hint
    only: IPython calls ``_render_traceback_`` instead of printing the
    traceback, whose source lines (the checker's own code) would give the
    answer away. The cell still fails, so a learner sees red and a test
    running the learner copy sees the error.
    """

    check: str = "check"

    def _render_traceback_(self) -> list[str]:
        red, bold, reset = "\x1b[31m", "\x1b[1m", "\x1b[0m"
        hint = str(self).removeprefix("Not yet.").strip()
        lines = [f"{bold}{red}✗ {self.check}: Not yet.{reset}"]
        lines += ["  " + line for line in textwrap.wrap(hint, 88)]
        return lines


@dataclass(frozen=True)
class Passed:
    """A passed exercise: what was checked."""

    message: str

    def __str__(self) -> str:
        return f"Correct. {self.message}"

    def _repr_html_(self) -> str:
        return (f'<div style="border-left:4px solid #2b8a3e;padding:4px 8px">'
                f"<b>Correct.</b> {html.escape(self.message)}</div>")


def checker(fn):
    """Mark ``fn`` as an exercise checker: a failure names it and hides the
    traceback (see :class:`ExerciseFailed`)."""
    @functools.wraps(fn)
    def check(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ExerciseFailed as e:
            e.check = fn.__name__
            # No chained context either: the learner's data is in the message.
            raise e.with_traceback(None) from None
    return check


def _fail(hint: str) -> None:
    error = ExerciseFailed(f"Not yet. {hint}")
    # Name the check even in a checker without @checker: the nearest caller
    # whose name starts with "check_".
    frame = sys._getframe(1)
    while frame is not None and not frame.f_code.co_name.startswith("check_"):
        frame = frame.f_back
    if frame is not None:
        error.check = frame.f_code.co_name
    raise error


def _true_or_false(value, what: str) -> bool:
    if not isinstance(value, bool):
        _fail(f"Answer {what} with True or False (not {value!r}).")
    return value


def _answered(answer, name: str) -> None:
    if answer is None:
        _fail(f"`{name}` is still None: replace `raise NotImplementedError(...)` in the "
              "cell above with your code, run that cell, then this one.")
