"""The address typed at checkout offered to save to the account (issue 17 item 6): ticked for a buyer without an
address in the market's country, saved once the order is paid, never twice, never in the order's way."""

from __future__ import annotations

import pytest

from reloop.accounts import services as accounts
from reloop.accounts.models import Address, User
from reloop.catalog.tests.factories import VariantFactory
from reloop.offers.tests.factories import make_offer
from reloop.orders.models import Order
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db

ADDRESS = {
    "country": "GB",
    "form_country": "GB",
    "full_name": "Sam Saver",
    "line1": "2 Lane",
    "postal_code": "sw1a 1aa",
}


def buyer(client, email="s@example.com"):
    user = User.objects.create_user(username=email, email=email, password="pw-123456-x")
    client.force_login(user)
    return user


def checkout_page(client):
    offer = make_offer(seller=SellerFactory(), variant=VariantFactory())
    client.post("/en-gb/cart/add/", {"offer": offer.pk})
    return client.get("/en-gb/checkout/").content.decode()


def pay(client, page, **extra):
    key = page.split('name="idempotency_key" value="')[1].split('"')[0]
    form = {**ADDRESS, "city": "London", "idempotency_key": key, "accept_terms": "on", **extra}
    to_provider = client.post("/en-gb/checkout/", form)
    assert to_provider.status_code == 302, to_provider.content.decode()[:2000]
    back = client.post(to_provider["Location"], {"card": "4242 4242 4242 4242"})
    return client.get(back["Location"], follow=True)


def test_a_first_address_is_offered_ticked_and_saved_once_paid(client):
    user = buyer(client)
    page = checkout_page(client)
    assert 'name="save_address" value="1" checked' in page
    done = pay(client, page, save_address="1")
    assert Order.objects.get().status == "paid"
    saved = Address.objects.get(user=user)
    assert (saved.full_name, saved.line1, saved.postal_code, saved.city, saved.is_default) == (
        "Sam Saver",
        "2 Lane",
        "SW1A 1AA",
        "London",
        True,
    )
    assert "The delivery address is saved to your account." in done.content.decode()


def test_an_address_already_saved_is_not_saved_again_and_the_box_starts_unticked(client):
    user = buyer(client)
    accounts.add_address(user=user, data={**ADDRESS, "city": "London"})
    page = checkout_page(client)
    assert 'name="save_address" value="1">' in page  # offered, not ticked: the buyer has an address here
    pay(client, page, save_address="1")
    assert Address.objects.filter(user=user).count() == 1


def test_an_unticked_box_saves_nothing(client):
    user = buyer(client)
    pay(client, checkout_page(client))
    assert Order.objects.get().status == "paid"
    assert not Address.objects.filter(user=user).exists()


def test_a_refused_address_is_told_and_the_order_stands(client, monkeypatch):
    user = buyer(client)
    monkeypatch.setattr("reloop.accounts.services.MAX_ADDRESSES", 0)  # the buyer's address book is full
    done = pay(client, checkout_page(client), save_address="1")
    assert Order.objects.get().status == "paid"
    assert not Address.objects.filter(user=user).exists()
    assert "Your address was not saved to your account" in done.content.decode()
