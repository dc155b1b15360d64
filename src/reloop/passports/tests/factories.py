"""Unit passports for tests: listed through the real service (``attach_units``), as a seller lists them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reloop.catalog.tests.factories import CategoryFactory, ProductModelFactory, VariantFactory
from reloop.devices.tests.factories import imei
from reloop.offers.models import Offer
from reloop.offers.tests.factories import make_offer
from reloop.passports.models import OfferUnit
from reloop.passports.services import UnitInput, attach_units
from reloop.sellers.models import Seller

#: A complete passport: battery, a part replaced, tests, erasure with a certificate, no lock of any kind.
FULL: dict[str, Any] = {
    "battery_health": 94,
    "battery_cycles": 210,
    "parts": [{"part": "screen", "provenance": "original"}],
    "tests": [{"test": "display", "passed": True}, {"test": "touch", "passed": True}],
    "erasure_method": "blancco",
    "erasure_certificate": "BL-2026-000123",
    "carrier_unlocked": True,
    "activation_lock_off": True,
    "mdm_free": True,
}


def list_units(offer: Offer, healths: Sequence[int], *, start: int = 1, **facts: Any) -> list[OfferUnit]:
    """Units with IMEIs ``imei(start)``… listed on ``offer``, one per battery health in ``healths``."""
    units = [
        UnitInput(imei(start + n), {**FULL, "battery_health": health, "battery_cycles": 100 + 10 * n, **facts})
        for n, health in enumerate(healths)
    ]
    return attach_units(seller=offer.seller, offer_id=offer.pk, units=units).units


def phone_offer(*, seller: Seller, stock: int = 3, price: int = 30000) -> Offer:
    """An offer of a new smartphone variant (units identified by IMEI) at ``price`` in en-gb."""
    smartphones = CategoryFactory(slug="smartphones", name="Smartphones")
    variant = VariantFactory(product_model=ProductModelFactory(category=smartphones))
    return make_offer(seller=seller, variant=variant, stock=stock, price=price)
