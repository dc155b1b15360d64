"""Checkout pages with the provider's own card page: the total before paying (HTMX and without JavaScript), the
hand-over and the return, a re-sent form, an unpaid order's page, and who may see what."""

from __future__ import annotations

import re

import pytest

from reloop.accounts.models import User
from reloop.catalog.tests.factories import VariantFactory
from reloop.checkout.models import CheckoutPayment
from reloop.offers.models import Offer
from reloop.offers.tests.factories import make_offer
from reloop.orders.models import Order, OrderStatus
from reloop.payments.models import TestCharge
from reloop.sellers.tests.factories import SellerFactory
from reloop.web.tests.helpers import queries_for

pytestmark = pytest.mark.django_db

ADDRESS = {
    "accept_terms": "on",  # the terms of sale, accepted with each order (reloop.legal)
    "country": "GB",
    "form_country": "GB",
    "full_name": "Olga Owner",
    "line1": "1 Road",
    "postal_code": "SW1A 1AA",
    "city": "London",
}


@pytest.fixture
def buyer(client):
    user = User.objects.create_user(username="o@example.com", email="o@example.com", password="pw-123456-x")
    client.force_login(user)
    return user


def add(client, offer, quantity=1):
    client.post("/en-gb/cart/add/", {"offer": offer.pk, "quantity": quantity})


def key_of(page: str) -> str:
    return page.split('name="idempotency_key" value="')[1].split('"')[0]


def total_of(page: str) -> int:
    found = re.search(r'data-total="(\d+)"', page)
    assert found is not None, "no total shown"
    return int(found.group(1))


@pytest.fixture
def two_parts(client, buyer):
    a = make_offer(seller=SellerFactory(name="Alpha"), variant=VariantFactory(), price=30000, stock=2)
    b = make_offer(seller=SellerFactory(name="Beta"), variant=VariantFactory(), price=12000, stock=2)
    add(client, a)
    add(client, b)
    return a, b


