"""Round trips of placement (issue 15): the review the checkout page built is reused, and the ledger's capture,
split and sales tax are written as one round of statements when the payment settles."""

from __future__ import annotations

from typing import cast

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reloop.accounts.models import User
from reloop.accounts.tests.factories import UserFactory
from reloop.catalog.tests.factories import VariantFactory
from reloop.checkout.models import CheckoutPayment
from reloop.checkout.selectors import CartReview, review_cart
from reloop.checkout.services import Checkout, start_checkout
from reloop.checkout.settlement import settle_payment
from reloop.checkout.tests.factories import ADDRESS, TEST_CARD, cart_with
from reloop.offers.tests.factories import make_offer
from reloop.orders.models import OrderStatus
from reloop.payments.models import LedgerTransaction
from reloop.payments.providers.testing import TestProvider
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db


def reads_of(queries: CaptureQueriesContext, table: str) -> int:
    return sum(1 for q in queries.captured_queries if q["sql"].startswith("SELECT") and f'FROM "{table}"' in q["sql"])


def test_placement_reuses_the_review_it_is_given_and_reads_the_cart_without_one() -> None:
    """Given a cart of two sellers, when checkout starts with the review the page built, then the cart's lines and
    prices are not read again; without one (or with a review of another cart) they are read once."""
    buyer = cast(User, UserFactory())
    offers = [make_offer(seller=SellerFactory(), variant=VariantFactory(), price=10000, stock=5) for _ in range(2)]
    cart = cart_with(buyer=buyer, items=[(offers[0], 1), (offers[1], 1)])
    other = cart_with(buyer=cast(User, UserFactory()), items=[(offers[0], 1)])

    def start(key: str, review: CartReview | None) -> CaptureQueriesContext:
        checkout = Checkout(
            buyer=buyer, cart=cart, shipping_address=ADDRESS, shipping={}, idempotency_key=key, review=review
        )
        with CaptureQueriesContext(connection) as queries:
            start_checkout(checkout=checkout)
        return queries

    start("first", None)  # what only a first order does (a counter, an account) is out of the comparison
    given = start("with-review", review_cart(cart=cart, currency="GBP"))
    assert reads_of(given, "checkout_cartline") == reads_of(given, "offers_offerprice") == 0
    for key, review in (("without", None), ("other-cart", review_cart(cart=other, currency="GBP"))):
        queries = start(key, review)
        assert reads_of(queries, "checkout_cartline") == 1
        assert reads_of(queries, "offers_offerprice") == 1
        assert len(queries.captured_queries) == len(given.captured_queries) + 2  # exactly those two reads


def test_settling_writes_the_capture_and_the_split_in_one_insert_each() -> None:
    """Given a started checkout of two sellers paid on the provider's page, when the payment settles, then the
    ledger's capture and split (two balanced transactions) are one insert of transactions and one of postings."""
    buyer = cast(User, UserFactory())
    offers = [make_offer(seller=SellerFactory(), variant=VariantFactory(), price=10000, stock=2) for _ in range(2)]
    cart = cart_with(buyer=buyer, items=[(offers[0], 1), (offers[1], 1)])
    started = start_checkout(
        checkout=Checkout(buyer=buyer, cart=cart, shipping_address=ADDRESS, shipping={}, idempotency_key="k")
    )
    reference = CheckoutPayment.objects.get(order=started.order).reference
    TestProvider().confirm_with_card(reference=reference, card=TEST_CARD)

    with CaptureQueriesContext(connection) as queries:
        order = settle_payment(reference=reference, source="redirect")

    assert order is not None
    assert order.status == OrderStatus.PAID
    inserts = [q["sql"].split('"')[1] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    assert inserts.count("payments_ledgertransaction") == 1
    assert inserts.count("payments_posting") == 1
    keys = sorted(LedgerTransaction.objects.values_list("idempotency_key", flat=True))
    assert keys == [f"order:{order.number}:capture", f"order:{order.number}:split"]
