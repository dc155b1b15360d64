"""Offers are created through the real service, as a seller would."""

from __future__ import annotations

import itertools

from reloop.catalog.grading import BatteryTier, Grade, PartsProvenance
from reloop.core.money import Money
from reloop.offers.models import Offer
from reloop.offers.services import OfferTerms, create_offer

_sku = itertools.count(1)


def make_offer(
    *,
    seller,
    variant,
    price: int = 30000,
    market: str = "en-gb",
    currency: str = "GBP",
    grade: str = Grade.GOOD,
    battery: str = BatteryTier.STANDARD,
    parts: str = PartsProvenance.ALL_ORIGINAL,
    stock: int = 5,
    warranty_months: int = 12,
    dispatch_days: int = 1,
    prices: dict | None = None,
) -> Offer:
    return create_offer(
        seller=seller,
        sku=f"SKU-{next(_sku)}",
        terms=OfferTerms(
            variant_id=variant.pk,
            grade=grade,
            battery_tier=battery,
            parts_provenance=parts,
            replaced_parts=() if parts == PartsProvenance.ALL_ORIGINAL else ("screen",),
            warranty_months=warranty_months,
            dispatch_days=dispatch_days,
        ),
        stock=stock,
        prices=prices if prices is not None else {market: Money(price, currency)},
    )
