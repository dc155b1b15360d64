"""What pricing does when lower layers report a change (subscribed in ``reloop.ops.subscriptions``)."""

from __future__ import annotations

from reloop.offers.events import OffersChanged
from reloop.offers.models import Offer
from reloop.pricing.services import (
    mark_buy_boxes_stale,
    refresh_buy_boxes,
    refresh_stale_buy_boxes,
    stale_batch_due,
)
from reloop.sellers.events import SellerStandingChanged


def on_offers_changed(event: OffersChanged) -> None:
    if event.deferred and event.variant_grades is not None:
        # ranked in a batch with the other deferred changes of the last seconds (ADR 0044)
        mark_buy_boxes_stale(variant_grades=event.variant_grades, markets=event.markets)
        if stale_batch_due():
            refresh_stale_buy_boxes(batches=1)  # one batch in the seller's call; a backlog is the job's
        return
    refresh_buy_boxes(variant_ids=event.variant_ids, markets=event.markets, variant_grades=event.variant_grades)


def on_seller_standing_changed(event: SellerStandingChanged) -> None:
    variant_ids = Offer.objects.filter(seller_id=event.seller_id).values_list("variant_id", flat=True).distinct()
    refresh_buy_boxes(variant_ids=list(variant_ids))
