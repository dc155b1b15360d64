"""The one registry of event handlers (DESIGN.md section 3): who reacts to what, after commit."""

from __future__ import annotations

from reloop.catalog.services import touch_variants
from reloop.core.events import subscribe
from reloop.offers.events import OffersChanged, OfferStockChanged
from reloop.pricing import handlers as pricing
from reloop.sellers.events import SellerStandingChanged


def register() -> None:
    subscribe(OffersChanged, pricing.on_offers_changed)
    subscribe(SellerStandingChanged, pricing.on_seller_standing_changed)
    subscribe(OfferStockChanged, on_offer_stock_changed)


def on_offer_stock_changed(event: OfferStockChanged) -> None:
    touch_variants(variant_ids=event.variant_ids)
