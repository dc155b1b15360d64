"""Per-offer CO2e (docs/adr/0042-per-offer-co2e-ranges.md): the range always contains the point figure, new parts
and distance never make a unit avoid more, and the published figures give the documented example."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reloop.impact.domain import (
    AIR,
    COUNTRY_POINTS,
    FARTHEST_KM,
    ROAD,
    Footprint,
    Route,
    Spread,
    has_new_parts,
    new_device_spread,
    offer_avoided,
    route,
)

ROAD_F = Spread(Decimal("0.10273"), Decimal("0.14993"), Decimal("0.14993"))
AIR_F = Spread(Decimal("0.498"), Decimal("0.57"), Decimal("0.57"))
REFURB = Spread(Decimal("7.35"), Decimal(15), Decimal(15))

kg = st.decimals(min_value=Decimal("1"), max_value=Decimal("1000"), places=2)
share = st.decimals(min_value=Decimal(0), max_value=Decimal(1), places=3)
countries = st.sampled_from([*sorted(COUNTRY_POINTS), "ZZ"])


def _impact(*, new, s, low, high, new_parts, seller="FR", market="DE", shipped=Decimal("0.5")):
    spread = new_device_spread(point=new, category_point=new, category_low=low, category_high=high)
    return offer_avoided(
        footprint=Footprint(new, s, Decimal(15), "model"),
        new_spread=spread,
        refurbishing=REFURB,
        new_parts=new_parts,
        route=route(seller, market),
        road_kg_per_tonne_km=ROAD_F,
        air_kg_per_tonne_km=AIR_F,
        shipped_kg=shipped,
    )


@given(new=kg, s=share, lo=kg, hi=kg, parts=st.booleans(), a=countries, b=countries, shipped=kg)
def test_the_range_contains_the_point_figure(new, s, lo, hi, parts, a, b, shipped):
    impact = _impact(new=new, s=s, low=min(lo, hi), high=max(lo, hi), new_parts=parts, seller=a, market=b,
                     shipped=shipped)  # fmt: skip
    assert Decimal(0) <= impact.low <= impact.point <= impact.high
    for value in (impact.low, impact.point, impact.high):
        assert value == value.quantize(Decimal("0.1"))


@given(new=kg, s=share, a=countries, b=countries)
def test_new_parts_never_avoid_more(new, s, a, b):
    light = _impact(new=new, s=s, low=new, high=new, new_parts=False, seller=a, market=b)
    full = _impact(new=new, s=s, low=new, high=new, new_parts=True, seller=a, market=b)
    assert full.point <= light.point
    assert (full.low, full.high) == (light.low, light.high)  # the range is the sources' spread either way


@given(new=kg, s=share, market=countries)
def test_a_seller_in_the_market_avoids_at_least_as_much_as_one_abroad(new, s, market):
    home = _impact(new=new, s=s, low=new, high=new, new_parts=False, seller=market, market=market)
    for seller in ("US", "JP", "DE"):
        assert _impact(new=new, s=s, low=new, high=new, new_parts=False, seller=seller, market=market).point <= (
            home.point
        )


def test_iphone_13_from_a_french_seller():
    # 64 kg × 0.81, smartphone spread 57–78 around a 69.5 median; refurbishing 7.35–15; Paris → Berlin by road
    spread = new_device_spread(
        point=Decimal(64), category_point=Decimal("69.5"), category_low=Decimal(57), category_high=Decimal(78)
    )
    common = {
        "footprint": Footprint(Decimal(64), Decimal("0.81"), Decimal(15), "model"),
        "new_spread": spread,
        "refurbishing": REFURB,
        "road_kg_per_tonne_km": ROAD_F,
        "air_kg_per_tonne_km": AIR_F,
        "shipped_kg": Decimal("0.5"),
    }
    light = offer_avoided(**common, new_parts=False, route=route("FR", "FR"))
    assert (light.low, light.point, light.high) == (Decimal("27.5"), Decimal("44.5"), Decimal("50.8"))
    full = offer_avoided(**common, new_parts=True, route=route("FR", "FR"))
    assert full.point == Decimal("36.8")  # ADR 0005's model figure: a unit with new parts
    abroad = offer_avoided(**common, new_parts=True, route=route("US", "FR"))
    assert abroad.route.mode == AIR
    assert abroad.point == Decimal("34.9")  # 6,165 km × 1.09 = 6,720 km by air, 0.5 kg at 0.57 kg/t·km: 1.9 kg


def test_routes():
    assert route("FR", "FR") == Route(Spread(Decimal(0), Decimal(0), Decimal(0)), ROAD)
    paris_berlin = route("fr", "DE")
    assert paris_berlin.mode == ROAD
    assert Decimal(950) < paris_berlin.distance_km.point < Decimal(1050)  # 878 km great circle, +9%
    assert route("GB", "US").mode == AIR
    unknown = route("ZZ", "FR")
    assert (unknown.mode, unknown.distance_km.low, unknown.distance_km.point) == (AIR, Decimal(0), FARTHEST_KM)


@pytest.mark.parametrize(
    ("battery", "provenance", "replaced", "expected"),
    [
        ("standard", "all_original", [], False),
        ("high", "all_original", [], False),
        ("new", "all_original", [], True),
        ("standard", "compatible", ["screen"], True),
        ("standard", "oem_harvested", ["screen"], False),  # parts from other devices: reuse, not manufacture
        ("standard", "all_original", ["screen"], True),  # a new original part
    ],
)
def test_which_units_have_new_parts(battery, provenance, replaced, expected):
    assert has_new_parts(battery_tier=battery, parts_provenance=provenance, replaced_parts=replaced) is expected


def test_impossible_spreads_are_refused():
    with pytest.raises(ValueError, match="low <= point <= high"):
        Spread(Decimal(2), Decimal(1), Decimal(3))
    with pytest.raises(ValueError, match="positive"):
        new_device_spread(
            point=Decimal(0), category_point=Decimal(1), category_low=Decimal(1), category_high=Decimal(1)
        )
