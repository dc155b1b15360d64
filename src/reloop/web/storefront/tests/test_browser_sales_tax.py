"""A US buyer sees the sales tax of their state before paying, pays it, finds the invoice on the order page and
receives the confirmation email with the invoice attached."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail

from reloop.accounts.models import User
from reloop.catalog.tests.factories import CategoryFactory, ProductModelFactory, VariantFactory
from reloop.invoicing.models import Invoice
from reloop.offers.tests.factories import make_offer
from reloop.orders.models import Order
from reloop.sellers.tests.factories import SellerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.VAR_DIR) / "screenshots"


def test_us_buyer_sees_and_pays_sales_tax_and_gets_the_invoice(live_server, page):
    from playwright.sync_api import expect

    phones = CategoryFactory(slug="smartphones", name="Smartphones")
    variant = VariantFactory(product_model=ProductModelFactory(category=phones, name="Pixel 7"))
    make_offer(
        seller=SellerFactory(name="Phoenix Refurb"), variant=variant, price=29999, market="en-us", currency="USD"
    )
    User.objects.create_user(username="sam@example.com", email="sam@example.com", password="correct horse 42")

    page.goto(f"{live_server.url}/en-us/p/{variant.product_model.slug}/{variant.slug}/")
    page.get_by_role("button", name="Add to cart").click()
    page.get_by_role("link", name="Checkout").click()
    page.get_by_label("Email").fill("sam@example.com")
    page.get_by_label("Password").fill("correct horse 42")
    page.get_by_role("button", name=re.compile("Sign in", re.IGNORECASE)).click()
    expect(page.get_by_role("heading", name="Checkout")).to_be_visible()
    summary = page.locator("#checkout-summary")
    expect(summary).to_contain_text("Sales tax is added from the state of your delivery address")

    page.get_by_label("Full name").fill("Sam Smith")
    page.get_by_label("Address line 1").fill("500 Market Street")
    page.get_by_label("City").fill("San Francisco")
    page.get_by_label("ZIP code").fill("94103")
    page.get_by_label("State", exact=True).select_option("CA")
    # Before paying: 7.25 % of $299.99 = $21.75, in the total and on the pay button
    expect(summary).to_contain_text("$21.75")
    expect(summary).to_contain_text("$321.74")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "checkout-us-sales-tax.png"), full_page=True)
    page.get_by_label("I accept the terms of sale").check()
    page.get_by_role("button", name="Pay $321.74").click()
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()

    expect(page.get_by_role("heading", name=re.compile(r"Order RL-"))).to_be_visible()
    expect(page.locator(".cart-summary")).to_contain_text("Sales tax (US-CA)")
    invoice_link = page.get_by_role("link", name=re.compile(r"Invoice RL\d{4}-000001"))
    expect(invoice_link).to_be_visible()
    page.screenshot(path=str(SHOTS / "order-us-invoice.png"), full_page=True)
    with page.expect_download() as download:
        invoice_link.click()
    assert download.value.suggested_filename.endswith("-000001.pdf")

    order = Order.objects.get()
    assert (order.tax_total, order.total) == (2175, 32174)
    invoice = Invoice.objects.get(order=order)
    confirmation = next(m for m in mail.outbox if m.to == ["sam@example.com"])
    assert confirmation.subject == f"Your order {order.number} is confirmed"
    assert [name for name, _c, _t in confirmation.attachments] == [f"{invoice.number}.pdf"]
    assert "Sales tax (US-CA): $21.75" in confirmation.body
