"""US sales tax on shipping where the state taxes it (``markets.tax.US_SHIPPING_TAXABLE``): quoted before payment,
carried on the order, charged, recorded as collected, on the invoice, and given back with a cancellation."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal
from io import StringIO
from typing import cast

import pytest
from django.core.management import call_command

from reloop.accounts.models import User
from reloop.accounts.tests.factories import UserFactory
from reloop.catalog.tests.factories import VariantFactory
from reloop.checkout.reconciliation import reconcile_payments
from reloop.checkout.selectors import checkout_summary, review_cart
from reloop.checkout.services import Checkout, cancel_line
from reloop.checkout.test_provider_buyer import pay_with_test_card
from reloop.checkout.tests.factories import TEST_CARD, cart_with
from reloop.core import clock
from reloop.core.money import Money
from reloop.invoicing.models import Invoice, InvoiceKind
from reloop.offers.tests.factories import make_offer
from reloop.orders.domain import LineState
from reloop.orders.models import ActorKind, Order, SellerOrder
from reloop.orders.services import transition_line
from reloop.payments.domain import PLATFORM_CLEARING, PLATFORM_SALES_TAX
from reloop.payments.models import TestCharge
from reloop.payments.selectors import balance
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db

_keys = itertools.count(1)
NEW_YORK = {"full_name": "Sam Smith", "line1": "1 Main St", "postal_code": "10001", "city": "New York",
            "region": "NY", "country": "US"}  # fmt: skip
CALIFORNIA = {**NEW_YORK, "postal_code": "94103", "city": "San Francisco", "region": "CA"}
EXPRESS = 1299  # USD express shipping (checkout.domain.DEFAULT_EXPRESS_SHIPPING)


def express_order(address: dict[str, str], price: int = 29999) -> tuple[User, Order]:
    buyer = cast(User, UserFactory())
    offer = make_offer(
        seller=SellerFactory(), variant=VariantFactory(), price=price, market="en-us", currency="USD", stock=5
    )
    cart = cart_with(buyer=buyer, items=[(offer, 1)], market="en-us")
    review = review_cart(cart=cart, currency="USD")
    summary = checkout_summary(review=review, shipping={offer.seller_id: "express"}, address=address)
    order = pay_with_test_card(
        checkout=Checkout(
            buyer=buyer, cart=cart, shipping_address=address, shipping={offer.seller_id: "express"},
            idempotency_key=f"shipping-tax-{next(_keys)}", return_url="https://shop.test/en-us/checkout/return/",
            expected_total=summary.grand_total.amount,
        ),
        card=TEST_CARD,
    )  # fmt: skip
    order.refresh_from_db()
    return buyer, order


def test_the_summary_taxes_shipping_in_a_state_that_taxes_it_and_not_in_one_that_does_not() -> None:
    buyer = cast(User, UserFactory())
    offer = make_offer(
        seller=SellerFactory(), variant=VariantFactory(), price=29999, market="en-us", currency="USD", stock=5
    )
    review = review_cart(cart=cart_with(buyer=buyer, items=[(offer, 1)], market="en-us"), currency="USD")
    shipping = {offer.seller_id: "express"}
    new_york = checkout_summary(review=review, shipping=shipping, address=NEW_YORK)
    assert new_york.tax == Money(1200 + 52, "USD")  # 4 % of 299.99 and 4 % of 12.99
    assert new_york.grand_total == Money(29999 + EXPRESS + 1252, "USD")
    california = checkout_summary(review=review, shipping=shipping, address=CALIFORNIA)
    assert california.tax == Money(2175, "USD")  # goods only: California does not tax separately stated shipping


def test_shipping_tax_goes_from_checkout_to_order_charge_ledger_invoice_and_back(
    django_capture_on_commit_callbacks,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _buyer, order = express_order(NEW_YORK)
    assert (order.items_total, order.shipping_total, order.tax_total) == (29999, EXPRESS, 1252)
    assert order.total == 29999 + EXPRESS + 1252
    part = SellerOrder.objects.get(order=order)
    assert (part.tax_amount, part.shipping_tax_amount, part.total) == (1252, 52, 29999 + EXPRESS)
    line = part.lines.get()
    assert (line.tax_rate, line.tax_amount) == (Decimal("4.000"), 1200)
    assert TestCharge.objects.get().amount == order.total
    assert balance(PLATFORM_SALES_TAX, "USD") == Money(-1252, "USD")
    assert balance(PLATFORM_CLEARING, "USD") == Money(0, "USD")
    invoice = Invoice.objects.get(order=order, kind=InvoiceKind.INVOICE)
    goods, shipping = invoice.content["lines"]
    assert (goods["sales_tax"], shipping["sales_tax_rate"], shipping["sales_tax"], shipping["total"]) == (
        1200, "4", 52, EXPRESS + 52,
    )  # fmt: skip
    assert (invoice.sales_tax_total, invoice.total) == (1252, order.total)

    with django_capture_on_commit_callbacks(execute=True):
        cancel_line(line_id=line.pk, actor=None, actor_kind=ActorKind.SELLER, reason="out of stock")
    assert TestCharge.objects.get().refunded_amount == order.total  # goods, shipping and both taxes
    assert balance(PLATFORM_SALES_TAX, "USD") == Money(0, "USD")
    note = Invoice.objects.get(kind=InvoiceKind.CREDIT_NOTE)
    assert (note.total, note.sales_tax_total) == (order.total, 1252)
    out = StringIO()
    call_command("check_ledger", stdout=out, stderr=out)
    assert "FAILED" not in out.getvalue()


def test_free_shipping_or_a_state_without_shipping_tax_adds_none() -> None:
    _buyer, order = express_order(CALIFORNIA)
    part = SellerOrder.objects.get(order=order)
    assert (order.tax_total, part.shipping_tax_amount) == (2175, 0)


def test_a_cancellation_the_reconciliation_job_finishes_gives_back_the_shipping_tax_too() -> None:
    _buyer, order = express_order(NEW_YORK)
    line = SellerOrder.objects.get(order=order).lines.get()
    # cancel_line's transaction committed (line cancelled), then the process died before the refund
    transition_line(line_id=line.pk, to_state=LineState.CANCELLED, actor=None, actor_kind="seller", reason="x")
    with clock.frozen_at(clock.now() + timedelta(minutes=11)):
        assert reconcile_payments() == 1
        assert reconcile_payments() == 0
    assert TestCharge.objects.get().refunded_amount == order.total  # goods, shipping and both taxes
    assert balance(PLATFORM_SALES_TAX, "USD") == Money(0, "USD")
