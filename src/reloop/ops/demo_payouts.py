"""Demo payouts: a few weeks of the demo refurbisher's sales, delivered, released after the hold and paid on the
payout days, so the payout pages and ``reloop check_ledger`` have something to show. Only ``reloop demo`` loads
them; idempotent: nothing happens once any payout exists.

The purchases go through the real services (checkout, shipping, delivery) and the real payout services; only the
clock is moved back while they run, so the history reads as the past six weeks.
"""

from __future__ import annotations

import datetime as dt

from reloop.core import clock
from reloop.offers.models import Offer
from reloop.ops.demo_accounts import DEMO_SELLER_SLUG
from reloop.ops.demo_story import MARKET, buy, deliver, demo_buyer, seller_part, ship
from reloop.payments.models import Payout
from reloop.payments.services import release_matured_lines, run_due_payouts
from reloop.sellers.models import Seller

#: Days before today each demo purchase is delivered (the last one is still on hold).
DELIVERED_DAYS_AGO = (44, 37, 30, 26, 19, 6)
#: IMEI series: TAC 35 like the demo reviews' units, with units numbered from 5 to stay apart from theirs.
IMEI_TAC, IMEI_UNIT_OFFSET = "35", 5


def _buy_and_deliver(*, index: int, offer: Offer, seller: Seller) -> None:
    buyer = demo_buyer(f"payouts-demo{index}@reloop.test")
    order = buy(buyer=buyer, items=[(offer, 1)], key=f"demo-payouts-{index}")
    part = seller_part(order, seller)
    ship(part, tracking=f"RM{order.pk:09d}GB", tac=IMEI_TAC, unit_offset=IMEI_UNIT_OFFSET)
    deliver(order, part)


def load_demo_payouts() -> int:
    """Sell, deliver, release and pay out the demo seller's past weeks; returns how many payouts were made."""
    seller = Seller.objects.filter(slug=DEMO_SELLER_SLUG).first()
    if seller is None or Payout.objects.exists():
        return 0
    offers = list(
        Offer.objects.filter(seller=seller, is_active=True, stock__gte=3, prices__market=MARKET).order_by("pk")[
            : len(DELIVERED_DAYS_AGO)
        ]
    )
    now = clock.now()
    for index, (offer, days_ago) in enumerate(zip(offers, DELIVERED_DAYS_AGO, strict=False), start=1):
        with clock.frozen_at(now - dt.timedelta(days=days_ago)):
            _buy_and_deliver(index=index, offer=offer, seller=seller)
    # The daily jobs of the past weeks, day by day: releases after the hold, payouts on the payout days.
    start = (now - dt.timedelta(days=max(DELIVERED_DAYS_AGO))).date()
    for offset in range((now.date() - start).days):
        day = start + dt.timedelta(days=offset)
        with clock.frozen_at(dt.datetime.combine(day, dt.time(6, 0), tzinfo=dt.UTC)):
            release_matured_lines(today=day)
            run_due_payouts(today=day)
    return Payout.objects.filter(seller=seller).count()
