"""The one registry of event handlers (DESIGN.md section 3): who reacts to what, after commit."""

from __future__ import annotations

from reloop.core.events import subscribe
from reloop.offers.events import OffersChanged
from reloop.pricing import handlers as pricing
from reloop.sellers.events import SellerStandingChanged


def register() -> None:
    subscribe(OffersChanged, pricing.on_offers_changed)
    subscribe(SellerStandingChanged, pricing.on_seller_standing_changed)
