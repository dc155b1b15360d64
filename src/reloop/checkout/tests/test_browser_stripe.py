"""The Stripe path in a real browser: the checkout with the Stripe provider pointed at localstripe, whose
``localstripe-v3.js`` stands in for Stripe.js (``STRIPE_JS_URL``) under the card page's own Content-Security-Policy.
A buyer pays with the 3-D Secure test card: fails the challenge once (the page says so and keeps them on it, the
order still held), then passes it and sees the order, paid once.

What localstripe-v3.js can and cannot do (localstripe 1.15), so what this test stands in for:

- Its card "Element" is four plain inputs in the page (Stripe's is an iframe on js.stripe.com), and its
  ``confirmCardPayment`` ignores the card typed there: it only answers the 3-D Secure step of a PaymentIntent that
  already has a card needing it (``requires_action``): a modal "Complete / Fail authentication", then
  ``POST /v1/payment_intents/<id>/_authenticate``. So the test gives the PaymentIntent the card the buyer typed
  through localstripe's API (``payment_methods.create`` + ``payment_intents.update/confirm``, what Stripe.js does
  with the typed card in production), then the buyer's click runs localstripe-v3.js's challenge.
- A card without 3-D Secure (4242…) cannot go through localstripe-v3.js at all (its ``confirmCardPayment`` always
  calls ``_authenticate``, which refuses a PaymentIntent that is not ``requires_action``): that path is covered by
  the contract tests over the API (``test_provider_contract.py``), not in the browser.

Runs when localstripe answers at ``LOCALSTRIPE_URL`` and Chromium is installed; CI requires both
(``REQUIRE_LOCALSTRIPE=1``, ``REQUIRE_BROWSER=1``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import unquote_plus, urlparse

import pytest
import stripe
from django.conf import settings

from reloop.accounts.models import User
from reloop.catalog.tests.factories import CategoryFactory, ProductModelFactory, ReferencePriceFactory, VariantFactory
from reloop.checkout.models import CheckoutPayment
from reloop.offers.models import Offer
from reloop.offers.tests.factories import make_offer
from reloop.orders.models import Order, OrderStatus
from reloop.payments.tests.test_provider_contract import localstripe_up, localstripe_url
from reloop.sellers.tests.factories import SellerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.VAR_DIR) / "screenshots"
CARD_3DS = "4000002760003184"  # Stripe's (and localstripe's) 3-D Secure test card


@pytest.fixture
def localstripe(settings):
    url = localstripe_url()
    if not localstripe_up(url):
        if os.environ.get("REQUIRE_LOCALSTRIPE") == "1":
            pytest.fail(f"REQUIRE_LOCALSTRIPE=1 but no localstripe answers at {url!r} (LOCALSTRIPE_URL)")
        pytest.skip("needs localstripe: python -m reloop.payments.tests.localstripe_server, LOCALSTRIPE_URL=… (CI)")
    settings.RELOOP_PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = "sk_test_browser"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_browser"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_browser"
    settings.STRIPE_API_BASE = url
    settings.STRIPE_JS_URL = f"{url}/js.stripe.com/v3/"  # localstripe-v3.js in place of Stripe.js
    return stripe.StripeClient("sk_test_browser", base_addresses={"api": url})


def card_typed_by_the_buyer(client: stripe.StripeClient, intent: str, number: str) -> None:
    """What Stripe.js does with the card typed in its fields (localstripe-v3.js does not: see the module doc)."""
    method = client.v1.payment_methods.create(
        params={"type": "card", "card": {"number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"}}
    )
    client.v1.payment_intents.update(intent, params={"payment_method": method.id})
    client.v1.payment_intents.confirm(intent)
    assert client.v1.payment_intents.retrieve(intent).status == "requires_action"  # the bank asks for 3-D Secure


def test_a_buyer_pays_through_stripe_js_and_3d_secure_and_a_failed_challenge_lets_them_retry(
    live_server, page, localstripe
):
    from playwright.sync_api import expect

    phones = CategoryFactory(slug="smartphones", name="Smartphones")
    variant = VariantFactory(product_model=ProductModelFactory(category=phones, name="Pixel 8"))
    ReferencePriceFactory(variant=variant, amount=69900)
    make_offer(seller=SellerFactory(name="Alpha Refurb"), variant=variant, price=41700, stock=2)
    User.objects.create_user(username="ada@example.com", email="ada@example.com", password="correct horse 42")
    requests: list[tuple[str, str, str]] = []
    page.on("request", lambda r: requests.append((r.method, r.url, r.post_data or "")))
    blocked: list[str] = []  # what the Content-Security-Policy refused, as Chromium reports it
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    SHOTS.mkdir(parents=True, exist_ok=True)

    page.goto(f"{live_server.url}/en-gb/account/sign-in/")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password").fill("correct horse 42")
    page.get_by_role("button", name=re.compile("Sign in", re.IGNORECASE)).click()
    page.goto(f"{live_server.url}/en-gb/p/{variant.product_model.slug}/{variant.slug}/")
    expect(page.locator(".instalment-offer")).to_have_count(0)  # Stripe offers no instalments here (ADR 0020)
    page.get_by_role("button", name="Add to cart").click()
    page.get_by_role("link", name="Checkout").click()
    page.get_by_label("Full name").fill("Ada Lovelace")
    page.get_by_label("Address line 1").fill("12 St James's Square")
    page.get_by_label("Postcode").fill("SW1Y 4LB")
    page.get_by_label("Town or city").fill("London")
    expect(page.locator("#checkout-summary")).to_contain_text("£417.00")
    expect(page.get_by_role("radio", name=re.compile("instalments", re.IGNORECASE))).to_have_count(0)
    page.get_by_label("I accept the terms of sale").check()
    page.get_by_role("button", name="Pay £417.00").click()

    # Stripe's card page, with localstripe-v3.js loaded as Stripe.js
    expect(page).to_have_url(re.compile(r"/_provider/stripe/pay/pi_"))
    expect(page.get_by_role("heading", name=re.compile("Pay Reloop for order RL-"))).to_be_visible()
    expect(page.locator("#card-element input[placeholder=number]")).to_be_visible()  # mounted by the script
    intent = CheckoutPayment.objects.get().reference
    page.locator("#card-element input[placeholder=number]").fill(CARD_3DS)
    card_typed_by_the_buyer(localstripe, intent, CARD_3DS)
    page.screenshot(path=str(SHOTS / "stripe-1-card.png"), full_page=True)

    # First try: the buyer fails the bank's challenge; the page says so and keeps the order held
    page.get_by_role("button", name="Pay", exact=True).click()
    page.get_by_role("button", name="Fail authentication").click()
    expect(page.locator("#card-errors")).to_contain_text("Try another card")
    expect(page).to_have_url(re.compile(r"/_provider/stripe/pay/pi_"))
    order = Order.objects.get()
    assert (order.status, Offer.objects.get().stock) == (OrderStatus.PENDING_PAYMENT, 1)
    page.screenshot(path=str(SHOTS / "stripe-2-failed-challenge.png"), full_page=True)

    # Second try, same order and PaymentIntent: the challenge passes and the buyer is back at the shop
    card_typed_by_the_buyer(localstripe, intent, CARD_3DS)
    page.get_by_role("button", name="Pay", exact=True).click()
    page.get_by_role("button", name="Complete authentication").click()
    expect(page.get_by_role("heading", name=re.compile(r"Order RL-"))).to_be_visible()
    page.screenshot(path=str(SHOTS / "stripe-3-order.png"), full_page=True)

    order.refresh_from_db()
    assert (order.status, order.total, Order.objects.count()) == (OrderStatus.PAID, 41700, 1)
    assert localstripe.v1.payment_intents.retrieve(intent).status == "succeeded"  # captured at placement
    assert CheckoutPayment.objects.get().settled_by in ("redirect", "webhook")
    assert Offer.objects.get().stock == 1
    assert blocked == []  # localstripe-v3.js and its calls to localstripe passed the page's policy

    # The card number went to no Reloop URL
    reloop = urlparse(live_server.url).netloc
    carrying = [
        url
        for _, url, body in requests
        if urlparse(url).netloc == reloop and CARD_3DS in unquote_plus(body + url).replace(" ", "")
    ]
    assert carrying == []
    assert any(urlparse(url).path == "/js.stripe.com/v3/" for _, url, _ in requests)  # localstripe-v3.js ran
