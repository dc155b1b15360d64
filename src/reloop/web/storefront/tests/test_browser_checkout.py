"""A buyer fills a cart from two refurbishers, signs in, pays once with a test card and sees the order split."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from reloop.accounts.models import User
from reloop.catalog.tests.factories import CategoryFactory, ProductModelFactory, ReferencePriceFactory, VariantFactory
from reloop.offers.tests.factories import make_offer
from reloop.orders.models import Order
from reloop.sellers.tests.factories import SellerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.VAR_DIR) / "screenshots"


def product_url(live_server, variant) -> str:
    return f"{live_server.url}/en-gb/p/{variant.product_model.slug}/{variant.slug}/"


def test_buyer_pays_once_for_two_sellers_and_sees_one_order_with_two_parts(live_server, page):
    from playwright.sync_api import expect

    phones = CategoryFactory(slug="smartphones", name="Smartphones")
    variants = []
    for name, seller, price in (("Pixel 7", "Alpha Refurb", 32900), ("Galaxy S22", "Beta Renew", 28900)):
        variant = VariantFactory(product_model=ProductModelFactory(category=phones, name=name))
        ReferencePriceFactory(variant=variant, amount=59900)
        make_offer(seller=SellerFactory(name=seller), variant=variant, price=price, stock=4)
        variants.append(variant)
    User.objects.create_user(username="ada@example.com", email="ada@example.com", password="correct horse 42")

    # Anonymous: put one offer of each seller in the cart
    for variant in variants:
        page.goto(product_url(live_server, variant))
        page.get_by_role("button", name="Add to cart").click()
        expect(page.get_by_role("heading", name="Your cart")).to_be_visible()
    expect(page.locator(".cart-part")).to_have_count(2)

    # Checkout asks to sign in; the cart follows the buyer
    page.get_by_role("link", name="Checkout").click()
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password").fill("correct horse 42")
    page.get_by_role("button", name=re.compile("Sign in", re.IGNORECASE)).click()
    expect(page.get_by_role("heading", name="Checkout")).to_be_visible()

    page.get_by_label("Full name").fill("Ada Lovelace")
    page.get_by_label("Address line 1").fill("12 St James's Square")
    page.get_by_label("Postcode").fill("sw1y4lb")  # written the British way on the order page
    page.get_by_label("Town or city").fill("London")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "checkout.png"), full_page=True)
    page.get_by_label("I accept the terms of sale").check()
    page.get_by_role("button", name="Pay £618.00").click()
    # The provider's own page takes the card
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()

    # One order, paid once, in two seller parts
    expect(page.get_by_role("heading", name=re.compile(r"Order RL-"))).to_be_visible()
    expect(page.locator(".seller-part")).to_have_count(2)
    expect(page.locator(".seller-part").first).to_contain_text("Paid")
    expect(page.locator(".cart-summary")).to_contain_text("£618.00")
    page.screenshot(path=str(SHOTS / "order.png"), full_page=True)
    order = Order.objects.get()
    assert (order.total, order.seller_orders.count()) == (61800, 2)
    assert order.shipping_address["postal_code"] == "SW1Y 4LB"
