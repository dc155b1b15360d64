"""Real domain events through the outbox: offer changes whose on-commit delivery was lost (the web process died after
commit) are delivered by the relay, duplicated and in reverse order, and the buy boxes end equal to a full rebuild."""

from __future__ import annotations

import datetime as dt

import pytest

from reloop.catalog.grading import Grade
from reloop.catalog.tests.factories import VariantFactory
from reloop.core import outbox
from reloop.core.events import handlers_for
from reloop.core.models import HandledEvent, OutboxEvent
from reloop.core.money import Money
from reloop.offers.bulk import apply_changes
from reloop.offers.csv_io import OfferChange
from reloop.offers.events import OffersChanged
from reloop.offers.services import set_offer_prices, set_stock
from reloop.offers.tests.factories import make_offer
from reloop.pricing.models import BuyBoxSnapshot
from reloop.pricing.services import rebuild_all_buy_boxes
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db


def test_lost_offer_events_are_delivered_once_each_by_the_relay_and_buy_boxes_match_a_rebuild(
    django_capture_on_commit_callbacks,
):
    variant = VariantFactory()
    cheap, dear = SellerFactory(), SellerFactory()
    with django_capture_on_commit_callbacks(execute=True):
        a = make_offer(seller=cheap, variant=variant, price=30000, stock=2)
        b = make_offer(seller=dear, variant=variant, price=32000, stock=2)
    assert BuyBoxSnapshot.objects.get(variant=variant, market="en-gb").winner_id == a.pk
    OutboxEvent.objects.all().delete()
    # when prices and stock change and the process dies after each commit (on-commit callbacks never run)
    with django_capture_on_commit_callbacks(execute=False):
        set_offer_prices(seller=dear, offer_id=b.pk, prices={"en-gb": Money(29000, "GBP")})
        set_stock(seller=dear, offer_id=b.pk, stock=0)
        set_offer_prices(seller=cheap, offer_id=a.pk, prices={"en-gb": Money(31000, "GBP")})
    ids = list(OutboxEvent.objects.order_by("pk").values_list("pk", flat=True))
    assert len(ids) == 3
    assert BuyBoxSnapshot.objects.get(variant=variant, market="en-gb").winner_id == a.pk  # stale, for now
    # then duplicated, reordered deliveries and a relay sweep bring everything in line
    for event_id in [*reversed(ids), ids[1], ids[0], ids[1]]:
        outbox.deliver(event_id)
    outbox.relay(min_age=dt.timedelta(0))
    assert not OutboxEvent.objects.filter(delivered_at__isnull=True).exists()
    handled = list(HandledEvent.objects.values_list("event_id", "handler"))
    subscribed = handlers_for(OffersChanged)  # the buy-box refresh, and whatever else listens (search's versions)
    assert "reloop.pricing.handlers.on_offers_changed" in {outbox.handler_key(h) for h in subscribed}
    assert len(handled) == len(set(handled)) == 3 * len(subscribed)  # every handler of each event, run once
    snapshot = BuyBoxSnapshot.objects.get(variant=variant, market="en-gb")
    assert snapshot.winner_id == a.pk  # b is out of stock, a is the only one left
    assert rebuild_all_buy_boxes().differences == 0


def test_a_bulk_change_naming_its_grades_survives_the_outbox_and_its_relay_matches_a_rebuild(
    django_capture_on_commit_callbacks,
):
    """The (variant, grade) pairs of a narrowed ``OffersChanged`` are stored as JSON and come back as the same
    frozenset of tuples; delivered late by the relay, the narrowed refresh leaves what a full rebuild would."""
    variant = VariantFactory()
    seller, rival = SellerFactory(), SellerFactory()
    with django_capture_on_commit_callbacks(execute=True):
        mine = make_offer(seller=seller, variant=variant, price=30000, stock=2, grade=Grade.GOOD)
        make_offer(seller=rival, variant=variant, price=31000, stock=2, grade=Grade.GOOD)
        make_offer(seller=rival, variant=variant, price=25000, stock=2, grade=Grade.FAIR)
    OutboxEvent.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=False):
        apply_changes(seller=seller, changes=[OfferChange(line=0, sku=mine.sku, stock=0)])
    (row,) = OutboxEvent.objects.filter(topic__endswith="OffersChanged")
    event = outbox.decode(OffersChanged, row.payload)
    assert event == OffersChanged(frozenset({variant.pk}), None, frozenset({(variant.pk, Grade.GOOD)}))
    assert BuyBoxSnapshot.objects.get(variant=variant, grade=Grade.GOOD, market="en-gb").winner_id == mine.pk  # stale
    outbox.relay(min_age=dt.timedelta(0))
    assert BuyBoxSnapshot.objects.get(variant=variant, grade=Grade.GOOD, market="en-gb").winner.seller == rival
    assert rebuild_all_buy_boxes().differences == 0
