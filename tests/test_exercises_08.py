"""Notebook 08's checkers: right answers pass, wrong ones fail with a hint that
does not give the solution away."""

from __future__ import annotations

import pytest

from helpers import exercises as ex
from helpers.mta import conformance

RIGHT = {("encrypt", "opportunistic.example", "substitute"): "unverified",
         ("dane", "example.com", "substitute"): "deferred",
         ("sts", "sts-enforce.example", "strip"): "deferred",
         ("dane-only", "dane-insecure.example", "none"): "deferred"}


@pytest.fixture(scope="module")
def cells():
    return conformance.load()[0]


def test_the_cases_are_in_the_matrix_and_not_in_the_notebooks_list_of_traps(cells):
    by = {(c.setup, c.domain, c.attack): c for c in cells}
    owners = {e.id: e.owner for e in conformance.EXPECTED}
    for case in ex.PREDICT_CASES:
        # Worked out from the levels and attacks, not one of the traps the notebook lists.
        assert by[case].agree or owners[by[case].divergence] == "set-up"
    assert set(ex.PREDICT_CASES) == set(RIGHT)


def test_prediction_checker(cells):
    assert "All four" in str(ex.check_postfix_prediction(RIGHT, cells))
    assert ex.check_postfix_prediction({k: v.upper() for k, v in RIGHT.items()}, cells)
    case = ("dane", "example.com", "substitute")
    with pytest.raises(ex.ExerciseFailed, match="DANE-EE") as e:
        ex.check_postfix_prediction({**RIGHT, case: "unverified"}, cells)
    assert "deferred" not in str(e.value)  # the hint does not name the answer
    with pytest.raises(ex.ExerciseFailed, match="one of the words"):
        ex.check_postfix_prediction({**RIGHT, case: "delivered"}, cells)
    with pytest.raises(ex.ExerciseFailed, match="too"):
        ex.check_postfix_prediction({case: "deferred"}, cells)
    with pytest.raises(ex.ExerciseFailed, match="None"):
        ex.check_postfix_prediction(None, cells)


RIGHT_LEVELS = {"internet": "dane", "partner-dane": "dane-only", "legacy-relay": "encrypt",
                "partner-ca": "secure"}


def test_level_checker():
    ex.check_level_choice(RIGHT_LEVELS)
    ex.check_level_choice({k: v.upper() for k, v in RIGHT_LEVELS.items()})
    for goal, wrong, hint in (("internet", "dane-only", "never falls back"),
                              ("legacy-relay", "may", "in the clear"),
                              ("partner-ca", "verify", "forge"),
                              ("partner-dane", "dane", "not 'never'")):
        with pytest.raises(ex.ExerciseFailed, match=hint) as e:
            ex.check_level_choice({**RIGHT_LEVELS, goal: wrong})
        assert f"'{RIGHT_LEVELS[goal]}'" not in str(e.value)
    with pytest.raises(ex.ExerciseFailed, match="Postfix's levels"):
        ex.check_level_choice({**RIGHT_LEVELS, "internet": "opportunistic"})
    with pytest.raises(ex.ExerciseFailed, match="too"):
        ex.check_level_choice({"internet": "dane"})
