"""A seller reprices an offer in the back-office table with HTMX, then ships an order after fixing a bad IMEI."""

from __future__ import annotations

import re

import pytest

from reloop.accounts.models import User
from reloop.catalog.tests.factories import CategoryFactory, ProductModelFactory, VariantFactory
from reloop.checkout.tests.factories import checkout_order
from reloop.devices.tests.factories import BAD_IMEI, IMEIS
from reloop.offers.models import OfferPrice
from reloop.offers.tests.factories import make_offer
from reloop.orders.models import OrderLine
from reloop.sellers.tests.factories import SellerFactory, SellerMemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse 42"


def sign_in(page, live_server, email):
    page.goto(f"{live_server.url}/en-gb/account/sign-in/?next=/seller/offers/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in", re.IGNORECASE)).click()


def test_seller_reprices_inline_and_ships_after_fixing_an_imei(live_server, page):
    from playwright.sync_api import expect

    user = User.objects.create_user(username="sam@example.com", email="sam@example.com", password=PASSWORD)
    member = SellerMemberFactory(user=user, seller__name="Alpha Refurb")
    phones = CategoryFactory(slug="smartphones", name="Smartphones")
    variant = VariantFactory(product_model=ProductModelFactory(category=phones, name="Pixel 7"))
    offer = make_offer(seller=member.seller, variant=variant, price=30000, stock=4)
    make_offer(seller=SellerFactory(name="Cheaper Co"), variant=variant, price=28000, stock=2)

    # Given the offers table, the offer is losing the buy box and shows the price to win
    sign_in(page, live_server, "sam@example.com")
    row = page.locator(f"#offer-row-{offer.pk}")
    expect(row).to_contain_text("Not winning")
    expect(row).to_contain_text("Price to win £280.00")

    # When the seller types the price to win and saves the row, the row is replaced in place (no page load)
    page.evaluate("window.__sameDocument = true")
    row.get_by_label(re.compile("Price of")).fill("279.00")
    row.get_by_role("button", name=re.compile("^Save")).click()
    expect(row.get_by_role("status")).to_have_text("Saved")
    expect(row).to_contain_text("Winning")
    assert page.evaluate("window.__sameDocument") is True
    assert OfferPrice.objects.get(offer=offer, market="en-gb").amount == 27900

    # Given a paid order, when the seller ships it with a wrong IMEI, the error is on that unit and nothing ships
    buyer = User.objects.create_user(username="ada@example.com", email="ada@example.com", password=PASSWORD)
    order = checkout_order(buyer=buyer, items=[(offer, 1)])
    page.goto(f"{live_server.url}/seller/orders/?queue=to_accept")
    page.get_by_role("link", name=order.number).click()
    page.get_by_label("Carrier").select_option("royal_mail")
    page.get_by_label("Tracking number").fill("AB123456789GB")
    page.get_by_label("IMEI of unit 1").fill(BAD_IMEI)
    page.get_by_role("button", name="Mark as shipped").click()
    expect(page.locator(".field.has-error")).to_contain_text("check digit is wrong")
    assert OrderLine.objects.get(seller_order__order=order).state == "paid"

    # Then with the right IMEI it ships, and the data is shown read-only
    page.get_by_label("IMEI of unit 1").fill(IMEIS[0])
    page.get_by_role("button", name="Mark as shipped").click()
    expect(page.get_by_text(f"Order {order.number} shipped.")).to_be_visible()
    expect(page.get_by_label("IMEI of unit 1")).to_have_count(0)
    assert OrderLine.objects.get(seller_order__order=order).state == "shipped"
