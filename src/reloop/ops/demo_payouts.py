"""Demo payouts: a few weeks of the demo refurbisher's sales, delivered, released after the hold and paid on the
payout days, so the payout pages and ``reloop check_ledger`` have something to show. Only ``reloop demo`` loads
them; idempotent: nothing happens once any payout exists.

The purchases go through the real services (checkout, shipping, delivery) and the real payout services; only the
clock is moved back while they run, so the history reads as the past six weeks.
"""

from __future__ import annotations

import datetime as dt

from stdnum import luhn

from reloop.accounts.models import User
from reloop.checkout.services import Checkout, add_to_cart, ensure_cart, place_order
from reloop.core import clock
from reloop.fulfillment.services import confirm_delivery, ship_seller_order
from reloop.offers.models import Offer
from reloop.ops.demo_accounts import DEMO_SELLER_SLUG
from reloop.orders.models import SellerOrder
from reloop.payments.models import Payout
from reloop.payments.services import release_matured_lines, run_due_payouts
from reloop.sellers.models import Seller

MARKET = "en-gb"
ADDRESS = {"full_name": "Demo Buyer", "line1": "1 High Street", "postal_code": "SW1A 1AA", "city": "London"}
DEMO_CARD = "4242424242424242"
#: Days before today each demo purchase is delivered (the last one is still on hold).
DELIVERED_DAYS_AGO = (44, 37, 30, 26, 19, 6)


def _imei(n: int) -> str:
    base = f"35{n:012d}"
    return base + luhn.calc_check_digit(base)


def _buy_and_deliver(*, index: int, offer: Offer, seller: Seller) -> None:
    buyer, created = User.objects.get_or_create(
        username=f"payouts-demo{index}@reloop.test", defaults={"email": f"payouts-demo{index}@reloop.test"}
    )
    if created:
        buyer.set_unusable_password()
        buyer.save(update_fields=["password"])
    cart = ensure_cart(user=buyer, token=None, market=MARKET)
    add_to_cart(cart=cart, offer_id=offer.pk)
    order = place_order(
        checkout=Checkout(
            buyer=buyer,
            cart=cart,
            shipping_address=ADDRESS,
            shipping={},
            card_number=DEMO_CARD,
            idempotency_key=f"demo-payouts-{index}",
        )
    )
    part = SellerOrder.objects.prefetch_related("lines").get(order=order, seller=seller)
    ship_seller_order(
        actor=None,
        seller=seller,
        seller_order_id=part.pk,
        carrier="royal_mail",
        tracking_number=f"RM{order.pk:09d}GB",
        units={line.pk: [_imei(line.pk * 10 + n + 5) for n in range(line.quantity)] for line in part.lines.all()},
    )
    confirm_delivery(actor=buyer, order_number=order.number, seller_order_id=part.pk)


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
