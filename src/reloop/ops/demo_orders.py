"""Demo orders: the trust loop as a living marketplace. Only ``reloop demo`` loads them (after the demo accounts).

``load_demo_orders`` gives the demo buyer (buyer@reloop.test) one order in each step of the loop, from the demo
refurbisher "Second Wind Devices" (owner seller@reloop.test) and, for one parcel, a second seller:

- paid a few minutes ago, waiting for the seller to accept; accepted this morning, waiting to be shipped;
- shipped 20 hours ago in two parcels (the simulated carrier shows them picked up and in transit; they arrive
  ``RELOOP_SIMULATED_CARRIER_HOURS`` (48) after shipping, or when the buyer clicks "I received it");
- delivered 20 days ago with a verified review (its money released after the 14-day hold);
- delivered 3 days ago with a return opened an hour ago (the seller has it to answer in the back office);
- returned and refunded last week (accepted, shipped back, received, refunded through the test provider);

then replays the money jobs of the past 45 days, day by day (releases after the hold, payout runs).

``load_demo_quality`` tells the story of another refurbisher, "London Reboot": 20 units delivered six weeks ago,
two warranty claims it never answered (escalated to the operator), a defect rate of 10% over the 6% threshold:
warned by the quality job 16 days ago, still over after the 14-day grace period, suspended yesterday, so its
offers left the buy boxes to the next offers. ``reloop demo`` runs it before the other demo sales so that the
quality snapshots it records are the first of their days for that seller.

Everything goes through the real services (checkout with the test card, accept, ship, delivery, after-sales,
reviews, holds, payouts, quality). Where a rule needs time to pass, ``core.clock.now`` is moved back while the
service runs (``core.clock.frozen_at``) and the jobs get their ``today``/``day`` arguments: no row is written by
hand. Audit stamps Django fills itself (``created_at``) keep the real time. The steps of a sale (shopper, checkout,
shipping with generated IMEIs, delivery) are ``ops.demo_story``'s, shared with the other demo loaders.

Idempotent: the buyer's orders are made only while the demo buyer has none, the quality story only while London
Reboot has no sales, and the replayed jobs are idempotent; a second ``reloop demo`` creates nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from reloop.accounts.models import User
from reloop.aftersales.services import (
    answer_case,
    confirm_receipt,
    escalate_overdue_cases,
    mark_shipped_back,
    open_return,
    open_warranty_claim,
    refund_case,
)
from reloop.core import clock
from reloop.fulfillment.services import poll_shipments
from reloop.offers.models import Offer
from reloop.ops import demo_story
from reloop.ops.demo_accounts import DEMO_SELLER_SLUG
from reloop.ops.demo_story import MARKET, deliver, demo_buyer, seller_part
from reloop.orders.models import Order, OrderLine, SellerOrder
from reloop.orders.services import accept_seller_order
from reloop.payments.services import release_matured_lines, run_due_payouts
from reloop.pricing.models import BuyBoxSnapshot
from reloop.quality import selectors as quality_selectors
from reloop.quality.services import record_quality
from reloop.reviews.services import write_review
from reloop.sellers.models import Seller

BUYER_EMAIL = "buyer@reloop.test"
SELLER_EMAIL = "seller@reloop.test"
ADDRESS = {"full_name": "Demo Buyer", "line1": "221B Baker Street", "postal_code": "NW1 6XE", "city": "London"}
#: The demo buyer's order to the US: sales tax of California from checkout to invoice and ledger.
US_ADDRESS = {"country": "US", "full_name": "Demo Buyer", "line1": "500 Market Street", "postal_code": "94103",
              "city": "San Francisco", "region": "CA"}  # fmt: skip
#: IMEI series: TAC 86, apart from the other demo loaders' units (35…).
IMEI_TAC = "86"
#: The refurbisher of the quality story, and the second seller of the buyer's two-parcel order.
SUSPENDED_SELLER_SLUG = "london-reboot"
OTHER_SELLER_SLUG = "phoenix-phones"
#: London Reboot's sales: orders × units, delivered DELIVERED_DAYS_AGO days ago; claims opened CLAIM_DAYS_AGO.
QUALITY_ORDERS, QUALITY_UNITS = 5, 4  # 20 delivered units: the minimum volume for a rate to count
QUALITY_CLAIMS = 2  # 2 / 20 = 10%: over the 6% threshold (a warning), under the 12% hard limit
DELIVERED_DAYS_AGO = 42
WARNED_DAYS_AGO = 16  # warned then; still over after the 14-day grace period: suspended yesterday
HISTORY_DAYS = 45  # the money jobs are replayed from then (before the oldest demo delivery)


def _before(now: dt.datetime) -> Callable[..., dt.datetime]:
    """``ago(days=3, hours=2)``: that long before ``now``."""

    def ago(**delta: float) -> dt.datetime:
        return now - dt.timedelta(**delta)

    return ago


def _buy(*, buyer: User, items: Sequence[tuple[Offer, int]], key: str) -> Order:
    return demo_story.buy(buyer=buyer, items=items, key=key, address=ADDRESS)


def _ship(part: SellerOrder, *, tracking: str) -> None:
    demo_story.ship(part, tracking=tracking, tac=IMEI_TAC)


def _ship_and_deliver(order: Order, seller: Seller, *, shipped: dt.datetime, delivered: dt.datetime) -> SellerOrder:
    part = seller_part(order, seller)
    with clock.frozen_at(shipped):
        _ship(part, tracking=f"RM{part.pk:09d}GB")
    with clock.frozen_at(delivered):
        deliver(order, part)
    return part


def _offers(seller: Seller, *, count: int, min_stock: int, winning: bool) -> list[Offer]:
    """``count`` active offers of ``seller`` sold in the demo market, one per variant, with ``min_stock`` units;
    the ones holding a buy box there first when ``winning`` (what a buyer would pick), else last."""
    winners = set(
        BuyBoxSnapshot.objects.filter(market=MARKET, winner__seller=seller).values_list("winner_id", flat=True)
    )
    offers = list(
        Offer.objects.filter(seller=seller, is_active=True, stock__gte=min_stock, prices__market=MARKET)
        .select_related("variant")
        .order_by("-pk")
    )
    offers.sort(key=lambda offer: (offer.pk in winners) != winning)  # stable: newest first within each group
    picked: list[Offer] = []
    variants: set[int] = set()
    for offer in offers:
        if offer.variant_id not in variants:
            picked.append(offer)
            variants.add(offer.variant_id)
        if len(picked) == count:
            break
    return picked


def _run_daily_jobs(*, since: dt.date, until: dt.date) -> None:
    """The money jobs of each past day, in order: releases after the hold, then the payout run of that day."""
    day = since
    while day < until:
        with clock.frozen_at(dt.datetime.combine(day, dt.time(6, 0), tzinfo=dt.UTC)):
            release_matured_lines(today=day)
            run_due_payouts(today=day)
        day += dt.timedelta(days=1)


def _buyer_orders(*, seller: Seller, now: dt.datetime) -> int:
    buyer = User.objects.get(username=BUYER_EMAIL)
    owner = User.objects.get(username=SELLER_EMAIL)
    other = Seller.objects.filter(slug=OTHER_SELLER_SLUG).first()
    offers = iter(_offers(seller, count=6, min_stock=2, winning=True))
    ago = _before(now)

    # Delivered 20 days ago and reviewed: its money was released after the 14-day hold.
    with clock.frozen_at(ago(days=23)):
        reviewed = _buy(buyer=buyer, items=[(next(offers), 1)], key="demo-orders-reviewed")
    part = _ship_and_deliver(reviewed, seller, shipped=ago(days=22), delivered=ago(days=20))
    with clock.frozen_at(ago(days=19)):
        write_review(
            actor=buyer,
            line_id=part.lines.all()[0].pk,
            product_rating=5,
            seller_rating=5,
            text="As good as new, battery at 96%. Well packed and here in two days.",
        )

    # Returned and refunded: delivered 10 days ago, sent back, received and refunded in full.
    with clock.frozen_at(ago(days=13)):
        refunded = _buy(buyer=buyer, items=[(next(offers), 1)], key="demo-orders-refunded")
    part = _ship_and_deliver(refunded, seller, shipped=ago(days=12), delivered=ago(days=10))
    with clock.frozen_at(ago(days=9)):
        case = open_return(
            actor=buyer,
            line_id=part.lines.all()[0].pk,
            reason="change_of_mind",
            description="My old phone was repaired after all; this one is fine, I just do not need it.",
        )
    with clock.frozen_at(ago(days=8, hours=21)):
        answer_case(
            actor=owner, case_id=case.pk, answer="accept", note="Please use the prepaid Royal Mail label we emailed."
        )
    with clock.frozen_at(ago(days=8)):
        mark_shipped_back(actor=buyer, case_id=case.pk, carrier="royal_mail", tracking_number="RM771234560GB")
    with clock.frozen_at(ago(days=6)):
        confirm_receipt(actor=owner, case_id=case.pk)
        refund_case(actor=owner, case_id=case.pk, note="Received in perfect condition: refunded in full.")

    # Delivered 3 days ago, return opened an hour ago: waiting for the seller's answer.
    with clock.frozen_at(ago(days=5)):
        returning = _buy(buyer=buyer, items=[(next(offers), 1)], key="demo-orders-returning")
    part = _ship_and_deliver(returning, seller, shipped=ago(days=4), delivered=ago(days=3))
    with clock.frozen_at(ago(hours=1)):
        open_return(
            actor=buyer,
            line_id=part.lines.all()[0].pk,
            reason="damaged_in_transit",
            description="The box was crushed and the screen has a crack in the top corner.",
        )

    # Shipped 20 hours ago, two parcels on their way (the demo seller and another refurbisher).
    items = [(next(offers), 1)]
    extra = _offers(other, count=1, min_stock=2, winning=True) if other else []
    with clock.frozen_at(ago(days=1)):
        shipped = _buy(buyer=buyer, items=items + [(offer, 1) for offer in extra], key="demo-orders-shipped")
    with clock.frozen_at(ago(hours=20)):
        for part in SellerOrder.objects.filter(order=shipped).prefetch_related("lines").select_related("seller"):
            _ship(part, tracking=f"RM{part.pk:09d}GB")

    # Accepted this morning, to be shipped; and paid a few minutes ago, waiting for the seller.
    with clock.frozen_at(ago(hours=3)):
        accepted = _buy(buyer=buyer, items=[(next(offers), 1)], key="demo-orders-accepted")
    with clock.frozen_at(ago(hours=2)):
        accept_seller_order(actor=owner, seller=seller, seller_order_id=seller_part(accepted, seller).pk)
    with clock.frozen_at(ago(minutes=10)):
        _buy(buyer=buyer, items=[(next(offers), 1)], key="demo-orders-paid")

    # Sent to San Francisco a few minutes ago: US sales tax on the order, its invoice and in the ledger.
    us_offer = Offer.objects.filter(seller=seller, stock__gte=2, prices__market="en-us").order_by("pk").first()
    if us_offer is not None:
        with clock.frozen_at(ago(minutes=5)):
            demo_story.buy(buyer=buyer, items=[(us_offer, 1)], key="demo-orders-us", address=US_ADDRESS, market="en-us")

    return Order.objects.filter(buyer=buyer).count()


def _record_quality(seller: Seller, day: dt.date) -> None:
    """The daily quality job for one seller on ``day`` (``compute_quality_scores`` does this for every seller)."""
    start, end = quality_selectors.window(day)
    with clock.frozen_at(end - dt.timedelta(hours=1)):
        counts = quality_selectors.seller_counts(seller_id=seller.pk, start=start, end=end)
        record_quality(seller=seller, day=day, counts=counts, start=start, end=end)


def _quality_story(*, bad: Seller, now: dt.datetime) -> int:
    """Sell and deliver 20 units of ``bad``; two come back under warranty: warned, then suspended."""
    ago = _before(now)
    orders: list[Order] = []
    for index, offer in enumerate(_offers(bad, count=QUALITY_ORDERS, min_stock=QUALITY_UNITS + 1, winning=False)):
        buyer = demo_buyer(f"quality-demo{index + 1}@reloop.test", first_name="Demo", last_name=f"Shopper {index + 1}")
        with clock.frozen_at(ago(days=DELIVERED_DAYS_AGO + 3, hours=index)):
            order = _buy(buyer=buyer, items=[(offer, QUALITY_UNITS)], key=f"demo-quality-{index + 1}")
        _ship_and_deliver(
            order,
            bad,
            shipped=ago(days=DELIVERED_DAYS_AGO + 2, hours=index),
            delivered=ago(days=DELIVERED_DAYS_AGO, hours=index),
        )
        orders.append(order)
    for index, order in enumerate(orders[:QUALITY_CLAIMS]):
        line = OrderLine.objects.filter(seller_order__order=order).order_by("pk").first()
        assert line is not None  # noqa: S101  # the order was just placed with one line
        with clock.frozen_at(ago(days=WARNED_DAYS_AGO + 1, hours=index)):
            open_warranty_claim(
                actor=order.buyer,
                line_id=line.pk,
                reason="defective",
                description="The phone restarts by itself several times a day, and the battery drains overnight.",
            )
    _record_quality(bad, ago(days=WARNED_DAYS_AGO).date())  # 10% defects > 6%: a warning, 14 days to improve
    with clock.frozen_at(ago(days=WARNED_DAYS_AGO - 7)):
        escalate_overdue_cases()  # the claims the seller never answered go to the operator
    _record_quality(bad, ago(days=1).date())  # still over after the grace period: suspended, buy boxes move
    return len(orders)


def load_demo_quality() -> int:
    """The quality story, once (while London Reboot has no sales); returns how many orders it placed.

    ``reloop demo`` loads it before the other demo sales so that each day's quality snapshot it records is the
    first of that day for the seller. The money of these sales is released and paid by ``load_demo_orders``."""
    bad = Seller.objects.filter(slug=SUSPENDED_SELLER_SLUG).first()
    if bad is None or SellerOrder.objects.filter(seller=bad).exists():
        return 0
    return _quality_story(bad=bad, now=clock.now())


def load_demo_orders() -> int:
    """The demo buyer's orders, once (while the demo buyer has none), then the money jobs of the past weeks
    (releases after the hold, payout runs) day by day; returns how many orders the buyer got."""
    seller = Seller.objects.filter(slug=DEMO_SELLER_SLUG).first()
    if seller is None or User.objects.filter(username__in=(BUYER_EMAIL, SELLER_EMAIL)).count() < 2:
        return 0
    if Order.objects.filter(buyer__username=BUYER_EMAIL).exists():
        return 0
    now = clock.now()
    created = _buyer_orders(seller=seller, now=now)
    # Each past day's jobs, oldest first (the days another loader already ran are no-ops: jobs are idempotent).
    _run_daily_jobs(since=(now - dt.timedelta(days=HISTORY_DAYS)).date(), until=now.date())
    poll_shipments()  # the parcels shipped 20 hours ago: picked up, in transit
    return created
