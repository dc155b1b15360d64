"""US sales tax from checkout to order, ledger, invoice and refund (marketplace facilitator: the platform collects
and remits it). Orders are placed as a buyer places them and paid on the test provider's page."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO
from typing import cast

import pytest
from django.core.management import call_command

from reloop.accounts.models import User
from reloop.accounts.tests.factories import UserFactory
from reloop.catalog.tests.factories import VariantFactory
from reloop.checkout.selectors import checkout_summary, review_cart
from reloop.checkout.services import cancel_line
from reloop.checkout.tests.factories import cart_with, pay_cart
from reloop.core.money import Money
from reloop.invoicing.models import Invoice, InvoiceKind
from reloop.markets.tax import TaxUnavailable
from reloop.offers.tests.factories import make_offer
from reloop.orders.models import ActorKind, SellerOrder
from reloop.payments.domain import PLATFORM_CLEARING, PLATFORM_SALES_TAX
from reloop.payments.models import TestCharge
from reloop.payments.selectors import balance
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db

CALIFORNIA = {"full_name": "Sam Smith", "line1": "500 Market St", "postal_code": "94103", "city": "San Francisco",
              "region": "CA", "country": "US"}  # fmt: skip


def us_cart(price: int = 29999):
    buyer = cast(User, UserFactory())
    offer = make_offer(
        seller=SellerFactory(), variant=VariantFactory(), price=price, market="en-us", currency="USD", stock=5
    )
    return buyer, cart_with(buyer=buyer, items=[(offer, 1)], market="en-us")


def test_the_summary_shows_sales_tax_once_the_state_is_known() -> None:
    _buyer, cart = us_cart()
    review = review_cart(cart=cart, currency="USD")
    assert checkout_summary(review=review, shipping={}).tax == Money(0, "USD")
    summary = checkout_summary(review=review, shipping={}, address=CALIFORNIA)
    assert summary.tax == Money(2175, "USD")  # 7.25 % of 299.99, half-up
    assert summary.grand_total == Money(29999 + 2175, "USD")
    unknown = checkout_summary(review=review, shipping={}, address={**CALIFORNIA, "region": "??"})
    assert unknown.tax == Money(0, "USD")


def test_a_us_order_carries_its_tax_to_the_charge_the_ledger_and_the_invoice(django_capture_on_commit_callbacks):
    buyer, cart = us_cart()
    with django_capture_on_commit_callbacks(execute=True):
        order = pay_cart(buyer=buyer, cart=cart, address=CALIFORNIA)
    order.refresh_from_db()
    assert (order.items_total, order.tax_total, order.total) == (29999, 2175, 32174)
    assert (order.tax_jurisdiction, order.tax_source.startswith("state base rate")) == ("US-CA", True)
    line = SellerOrder.objects.get(order=order).lines.get()
    assert (line.tax_rate, line.tax_amount) == (Decimal("7.250"), 2175)
    assert TestCharge.objects.get().amount == 32174
    assert balance(PLATFORM_SALES_TAX, "USD") == Money(-2175, "USD")
    assert balance(PLATFORM_CLEARING, "USD") == Money(0, "USD")
    invoice = Invoice.objects.get(order=order)
    assert (invoice.sales_tax_total, invoice.total) == (2175, 32174)

    with django_capture_on_commit_callbacks(execute=True):
        cancel_line(line_id=line.pk, actor=None, actor_kind=ActorKind.SELLER, reason="out of stock")
    assert TestCharge.objects.get().refunded_amount == 32174  # the tax goes back with the goods
    assert balance(PLATFORM_SALES_TAX, "USD") == Money(0, "USD")
    note = Invoice.objects.get(kind=InvoiceKind.CREDIT_NOTE)
    assert (note.credits_id, note.total, note.sales_tax_total) == (invoice.pk, 32174, 2175)
    out = StringIO()
    call_command("check_ledger", stdout=out, stderr=out)
    assert "FAILED" not in out.getvalue()


def test_a_us_checkout_without_a_state_is_refused_before_any_charge() -> None:
    buyer, cart = us_cart()
    with pytest.raises(TaxUnavailable):
        pay_cart(buyer=buyer, cart=cart, address={**CALIFORNIA, "region": ""})
    assert not TestCharge.objects.exists()


def test_eu_prices_stay_tax_inclusive() -> None:
    buyer = cast(User, UserFactory())
    offer = make_offer(seller=SellerFactory(), variant=VariantFactory(), price=30000, stock=5)
    order = pay_cart(buyer=buyer, cart=cart_with(buyer=buyer, items=[(offer, 1)]))
    assert (order.tax_total, order.total) == (0, 30000)
