"""Which offer prices take part in a buy box: the one definition used by the snapshots and by every read."""

from __future__ import annotations

from django.db.models import QuerySet

from reloop.offers.models import Offer, OfferPrice
from reloop.sellers.models import Standing


def eligible_prices(market: str | None = None) -> QuerySet[OfferPrice]:
    """Prices of offers that can win: active, in stock, from a seller in active standing (ADR 0007)."""
    qs = OfferPrice.objects.filter(offer__is_active=True, offer__stock__gt=0, offer__seller__standing=Standing.ACTIVE)
    return qs.filter(market=market) if market else qs


def offer_is_eligible(offer: Offer) -> bool:
    """The same rule for one loaded offer (its seller loaded too)."""
    return offer.is_active and offer.stock > 0 and offer.seller.standing == Standing.ACTIVE
