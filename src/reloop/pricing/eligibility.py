"""Which offer prices take part in a buy box: the one definition used by the snapshots and by every read."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from reloop.core import clock
from reloop.offers.models import Offer, OfferPrice
from reloop.sellers.models import Standing


def eligible_prices(market: str | None = None) -> QuerySet[OfferPrice]:
    """Prices of offers that can win: active, in stock, from a seller in active standing (ADR 0007) that has not
    reached its new-seller daily cap today (ADR 0012)."""
    qs = OfferPrice.objects.filter(
        Q(offer__seller__capped_on__isnull=True) | Q(offer__seller__capped_on__lt=clock.today()),
        offer__is_active=True,
        offer__stock__gt=0,
        offer__seller__standing=Standing.ACTIVE,
    )
    return qs.filter(market=market) if market else qs


def offer_is_eligible(offer: Offer) -> bool:
    """The same rule for one loaded offer (its seller loaded too)."""
    capped = offer.seller.capped_on is not None and offer.seller.capped_on >= clock.today()
    return offer.is_active and offer.stock > 0 and offer.seller.standing == Standing.ACTIVE and not capped
