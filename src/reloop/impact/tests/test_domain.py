from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reloop.impact.domain import Footprint, avoided_kgco2e, choose_footprint, estimate

kg = st.decimals(min_value=Decimal("0.1"), max_value=Decimal("2000"), places=1)
share = st.decimals(min_value=Decimal(0), max_value=Decimal(1), places=3)


def test_avoided_is_manufacturing_share_of_new_minus_refurbishing():
    # iPhone 13: 64 kg, 81% from manufacturing; refurbishing 15 kg
    assert avoided_kgco2e(
        new_kgco2e=Decimal(64), manufacturing_share=Decimal("0.81"), refurbishing_kgco2e=Decimal(15)
    ) == Decimal("36.8")


def test_avoided_is_never_negative():
    assert (
        avoided_kgco2e(new_kgco2e=Decimal(10), manufacturing_share=Decimal("0.2"), refurbishing_kgco2e=Decimal(15)) == 0
    )


@given(new=kg, s=share, refurb=kg)
def test_avoided_is_between_zero_and_the_manufacturing_footprint(new, s, refurb):
    avoided = avoided_kgco2e(new_kgco2e=new, manufacturing_share=s, refurbishing_kgco2e=refurb)
    assert Decimal(0) <= avoided <= (new * s).quantize(Decimal("0.1")) + Decimal("0.05")


@given(new=kg, s=share, refurb=kg, more=kg)
def test_more_refurbishing_never_avoids_more(new, s, refurb, more):
    a = avoided_kgco2e(new_kgco2e=new, manufacturing_share=s, refurbishing_kgco2e=refurb)
    b = avoided_kgco2e(new_kgco2e=new, manufacturing_share=s, refurbishing_kgco2e=refurb + more)
    assert b <= a


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"new_kgco2e": Decimal(0), "manufacturing_share": Decimal("0.5"), "refurbishing_kgco2e": Decimal(1)},
            "positive",
        ),
        (
            {"new_kgco2e": Decimal(1), "manufacturing_share": Decimal("1.5"), "refurbishing_kgco2e": Decimal(1)},
            "between 0 and 1",
        ),
        (
            {"new_kgco2e": Decimal(1), "manufacturing_share": Decimal("0.5"), "refurbishing_kgco2e": Decimal(-1)},
            "negative",
        ),
    ],
)
def test_impossible_inputs_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        avoided_kgco2e(**kwargs)


def test_estimate_scales_with_units_and_reports_percent():
    fp = Footprint(Decimal(100), Decimal("0.8"), Decimal(20), "category")
    result = estimate(fp, units=3)
    assert (result.avoided_kgco2e, result.new_kgco2e, result.avoided_percent) == (Decimal("180.0"), 300, 60)


def test_model_figure_wins_over_category_and_refurbishing_comes_from_category():
    fp = choose_footprint(
        model_total=Decimal(64),
        model_share=Decimal("0.81"),
        category_new=Decimal("69.5"),
        category_share=Decimal("0.8"),
        category_refurbishing=Decimal(15),
    )
    assert fp == Footprint(Decimal(64), Decimal("0.81"), Decimal(15), "model")


def test_no_category_figure_means_no_claim():
    assert (
        choose_footprint(
            model_total=Decimal(64),
            model_share=Decimal("0.81"),
            category_new=None,
            category_share=None,
            category_refurbishing=None,
        )
        is None
    )
