"""Orders placed as a buyer places them: a cart, then checkout paid with the test card, so that a paid order holds a
real (test provider) charge and ledger postings, and cancelling or refunding it moves real money.

``orders.tests.factories`` records paid orders without a payment (the orders layer cannot reach checkout); use
these when the money matters or the test is about what checkout produced.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import cast

from reloop.accounts.models import User
from reloop.accounts.tests.factories import UserFactory
from reloop.catalog.tests.factories import VariantFactory
from reloop.checkout.models import Cart
from reloop.checkout.services import Checkout, add_to_cart, ensure_cart
from reloop.checkout.test_provider_buyer import pay_with_test_card
from reloop.offers.models import Offer
from reloop.offers.tests.factories import make_offer
from reloop.orders.models import Order, OrderLine, SellerOrder
from reloop.sellers.models import Seller

ADDRESS = {"full_name": "Ada Buyer", "line1": "1 High Street", "postal_code": "SW1A 1AA", "city": "London"}
TEST_CARD = "4242424242424242"
MARKET = "en-gb"
_keys = itertools.count(1)


def cart_with(*, buyer: User, items: Sequence[tuple[Offer, int]], market: str = MARKET) -> Cart:
    """``buyer``'s cart in ``market`` with ``items`` (offer, quantity) added."""
    cart = ensure_cart(user=buyer, token=None, market=market)
    for offer, quantity in items:
        add_to_cart(cart=cart, offer_id=offer.pk, quantity=quantity)
    return cart


def pay_cart(*, buyer: User, cart: Cart, key: str | None = None, address: Mapping[str, str] = ADDRESS) -> Order:
    """Checkout of ``cart`` paid with the test card on the provider's page; ``key`` is the idempotency key (a
    fresh one by default)."""
    return pay_with_test_card(
        checkout=Checkout(
            buyer=buyer,
            cart=cart,
            shipping_address=address,
            shipping={},
            idempotency_key=key or f"checkout-{next(_keys)}",
            return_url="https://shop.test/en-gb/checkout/return/",
        ),
        card=TEST_CARD,
    )


def checkout_order(
    *, items: Sequence[tuple[Offer, int]], buyer: User | None = None, address: Mapping[str, str] = ADDRESS
) -> Order:
    """A paid order of ``items`` (offer, quantity) by ``buyer`` (a new buyer by default)."""
    the_buyer = buyer or cast(User, UserFactory())
    return pay_cart(buyer=the_buyer, cart=cart_with(buyer=the_buyer, items=items), address=address)


def paid_seller_order(
    *,
    seller: Seller,
    quantity: int = 1,
    stock: int = 10,
    dispatch_days: int = 1,
    address: Mapping[str, str] = ADDRESS,
) -> tuple[Offer, SellerOrder, OrderLine]:
    """(offer, seller order, line) of a paid order of ``quantity`` units of a new offer (of a new variant) of
    ``seller`` with ``stock`` units."""
    offer = make_offer(seller=seller, variant=VariantFactory(), stock=stock, dispatch_days=dispatch_days)
    order = checkout_order(items=[(offer, quantity)], address=address)
    part = SellerOrder.objects.get(order=order)
    return offer, part, part.lines.get()
