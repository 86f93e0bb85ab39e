"""Notebook 07's checkers: the shops of exercise 1 are broken where the
notebook's table cannot show it, and only the root cause with its fix passes."""

from __future__ import annotations

import pytest

from helpers import domain
from helpers import exercises as ex

RIGHT = {
    "shop-a.example": ("dane:mx2.shop-a.example", "B"),
    "shop-b.example": ("mta-sts-mx", "C"),
    "shop-c.example": ("starttls:mx.shop-c.example", "E"),
}


@pytest.fixture
def shops(lab):
    yield ex.open_shops(lab)
    lab.reset()


def test_the_shops_are_not_in_the_catalogue_table(lab):
    # The notebook's table inspects lab.domains before the exercise: the answer
    # must not already be on screen.
    assert not set(ex.BROKEN_DOMAINS) & set(lab.domains)


def test_each_shop_fails_where_the_exercise_says(lab, shops):
    for name in shops:
        failing = {c.id for c in domain.inspect(name, lab.net).checks if c.status == "fail"}
        assert RIGHT[name][0] in failing, (name, failing)
    assert "Each failure named" in str(ex.check_broken(RIGHT, lab))


@pytest.mark.parametrize("change,hint", [
    ({"shop-c.example": ("dane:mx.shop-c.example", "B")}, "only because another check fails"),
    ({"shop-a.example": ("dane:mx1.shop-a.example", "B")}, "not the check that fails"),
    ({"shop-b.example": ("mta-sts-mx", "A")}, "would not clear"),
    ({"shop-a.example": ("sender", "B")}, "because of another check"),
])
def test_wrong_answers_get_a_hint(lab, shops, change, hint):
    with pytest.raises(ex.ExerciseFailed, match=hint) as e:
        ex.check_broken({**RIGHT, **change}, lab)
    assert "starttls:mx.shop-c" not in str(e.value)  # the hint never names the answer


def test_rerunning_the_cell_works(lab, shops):
    assert ex.open_shops(lab) == shops  # lab.reset() inside: no "already a lab domain"
