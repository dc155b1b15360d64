"""The demo's trust loop: the demo buyer's orders in every state and a seller suspended for its defects, loaded
through the real services, balanced in the ledger, and loaded once however often ``reloop demo`` runs."""

from __future__ import annotations

import pytest
from django.db.models import Sum

from reloop.accounts.models import User
from reloop.aftersales.models import Case
from reloop.catalog.tests.factories import VariantFactory
from reloop.fulfillment.models import Shipment
from reloop.offers.tests.factories import make_offer
from reloop.ops.demo_accounts import DEMO_SELLER_SLUG, load_demo_accounts
from reloop.ops.demo_orders import (
    BUYER_EMAIL,
    OTHER_SELLER_SLUG,
    QUALITY_ORDERS,
    QUALITY_UNITS,
    SUSPENDED_SELLER_SLUG,
    load_demo_orders,
    load_demo_quality,
)
from reloop.orders.models import LineEvent, Order, OrderLine
from reloop.payments.checks import failed, run_checks
from reloop.payments.models import LedgerTransaction, LineRelease, Payout
from reloop.payments.providers.testing import TestRefund
from reloop.pricing.models import BuyBoxSnapshot
from reloop.pricing.services import rebuild_all_buy_boxes
from reloop.quality.models import QualitySnapshot, QualityWarning
from reloop.reviews.models import Review
from reloop.sellers.models import Standing
from reloop.sellers.tests.factories import SellerFactory

# Transactional: the buy boxes move on commit when the seller is suspended, as they do in `reloop demo`.
pytestmark = pytest.mark.django_db(transaction=True)


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Order,
            OrderLine,
            LineEvent,
            Shipment,
            Case,
            Review,
            LedgerTransaction,
            LineRelease,
            Payout,
            TestRefund,
            QualitySnapshot,
            QualityWarning,
        )
    }


@pytest.fixture
def marketplace():
    """The demo refurbisher, a second seller, and London Reboot winning a buy box with Rival Renew next."""
    demo = SellerFactory(name="Second Wind Devices", slug=DEMO_SELLER_SLUG)
    for _ in range(6):
        make_offer(seller=demo, variant=VariantFactory(), stock=3)
    make_offer(seller=SellerFactory(name="Phoenix Phones", slug=OTHER_SELLER_SLUG), variant=VariantFactory(), stock=2)
    bad = SellerFactory(name="London Reboot", slug=SUSPENDED_SELLER_SLUG)
    for _ in range(QUALITY_ORDERS):
        make_offer(seller=bad, variant=VariantFactory(), stock=QUALITY_UNITS + 1)
    contested = VariantFactory()
    winning = make_offer(seller=bad, variant=contested, price=25000, stock=3)
    rival = make_offer(seller=SellerFactory(name="Rival Renew"), variant=contested, price=27000, stock=3)
    load_demo_accounts()
    return {"demo": demo, "bad": bad, "winning": winning, "rival": rival}


def test_the_demo_buyer_has_one_order_in_each_step_and_a_second_load_creates_nothing(marketplace):
    # When the demo loads its quality story and its orders (in `reloop demo`'s order), twice
    assert load_demo_quality() == QUALITY_ORDERS
    assert load_demo_orders() == 6
    loaded = counts()
    assert (load_demo_quality(), load_demo_orders()) == (0, 0)

    # Then the second load created nothing
    assert counts() == loaded

    # The demo buyer's orders, oldest first: reviewed, refunded, returning, shipped (two parcels), accepted, paid
    orders = list(Order.objects.filter(buyer__username=BUYER_EMAIL).order_by("paid_at"))
    states = [sorted(OrderLine.objects.filter(seller_order__order=o).values_list("state", flat=True)) for o in orders]
    assert states == [
        ["delivered"],
        ["refunded"],
        ["return_requested"],
        ["shipped", "shipped"],
        ["accepted"],
        ["paid"],
    ]
    reviewed, refunded, returning, shipped = orders[:4]
    review = Review.objects.get(line__seller_order__order=reviewed)
    assert (review.product_rating, review.seller_rating) == (5, 5)
    assert Case.objects.get(order=refunded).state == "resolved"
    assert Case.objects.get(order=returning).state == "opened"
    assert TestRefund.objects.count() == 1  # the refunded return only, once
    parcels = Shipment.objects.filter(seller_order__order=shipped)
    assert sorted(parcels.values_list("status", flat=True)) == ["in_transit", "in_transit"]
    assert all(p.tracking_number and p.events.count() == 3 for p in parcels)  # handed over, picked up, in transit

    # The reviewed line's money was released after the 14-day hold; the refunded one never will be
    assert LineRelease.objects.filter(line__seller_order__order=reviewed).exists()
    assert not LineRelease.objects.filter(line__seller_order__order=refunded).exists()

    # London Reboot: warned, then suspended after the grace period; its buy box went to the next offer
    bad = marketplace["bad"]
    bad.refresh_from_db()
    assert bad.standing == Standing.SUSPENDED
    assert sorted(QualityWarning.objects.filter(seller=bad).values_list("kind", "metric")) == [
        ("suspension", "defect_rate"),
        ("warning", "defect_rate"),
    ]
    snapshots = QualitySnapshot.objects.filter(seller=bad).order_by("day")
    assert list(snapshots.values_list("defects", "delivered_units")) == [(2, 20), (2, 20)]
    assert all(score < 70 for score in snapshots.values_list("score", flat=True))  # answer hours vary with the hour
    contested = BuyBoxSnapshot.objects.get(variant=marketplace["winning"].variant, market="en-gb")
    assert contested.winner_id == marketplace["rival"].pk
    assert not BuyBoxSnapshot.objects.filter(winner__seller=bad).exists()
    assert Case.objects.filter(seller=bad, kind="warranty", state="escalated").count() == 2

    # Its sales of six weeks ago were paid out; the ledger balances; the buy boxes match the offers
    paid = Payout.objects.filter(seller=bad, status="paid").aggregate(total=Sum("amount"))["total"]
    released = LineRelease.objects.filter(seller_id=bad.pk).aggregate(total=Sum("amount"))["total"]
    assert paid == released > 0  # every unit's net, released after the hold, was paid out
    assert failed(run_checks()) == []
    assert rebuild_all_buy_boxes().differences == 0


def test_without_the_demo_accounts_and_sellers_nothing_is_loaded():
    assert (load_demo_quality(), load_demo_orders()) == (0, 0)
    assert Order.objects.count() == 0
    assert User.objects.count() == 0
