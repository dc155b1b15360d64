"""Listing rules that depend on the catalogue: a game (no IMEI or serial) lists no units; a laptop's serial."""

from __future__ import annotations

import pytest

from reloop.catalog.tests.factories import CategoryFactory, ProductModelFactory, VariantFactory
from reloop.offers.tests.factories import make_offer
from reloop.passports.errors import InvalidUnitPassport
from reloop.passports.models import OfferUnit
from reloop.passports.services import UnitInput, attach_units
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db


def offer_in(slug: str):
    variant = VariantFactory(product_model=ProductModelFactory(category=CategoryFactory(slug=slug)))
    return make_offer(seller=SellerFactory(), variant=variant)


def test_a_game_has_no_identifier_so_its_units_are_not_listed():
    game = offer_in("video-games")
    with pytest.raises(InvalidUnitPassport) as info:
        attach_units(seller=game.seller, offer_id=game.pk, units=[UnitInput("DISC1234", {"battery_health": 90})])
    assert info.value.code == "no_unit_identifier"
    assert OfferUnit.objects.count() == 0


def test_a_laptop_unit_is_listed_by_its_serial():
    laptop = offer_in("laptops")
    report = attach_units(seller=laptop.seller, offer_id=laptop.pk, units=[UnitInput("c02-xk1 9ab", {})])
    assert [(u.kind, u.identifier) for u in report.units] == [("serial", "C02XK19AB")]
