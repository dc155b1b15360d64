"""What pricing does when lower layers report a change (subscribed in ``reloop.ops.subscriptions``)."""

from __future__ import annotations

from reloop.offers.events import OffersChanged
from reloop.offers.models import Offer
from reloop.pricing.services import refresh_buy_boxes
from reloop.sellers.events import SellerStandingChanged


def on_offers_changed(event: OffersChanged) -> None:
    refresh_buy_boxes(variant_ids=event.variant_ids, markets=event.markets, variant_grades=event.variant_grades)


def on_seller_standing_changed(event: SellerStandingChanged) -> None:
    variant_ids = Offer.objects.filter(seller_id=event.seller_id).values_list("variant_id", flat=True).distinct()
    refresh_buy_boxes(variant_ids=list(variant_ids))
