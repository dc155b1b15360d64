"""`reloop demo`'s orders have their invoices, the buyer a confirmation and the seller a new-order email, and the
demo's US order carries sales tax from checkout to invoice and ledger."""

from __future__ import annotations

from typing import Any

import pytest

from reloop.catalog.tests.factories import VariantFactory
from reloop.invoicing.models import Invoice, InvoiceKind
from reloop.invoicing.pdf import render_pdf
from reloop.notifications.models import Message
from reloop.offers.tests.factories import make_offer
from reloop.ops.demo_orders import BUYER_EMAIL, load_demo_orders, load_demo_quality
from reloop.ops.tests.test_demo_orders import marketplace  # noqa: F401  # the demo's sellers and offers
from reloop.orders.models import Order, OrderStatus, SellerOrder
from reloop.payments.domain import PLATFORM_SALES_TAX
from reloop.payments.selectors import balance

pytestmark = pytest.mark.django_db(transaction=True)


def test_every_demo_order_is_invoiced_and_announced(marketplace: dict[str, Any]) -> None:  # noqa: F811
    make_offer(
        seller=marketplace["demo"], variant=VariantFactory(), price=49900, market="en-us", currency="USD", stock=3
    )
    load_demo_quality()
    load_demo_orders()

    paid = Order.objects.filter(status=OrderStatus.PAID)
    assert paid.exists()
    for part in SellerOrder.objects.filter(order__in=paid):
        assert Invoice.objects.filter(seller_order=part, kind=InvoiceKind.INVOICE).count() == 1
    refunded = Order.objects.filter(buyer__username=BUYER_EMAIL, seller_orders__lines__state="refunded").get()
    assert Invoice.objects.filter(order=refunded, kind=InvoiceKind.CREDIT_NOTE).count() == 1

    # The demo refurbisher's trader data from its onboarding application
    seller_data = Invoice.objects.filter(seller=marketplace["demo"]).first().content["seller"]  # type: ignore[union-attr]
    assert (seller_data["legal_name"], seller_data["vat_number"]) == (marketplace["demo"].legal_name, "FR00000000000")

    us = Order.objects.get(buyer__username=BUYER_EMAIL, market="en-us")
    assert (us.tax_total, us.tax_jurisdiction) == (3618, "US-CA")  # 7.25 % of 499.00
    invoice = Invoice.objects.get(order=us)
    assert invoice.sales_tax_total == 3618
    assert render_pdf(invoice).startswith(b"%PDF-")
    assert balance(PLATFORM_SALES_TAX, "USD").amount == -3618

    for order in Order.objects.filter(buyer__username=BUYER_EMAIL):
        assert (
            Message.objects.filter(template="invoicing/email/order_confirmation", object_id=order.number).count() == 1
        )
    assert Message.objects.filter(template="invoicing/email/new_seller_order", to="seller@reloop.test").exists()
