"""Cart and checkout pages: who may see what, bad input, and constant query counts."""

from __future__ import annotations

import pytest

from reloop.accounts.models import User
from reloop.catalog.tests.factories import VariantFactory
from reloop.offers.tests.factories import make_offer
from reloop.orders.models import Order
from reloop.sellers.tests.factories import SellerFactory
from reloop.web.tests.helpers import queries_for

pytestmark = pytest.mark.django_db


def add(client, offer, quantity=1):
    return client.post("/en-gb/cart/add/", {"offer": offer.pk, "quantity": quantity})


def test_cart_page_query_count_is_the_same_for_1_and_10_lines(client):
    offers = [make_offer(seller=SellerFactory(), variant=VariantFactory(), price=10000 + i) for i in range(10)]
    add(client, offers[0])
    one, _ = queries_for(client, "/en-gb/cart/")
    for offer in offers[1:]:
        add(client, offer)
    ten, response = queries_for(client, "/en-gb/cart/")
    assert one == ten
    assert response.content.count(b'<li class="cart-line') == 10


def test_adding_more_than_the_stock_is_refused_with_a_message(client):
    offer = make_offer(seller=SellerFactory(), variant=VariantFactory(), stock=1)
    response = add(client, offer, quantity=2)
    assert response.status_code == 302
    page = client.get("/en-gb/cart/").content.decode()
    assert "Only 1 left from this seller" in page


def test_bad_cart_input_is_a_message_not_an_error(client):
    assert add(client, type("O", (), {"pk": "nope"})()).status_code == 302
    assert client.post("/en-gb/cart/add/", {"offer": 999999}).status_code == 302
    assert "not available" in client.get("/en-gb/cart/").content.decode()


def test_checkout_requires_sign_in_and_orders_are_private(client):
    offer = make_offer(seller=SellerFactory(), variant=VariantFactory())
    add(client, offer)
    response = client.get("/en-gb/checkout/")
    assert response.status_code == 302
    assert "/en-gb/account/sign-in/" in response["Location"]
    owner = User.objects.create_user(username="o@example.com", email="o@example.com", password="pw-123456-x")
    client.force_login(owner)
    add(client, offer)  # (signing in through the form carries the anonymous cart over; force_login does not)
    page = client.get("/en-gb/checkout/").content.decode()
    key = page.split('name="idempotency_key" value="')[1].split('"')[0]
    form = {
        "country": "GB",
        "form_country": "GB",
        "full_name": "Olga Owner",
        "line1": "1 Road",
        "postal_code": "sw1a1aa",
        "city": "London",
        "idempotency_key": key,
        "accept_terms": "on",
        f"shipping_{offer.seller_id}": "express",
        "expected_total": 30000 + 899,
    }
    to_provider = client.post("/en-gb/checkout/", form)
    assert to_provider["Location"].startswith("/_provider/test/pay/pi_")  # the provider's own page takes the card
    back = client.post(to_provider["Location"], {"card": "4242 4242 4242 4242"})
    done = client.get(back["Location"])
    order = Order.objects.get()
    assert done["Location"] == f"/en-gb/orders/{order.number}/"
    assert (order.total, order.shipping_address["postal_code"]) == (30000 + 899, "SW1A 1AA")
    assert client.post("/en-gb/checkout/", form).status_code in (200, 302)  # a replayed form
    assert Order.objects.count() == 1

    intruder = User.objects.create_user(username="i@example.com", email="i@example.com", password="pw-123456-x")
    client.force_login(intruder)
    assert client.get(f"/en-gb/orders/{order.number}/").status_code == 404
    assert order.number not in client.get("/en-gb/orders/").content.decode()


def test_checkout_shows_field_errors_for_a_bad_postcode(client):
    offer = make_offer(seller=SellerFactory(), variant=VariantFactory())
    user = User.objects.create_user(username="b@example.com", email="b@example.com", password="pw-123456-x")
    client.force_login(user)
    add(client, offer)
    response = client.post(
        "/en-gb/checkout/",
        {
            "country": "GB",
            "form_country": "GB",
            "full_name": "B",
            "line1": "x",
            "postal_code": "12345",
            "city": "L",
            "idempotency_key": "k1",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="card' not in page  # no card field on any Reloop page
    assert "Check the format, for example SW1A 1AA." in page
    assert not Order.objects.exists()
