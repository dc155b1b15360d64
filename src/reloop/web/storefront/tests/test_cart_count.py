"""The cart count in the header (issue 17 item 6): right after each change the buyer makes, per market, carried
over at sign-in, gone once the order is paid, and free: showing it adds no query to a page."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.utils import translation

from reloop.accounts.models import User
from reloop.catalog.tests.factories import VariantFactory
from reloop.checkout.models import CartLine
from reloop.offers.tests.factories import make_offer
from reloop.sellers.tests.factories import SellerFactory
from reloop.web.context_processors import CART_COUNTS
from reloop.web.tests.helpers import queries_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _back_to_the_default_language():
    """A request to /fr-fr/ leaves French active in this thread: later tests' reverse() must not inherit it."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


PASSWORD = "pw-123456-x"


def badge(html: str) -> str | None:
    """The number shown on the header's cart link, or None without a badge."""
    found = re.search(r'data-testid="cart-count"><span aria-hidden="true">(\d+)</span>', html)
    return found.group(1) if found else None


def add(client, offer, quantity=1, market="en-gb"):
    return client.post(f"/{market}/cart/add/", {"offer": offer.pk, "quantity": quantity})


def offers(n: int):
    return [make_offer(seller=SellerFactory(), variant=VariantFactory(), price=10000 + i, stock=5) for i in range(n)]


def test_a_new_visitor_has_no_badge(client):
    assert badge(client.get("/en-gb/").content.decode()) is None


def test_the_count_follows_every_change_to_the_cart(client):
    first, second = offers(2)
    add(client, first)
    assert badge(client.get("/en-gb/").content.decode()) == "1"
    add(client, second, quantity=2)
    html = client.get(f"/en-gb/p/{second.variant.product_model.slug}/").content.decode()
    assert badge(html) == "3"
    assert "(3 items)" in html  # what a screen reader hears after "Cart"
    line = CartLine.objects.get(offer=second)
    client.post(f"/en-gb/cart/lines/{line.pk}/", {"quantity": "0"})
    assert badge(client.get("/en-gb/").content.decode()) == "1"
    line = CartLine.objects.get(offer=first)
    client.post(f"/en-gb/cart/lines/{line.pk}/", {"quantity": "0"})
    assert badge(client.get("/en-gb/").content.decode()) is None


def test_each_market_counts_its_own_cart(client):
    (offer,) = offers(1)
    add(client, offer)
    assert badge(client.get("/en-gb/").content.decode()) == "1"
    assert badge(client.get("/fr-fr/").content.decode()) is None


def test_showing_the_count_costs_no_query(client):
    (offer,) = offers(1)
    add(client, offer)
    client.get("/en-gb/cart/")
    with_badge, response = queries_for(client, "/en-gb/")
    assert badge(response.content.decode()) == "1"
    session = client.session
    session.pop(CART_COUNTS)
    session.save()
    without_badge, response = queries_for(client, "/en-gb/")
    assert badge(response.content.decode()) is None
    assert with_badge == without_badge


def test_signing_in_counts_the_cart_the_anonymous_one_joined(client):
    mine, anonymous = offers(2)
    buyer = User.objects.create_user(username="c@example.com", email="c@example.com", password=PASSWORD)
    client.force_login(buyer)
    add(client, mine, quantity=2)
    client.post("/en-gb/account/sign-out/")
    add(client, anonymous)
    assert badge(client.get("/en-gb/").content.decode()) == "1"
    response = client.post("/en-gb/account/sign-in/", {"username": "c@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert badge(client.get("/en-gb/").content.decode()) == "3"


def test_the_badge_goes_once_the_order_is_paid(client):
    (offer,) = offers(1)
    buyer = User.objects.create_user(username="p@example.com", email="p@example.com", password=PASSWORD)
    client.force_login(buyer)
    add(client, offer)
    page = client.get("/en-gb/checkout/").content.decode()
    assert badge(page) == "1"
    key = page.split('name="idempotency_key" value="')[1].split('"')[0]
    form = {
        "country": "GB",
        "form_country": "GB",
        "full_name": "Pat Payer",
        "line1": "1 Road",
        "postal_code": "SW1A 1AA",
        "city": "London",
        "idempotency_key": key,
        "accept_terms": "on",
    }
    to_provider = client.post("/en-gb/checkout/", form)
    back = client.post(to_provider["Location"], {"card": "4242 4242 4242 4242"})
    order_page = client.get(client.get(back["Location"])["Location"])
    assert order_page.status_code == 200
    assert badge(order_page.content.decode()) is None
