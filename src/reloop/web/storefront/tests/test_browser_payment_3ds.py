"""A buyer pays on the test provider's own card page through a 3-D Secure challenge and sees the order; the log of
every request the browser made shows the card number going to the provider's page only, never to a Reloop page."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote_plus, urlparse

import pytest
from django.conf import settings

from reloop.accounts.models import User
from reloop.catalog.tests.factories import CategoryFactory, ProductModelFactory, ReferencePriceFactory, VariantFactory
from reloop.checkout.models import CheckoutPayment
from reloop.offers.models import Offer
from reloop.offers.tests.factories import make_offer
from reloop.orders.models import Order, OrderStatus
from reloop.payments.models import TestCharge
from reloop.sellers.tests.factories import SellerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.VAR_DIR) / "screenshots"
CARD = "4000 0027 6000 3184"  # the documented 3-D Secure card


def test_a_buyer_pays_through_3d_secure_on_the_provider_page_and_reloop_never_sees_the_card(live_server, page):
    from playwright.sync_api import expect

    phones = CategoryFactory(slug="smartphones", name="Smartphones")
    variant = VariantFactory(product_model=ProductModelFactory(category=phones, name="Pixel 8"))
    ReferencePriceFactory(variant=variant, amount=69900)
    make_offer(seller=SellerFactory(name="Alpha Refurb"), variant=variant, price=41700, stock=2)
    User.objects.create_user(username="ada@example.com", email="ada@example.com", password="correct horse 42")
    requests: list[tuple[str, str, str]] = []
    page.on("request", lambda r: requests.append((r.method, r.url, r.post_data or "")))
    SHOTS.mkdir(parents=True, exist_ok=True)

    # The buyer signs in, puts the phone in the cart and checks out with express shipping
    page.goto(f"{live_server.url}/en-gb/account/sign-in/")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password").fill("correct horse 42")
    page.get_by_role("button", name=re.compile("Sign in", re.IGNORECASE)).click()
    page.goto(f"{live_server.url}/en-gb/p/{variant.product_model.slug}/{variant.slug}/")
    expect(page.locator(".instalment-offer")).to_contain_text("or 3 × £139.00")
    page.get_by_role("button", name="Add to cart").click()
    page.get_by_role("link", name="Checkout").click()
    page.get_by_label("Full name").fill("Ada Lovelace")
    page.get_by_label("Address line 1").fill("12 St James's Square")
    page.get_by_label("Postcode").fill("SW1Y 4LB")
    page.get_by_label("Town or city").fill("London")
    page.get_by_role("radio", name=re.compile("Express")).check()
    # The total before the pay button follows the shipping chosen (HTMX)
    expect(page.locator("#checkout-summary")).to_contain_text("£425.99")
    page.get_by_label("I accept the terms of sale").check()
    page.screenshot(path=str(SHOTS / "payment-1-checkout.png"), full_page=True)
    page.get_by_role("button", name="Pay £425.99").click()

    # The provider's own page takes the card, then the bank's 3-D Secure challenge
    expect(page.get_by_role("heading", name=re.compile("Pay Reloop for order RL-"))).to_be_visible()
    page.get_by_label("Card number").fill(CARD)
    page.screenshot(path=str(SHOTS / "payment-2-provider.png"), full_page=True)
    page.get_by_role("button", name=re.compile(r"^Pay ")).click()
    expect(page.get_by_role("heading", name="Your bank: confirm this payment")).to_be_visible()
    page.screenshot(path=str(SHOTS / "payment-3-3ds.png"), full_page=True)
    page.get_by_role("button", name="Complete authentication").click()

    # Back at Reloop: the order, paid once
    expect(page.get_by_role("heading", name=re.compile(r"Order RL-"))).to_be_visible()
    expect(page.locator(".cart-summary")).to_contain_text("£425.99")
    page.screenshot(path=str(SHOTS / "payment-4-order.png"), full_page=True)
    order = Order.objects.get()
    assert (order.status, order.total) == (OrderStatus.PAID, 42599)
    charge = TestCharge.objects.get()
    assert (charge.captured_amount, charge.card_last4) == (42599, "3184")
    assert CheckoutPayment.objects.get().settled_by in ("webhook", "redirect")
    assert Offer.objects.get().stock == 1

    # The request log: the card number went to the provider's page and nowhere else
    digits = CARD.replace(" ", "")
    carrying = [
        (method, urlparse(url).path)
        for method, url, body in requests
        if digits in unquote_plus(body).replace(" ", "") or digits in unquote_plus(url).replace(" ", "")
    ]
    assert carrying, "the card was typed somewhere"
    assert all(path.startswith("/_provider/test/pay/") for _, path in carrying), carrying
    reloop_requests = [url for _, url, _ in requests if not urlparse(url).path.startswith("/_provider/")]
    assert reloop_requests  # the checkout, the return and the order page went to Reloop, without the card
