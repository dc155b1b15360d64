"""Seller-facing offer reads. Each takes the seller: one seller never sees another's offers."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from reloop.offers.errors import OfferNotFound
from reloop.offers.models import Offer, OfferPrice
from reloop.sellers.models import Seller


def seller_offers(*, seller: Seller) -> QuerySet[Offer]:
    """The seller's offers with their product and prices: one query, plus one for the prices of a page."""
    return (
        Offer.objects.filter(seller=seller)
        .select_related("variant__product_model__brand")
        .prefetch_related(Prefetch("prices", queryset=OfferPrice.objects.order_by("market")))
        .order_by("pk")
    )


def seller_offer(*, seller: Seller, offer_id: int) -> Offer:
    """One of the seller's offers; another seller's is answered exactly like a missing one."""
    offer = seller_offers(seller=seller).filter(pk=offer_id).first()
    if offer is None:
        raise OfferNotFound(f"No offer {offer_id}")
    return offer