def test_the_total_before_the_pay_button_lists_each_part_and_follows_the_shipping(client, two_parts):
    a, _ = two_parts
    page = client.get("/en-gb/checkout/").content.decode()
    assert total_of(page) == 42000
    assert "Pay £420.00" in page
    assert page.count('class="summary-part"') == 2
    assert 'name="card' not in page  # no card field on a Reloop page

    # HTMX: choosing express for Alpha updates the summary at once, nothing reserved
    partial = client.post(
        "/en-gb/checkout/summary/", {f"shipping_{a.seller_id}": "express"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert total_of(partial) == 42899
    assert "Express shipping" in partial
    assert "£8.99" in partial
    # Without JavaScript: the "Update the total" button shows the same, nothing reserved or charged
    updated = client.post(
        "/en-gb/checkout/",
        {**ADDRESS, "idempotency_key": "k", "action": "update", f"shipping_{a.seller_id}": "express"},
    ).content.decode()
    assert total_of(updated) == 42899
    assert (Order.objects.count(), TestCharge.objects.count()) == (0, 0)
    assert [o.stock for o in Offer.objects.order_by("pk")] == [2, 2]


def test_paying_with_a_stale_total_is_refused_and_shows_the_new_one(client, two_parts):
    a, _ = two_parts
    page = client.get("/en-gb/checkout/").content.decode()
    form = {**ADDRESS, "idempotency_key": key_of(page), f"shipping_{a.seller_id}": "express", "expected_total": 42000}
    response = client.post("/en-gb/checkout/", form)
    assert response.status_code == 200
    body = response.content.decode()
    assert "The total is now £428.99" in body
    assert total_of(body) == 42899
    assert key_of(body) != form["idempotency_key"]  # the next attempt is a new one
    assert (Order.objects.count(), TestCharge.objects.count()) == (0, 0)


def pay(client, page_form):
    """Submit the checkout, pay on the provider's page with the good card, follow the way back."""
    to_provider = client.post("/en-gb/checkout/", page_form)
    back = client.post(to_provider["Location"], {"card": "4242 4242 4242 4242"})
    return client.get(back["Location"])


def test_a_double_submit_of_a_paid_checkout_lands_on_the_order(client, two_parts):
    """Defect (issue 10): re-sending a checkout form that had succeeded landed on an empty cart."""
    page = client.get("/en-gb/checkout/").content.decode()
    form = {**ADDRESS, "idempotency_key": key_of(page), "expected_total": total_of(page)}
    pay(client, form)
    order = Order.objects.get()
    assert order.status == OrderStatus.PAID

    again = client.post("/en-gb/checkout/", form)

    assert again["Location"] == f"/en-gb/orders/{order.number}/"
    assert (Order.objects.count(), TestCharge.objects.count()) == (1, 1)


def test_a_second_submit_while_paying_goes_back_to_the_same_payment(client, two_parts):
    page = client.get("/en-gb/checkout/").content.decode()
    form = {**ADDRESS, "idempotency_key": key_of(page), "expected_total": total_of(page)}
    first = client.post("/en-gb/checkout/", form)
    second = client.post("/en-gb/checkout/", form)
    assert first["Location"] == second["Location"]
    assert (Order.objects.count(), TestCharge.objects.count()) == (1, 1)


def test_an_unpaid_order_shows_its_pending_payment_to_its_buyer_only(client, two_parts, buyer):
    page = client.get("/en-gb/checkout/").content.decode()
    client.post("/en-gb/checkout/", {**ADDRESS, "idempotency_key": key_of(page), "expected_total": total_of(page)})
    order = Order.objects.get()

    response = client.get(f"/en-gb/orders/{order.number}/")

    assert response.status_code == 200
    body = response.content.decode()
    assert "Payment pending" in body
    assert CheckoutPayment.objects.get().redirect_url in body  # "Continue to the payment page"
    intruder = User.objects.create_user(username="i@example.com", email="i@example.com", password="pw-123456-x")
    client.force_login(intruder)
    assert client.get(f"/en-gb/orders/{order.number}/").status_code == 404
    reference = CheckoutPayment.objects.get().reference
    assert client.get(f"/en-gb/checkout/return/?payment={reference}").status_code == 404
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT  # another buyer's return changed nothing


def test_a_declined_card_keeps_the_buyer_on_the_provider_page_and_another_card_pays_the_same_order(client, two_parts):
    page = client.get("/en-gb/checkout/").content.decode()
    to_provider = client.post(
        "/en-gb/checkout/", {**ADDRESS, "idempotency_key": key_of(page), "expected_total": total_of(page)}
    )
    declined = client.post(to_provider["Location"], {"card": "4000 0000 0000 9995"})
    assert declined.status_code == 402  # still the provider's page, saying why, asking for another card
    assert "Your card has insufficient funds." in declined.content.decode()
    assert "Try another card." in declined.content.decode()
    order = Order.objects.get()
    assert (order.status, [o.stock for o in Offer.objects.order_by("pk")]) == (OrderStatus.PENDING_PAYMENT, [1, 1])
    # the order page, meanwhile, offers the way back to the payment page
    assert CheckoutPayment.objects.get().redirect_url in client.get(f"/en-gb/orders/{order.number}/").content.decode()

    back = client.post(to_provider["Location"], {"card": "4242 4242 4242 4242"})
    client.get(back["Location"])

    order.refresh_from_db()
    assert (order.status, Order.objects.count(), TestCharge.objects.get().card_last4) == (OrderStatus.PAID, 1, "4242")


def test_leaving_the_provider_page_after_a_decline_returns_to_checkout_with_the_reason(client, two_parts):
    page = client.get("/en-gb/checkout/").content.decode()
    to_provider = client.post(
        "/en-gb/checkout/", {**ADDRESS, "idempotency_key": key_of(page), "expected_total": total_of(page)}
    )
    client.post(to_provider["Location"], {"card": "4000 0000 0000 0002"})
    reference = CheckoutPayment.objects.get().reference
    back = client.post(f"/_provider/test/pay/{reference}/leave/")  # "Cancel and return to the shop"
    response = client.get(back["Location"], follow=True)
    assert response.redirect_chain[-1][0] == "/en-gb/checkout/"
    assert "Your card was declined." in response.content.decode()
    order = Order.objects.get()
    assert (order.status, order.failure_reason) == (OrderStatus.PAYMENT_FAILED, "card_declined")  # a code
    assert [o.stock for o in Offer.objects.order_by("pk")] == [2, 2]
    unpaid = client.get(f"/en-gb/orders/{order.number}/").content.decode()
    assert "Payment not completed" in unpaid
    assert "Your card was declined." in unpaid
    assert "card_declined" not in unpaid


def test_the_provider_page_refuses_a_bad_card_number_without_touching_the_payment(client, two_parts):
    page = client.get("/en-gb/checkout/").content.decode()
    to_provider = client.post(
        "/en-gb/checkout/", {**ADDRESS, "idempotency_key": key_of(page), "expected_total": total_of(page)}
    )
    response = client.post(to_provider["Location"], {"card": "4242 4242 4242 4241"})
    assert response.status_code == 422
    assert "not valid" in response.content.decode()
    assert TestCharge.objects.get().status == "requires_payment"
    assert client.get("/_provider/test/pay/pi_missing/").status_code == 404


def test_instalments_are_offered_within_the_limits_and_charged_as_one_payment(client, two_parts):
    page = client.get("/en-gb/checkout/").content.decode()
    assert "or 3 × £140.00" in page
    form = {**ADDRESS, "idempotency_key": key_of(page), "expected_total": total_of(page), "instalments": "3"}
    to_provider = client.post("/en-gb/checkout/", form)
    provider_page = client.get(to_provider["Location"]).content.decode()
    assert "In 3 instalments" in provider_page
    back = client.post(to_provider["Location"], {"card": "4242 4242 4242 4242"})
    client.get(back["Location"])
    order = Order.objects.get()
    assert order.status == OrderStatus.PAID
    charge = TestCharge.objects.get()
    assert (charge.instalments, charge.captured_amount) == (3, 42000)  # one capture of the whole total


def test_checkout_page_query_count_is_the_same_for_1_and_10_sellers(client, buyer):
    offers = [make_offer(seller=SellerFactory(), variant=VariantFactory(), price=10000 + i) for i in range(10)]
    add(client, offers[0])
    one, _ = queries_for(client, "/en-gb/checkout/")
    for offer in offers[1:]:
        add(client, offer)
    ten, response = queries_for(client, "/en-gb/checkout/")
    assert one == ten
    assert response.content.decode().count('class="summary-part"') == 10


def test_the_product_page_shows_the_instalment_offer_within_the_limits(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the buy boxes are refreshed on commit
        cheap = make_offer(seller=SellerFactory(), variant=VariantFactory(), price=5000)  # under the 100.00 minimum
        phone = make_offer(seller=SellerFactory(), variant=VariantFactory(), price=30399)
    page = client.get(f"/en-gb/p/{phone.variant.product_model.slug}/{phone.variant.slug}/").content.decode()
    assert "or 3 × £101.33" in page
    page = client.get(f"/en-gb/p/{cheap.variant.product_model.slug}/{cheap.variant.slug}/").content.decode()
    assert "instalment-offer" not in page


def test_a_payment_captured_after_the_hold_expired_comes_back_refunded_and_says_so(client, two_parts):
    from datetime import timedelta

    from reloop.checkout.settlement import expire_reservations
    from reloop.core import clock
    from reloop.core.money import Money
    from reloop.payments.providers.testing import TestProvider

    page = client.get("/en-gb/checkout/").content.decode()
    client.post("/en-gb/checkout/", {**ADDRESS, "idempotency_key": key_of(page), "expected_total": total_of(page)})
    reference = CheckoutPayment.objects.get().reference
    provider = TestProvider()
    provider.confirm_with_card(reference=reference, card="4242424242424242")
    provider.capture(reference=reference, amount=Money(42000, "GBP"), idempotency_key="raced")  # a race, captured
    with clock.frozen_at(clock.now() + timedelta(minutes=16)):
        expire_reservations()  # the hold ran out first: units back, the capture refunded

    response = client.get(f"/en-gb/checkout/return/?payment={reference}", follow=True)

    assert "it was refunded in full" in response.content.decode()
    charge = TestCharge.objects.get()
    assert (charge.captured_amount, charge.refunded_amount) == (42000, 42000)
    order = Order.objects.get()
    assert "refunded in full" in client.get(f"/en-gb/orders/{order.number}/").content.decode()
