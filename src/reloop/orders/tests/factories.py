"""Paid orders recorded through the orders services (no payment provider: that is checkout's layer).

Tests that need real money movements (cancellation refunds) place orders through ``checkout`` in checkout's or
web's tests instead.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import timedelta
from typing import cast

from reloop.accounts.models import User
from reloop.accounts.tests.factories import UserFactory
from reloop.catalog.tests.factories import CategoryFactory, ProductModelFactory, VariantFactory
from reloop.core import clock
from reloop.core.money import Money
from reloop.offers.models import Offer
from reloop.offers.tests.factories import make_offer
from reloop.orders.models import Order, OrderLine, SellerOrder, ShippingMethod
from reloop.orders.services import LineSpec, SellerPart, mark_paid, open_order, record_initial_events
from reloop.sellers.models import Seller
from reloop.sellers.tests.factories import SellerFactory

ADDRESS = {"full_name": "Ada Buyer", "line1": "1 High Street", "postal_code": "SW1A 1AA", "city": "London"}
_keys = itertools.count(1)


def phone_offer(*, seller: Seller, stock: int = 20, dispatch_days: int = 1) -> Offer:
    smartphones = CategoryFactory(slug="smartphones", name="Smartphones")
    variant = VariantFactory(product_model=ProductModelFactory(category=smartphones))
    return make_offer(seller=seller, variant=variant, stock=stock, dispatch_days=dispatch_days)


def laptop_offer(*, seller: Seller, stock: int = 20) -> Offer:
    laptops = CategoryFactory(slug="laptops", name="Laptops", battery_min_health=85)
    variant = VariantFactory(product_model=ProductModelFactory(category=laptops, name="Book"))
    return make_offer(seller=seller, variant=variant, stock=stock)


def paid_order(
    *, buyer: User | None = None, items: Sequence[tuple[Offer, int]], shipping_method: str = ShippingMethod.STANDARD
) -> Order:
    """A paid order of ``items`` (offer, quantity) at 300.00 GBP a unit, one seller part per seller."""
    the_buyer = cast(User, buyer or UserFactory())
    by_seller: dict[int, list[tuple[Offer, int]]] = {}
    for offer, quantity in items:
        by_seller.setdefault(offer.seller_id, []).append((offer, quantity))
    parts = [
        SellerPart(
            seller=lines[0][0].seller,
            shipping_method=shipping_method,
            shipping=Money.zero("GBP"),
            lines=[LineSpec(offer, quantity, Money(30000, "GBP")) for offer, quantity in lines],
        )
        for lines in by_seller.values()
    ]
    order = open_order(
        buyer=the_buyer,
        market="en-gb",
        currency="GBP",
        idempotency_key=f"test-{next(_keys)}",
        reserved_until=clock.now() + timedelta(minutes=15),
        shipping_address=ADDRESS,
        parts=parts,
    )
    mark_paid(order=order, payment_reference=f"test-ref-{order.number}")
    record_initial_events(order=order)
    return order


def a_phone_order(
    *, quantity: int = 1, buyer: User | None = None, seller: Seller | None = None
) -> tuple[Seller, SellerOrder, OrderLine]:
    """(seller, seller order, line) of a paid order of ``quantity`` phones from one seller."""
    the_seller = cast(Seller, seller or SellerFactory())
    order = paid_order(buyer=buyer, items=[(phone_offer(seller=the_seller), quantity)])
    part = SellerOrder.objects.get(order=order, seller=the_seller)
    return the_seller, part, part.lines.get()
