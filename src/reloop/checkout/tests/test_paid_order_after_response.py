"""The buyer's card request, without a broker (ADR 0043): the provider's page answers as soon as the card is
accepted and its webhook recorded; the work that follows — settling the order from the webhook, then the invoice,
its PDF and the emails — runs in the same process once that answer has been sent, as a worker would run it, and
the confirmation still carries the invoice PDF."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings
from django.core import mail
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client, RequestFactory
from django.utils.crypto import get_random_string

from reloop.accounts.models import User
from reloop.catalog.tests.factories import VariantFactory
from reloop.invoicing.models import Invoice
from reloop.offers.tests.factories import make_offer
from reloop.orders.models import Order, OrderStatus
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db(transaction=True)  # the work after payment leaves when the payment commits


def start_response(status: str, headers: list[tuple[str, str]], exc_info: object = None) -> Callable[[bytes], object]:
    return lambda data: None


ADDRESS = {
    "accept_terms": "on",
    "country": "GB",
    "full_name": "Olga Owner",
    "line1": "1 Road",
    "postal_code": "SW1A 1AA",
    "city": "London",
}


def test_the_card_request_answers_before_the_invoice_and_emails_which_follow_with_the_pdf() -> None:
    buyer = User.objects.create_user(username="o@example.com", email="o@example.com", password="pw-123456-x")
    offer = make_offer(seller=SellerFactory(name="Alpha"), variant=VariantFactory(), price=30000, stock=2)
    client = Client()
    client.force_login(buyer)
    client.post("/en-gb/cart/add/", {"offer": offer.pk, "quantity": 1})
    page = client.get("/en-gb/checkout/").content.decode()
    key = page.split('name="idempotency_key" value="')[1].split('"')[0]
    to_provider = client.post("/en-gb/checkout/", {**ADDRESS, "idempotency_key": key})
    mail.outbox.clear()

    # The buyer types the card on the provider's page, served as a WSGI server serves it.
    csrf = get_random_string(32)
    request = RequestFactory().post(
        to_provider["Location"],
        {"card": "4242 4242 4242 4242", "csrfmiddlewaretoken": csrf},
        HTTP_COOKIE=f"{settings.CSRF_COOKIE_NAME}={csrf}",
    )
    response = WSGIHandler()(request.environ, start_response)
    b"".join(response)  # the answer is sent

    assert response.status_code == 302  # back to the shop
    assert response["Location"].endswith(f"/en-gb/checkout/return/?payment={to_provider['Location'].split('/')[-2]}")
    order = Order.objects.get()
    assert order.status == OrderStatus.PENDING_PAYMENT  # the webhook is recorded, its handler not run yet
    assert not Invoice.objects.exists()
    assert mail.outbox == []

    response.close()  # the server has sent the last byte: the work after payment runs

    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    [invoice] = Invoice.objects.filter(order=order)
    confirmation = next(m for m in mail.outbox if m.to == ["o@example.com"])
    assert confirmation.subject == f"Your order {order.number} is confirmed"
    [(filename, content, mimetype)] = confirmation.attachments
    assert (filename, mimetype) == (f"{invoice.number}.pdf", "application/pdf")
    assert content.startswith(b"%PDF-")
