"""The buyer API: a whole purchase and a return through the API only (the buyer's side), with the seller's side
done through its services and the payment confirmed on the test provider's own page, as an app's web view
would. Also: tokens, one buyer never reaches another's data, idempotent POSTs, the error shape."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import urlparse

import pytest

from reloop.accounts.tests.factories import UserFactory
from reloop.aftersales import services as aftersales
from reloop.catalog.tests.factories import VariantFactory
from reloop.offers.tests.factories import make_offer
from reloop.orders.models import Order, OrderLine
from reloop.orders.services import transition_line
from reloop.payments.models import TestRefund
from reloop.payments.providers.testing import CARD_SUCCEEDS
from reloop.sellers.tests.factories import SellerFactory, SellerMemberFactory

pytestmark = pytest.mark.django_db
BASE = "/api/v1/buyer"
PASSWORD = "a long enough passphrase 42"
ADDRESS = {
    "full_name": "Ada Buyer",
    "line1": "1 High Street",
    "postal_code": "SW1A 1AA",
    "city": "London",
    "country": "GB",
}


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def api(client, method: str, path: str, token: str | None, body: Any = None, key: str | None = "auto", **headers):
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    if key == "auto":
        key = None if method == "get" else uuid.uuid4().hex
    if key:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    kwargs: dict[str, Any] = {}
    if method != "get":
        kwargs = {"content_type": "application/json", "data": json.dumps(body if body is not None else {})}
    return getattr(client, method)(BASE + path, **kwargs, **headers)


def buyer_token(client, email: str = "ada@example.com") -> str:
    UserFactory.create(email=email, username=email, password=PASSWORD)
    response = api(client, "post", "/auth/token", None, {"email": email.upper(), "password": PASSWORD}, key=None)
    assert response.status_code == 201, response.content
    return response.json()["token"]


@pytest.fixture
def offer():
    seller = SellerFactory.create()
    SellerMemberFactory.create(seller=seller, role="owner")
    return make_offer(seller=seller, variant=VariantFactory.create(), price=27900, stock=3)


def test_a_whole_purchase_and_a_return_through_the_api(client, offer):
    token = buyer_token(client)
    # Cart
    response = api(client, "post", "/cart/items", token, {"offer_id": offer.pk, "quantity": 1})
    assert response.status_code == 201, response.content
    cart = response.json()
    assert (cart["count"], cart["items_total"]["amount"]) == (1, 27900)
    # Checkout: the order awaits payment on the provider's page
    response = api(client, "post", "/checkout", token, {"shipping_address": ADDRESS, "expected_total": None})
    assert response.status_code == 201, response.content
    started = response.json()
    number = started["order"]["number"]
    assert started["order"]["status"] == "pending_payment"
    pay_page = urlparse(started["payment"]["redirect_url"]).path
    assert pay_page.startswith("/_provider/test/")
    # The buyer types the card on the provider's page (never sent to Reloop's API)
    client.logout()
    assert client.post(pay_page, {"card": CARD_SUCCEEDS}).status_code in (200, 302)
    # Back in the app: settle, then the order is paid
    response = api(client, "post", f"/orders/{number}/payment", token)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "paid"
    orders = api(client, "get", "/orders", token).json()["items"]
    assert [o["number"] for o in orders] == [number]
    line_id = orders[0]["parts"][0]["lines"][0]["id"]
    # The seller ships; the parcel is delivered (seller and carrier side)
    for state in ("accepted", "shipped", "delivered"):
        transition_line(line_id=line_id, to_state=state, actor=None, actor_kind="system")
    # Return through the API
    response = api(
        client,
        "post",
        "/cases",
        token,
        {"line_id": line_id, "kind": "return", "reason": "change_of_mind", "description": "Too big for my hand."},
    )
    assert response.status_code == 201, response.content
    case_id = response.json()["id"]
    seller_user = offer.seller.members.get().user
    aftersales.answer_case(actor=seller_user, case_id=case_id, answer="accept", note="Label inside.")
    response = api(
        client, "post", f"/cases/{case_id}/shipped-back", token, {"carrier": "royal_mail", "tracking_number": "AB1GB"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "shipped_back"
    aftersales.confirm_receipt(actor=seller_user, case_id=case_id)
    aftersales.refund_case(actor=seller_user, case_id=case_id)
    # The buyer sees the refund
    assert api(client, "get", f"/cases/{case_id}", token).json()["state"] == "resolved"
    order = api(client, "get", f"/orders/{number}", token).json()
    assert order["parts"][0]["lines"][0]["state"] == "refunded"
    assert (
        TestRefund.objects.get().amount == Order.objects.get(number=number).total - 0
    )  # the whole line, no shipping fee


def test_a_retried_add_to_cart_with_the_same_key_adds_once(client, offer):
    token = buyer_token(client)
    first = api(client, "post", "/cart/items", token, {"offer_id": offer.pk}, key="same-key")
    again = api(client, "post", "/cart/items", token, {"offer_id": offer.pk}, key="same-key")
    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (201, 201, "true")
    assert api(client, "get", "/cart", token).json()["count"] == 1


def test_a_post_without_an_idempotency_key_is_refused(client, offer):
    token = buyer_token(client)
    response = api(client, "post", "/cart/items", token, {"offer_id": offer.pk}, key=None)
    assert (response.status_code, response.json()["code"]) == (400, "idempotency_key_required")
    assert api(client, "get", "/cart", token).json()["count"] == 0


def test_tokens_are_refused_when_wrong_tampered_or_after_a_password_change(client):
    assert api(client, "get", "/me", None).status_code == 401
    response = api(client, "post", "/auth/token", None, {"email": "nobody@example.com", "password": "x"}, key=None)
    assert (response.status_code, response.json()["code"]) == (401, "invalid_credentials")
    token = buyer_token(client)
    assert api(client, "get", "/me", token).json()["email"] == "ada@example.com"
    assert api(client, "get", "/me", token[:-2] + "xx").status_code == 401
    from reloop.accounts.models import User

    user = User.objects.get(email="ada@example.com")
    user.set_password("another long passphrase 43")
    user.save()
    assert api(client, "get", "/me", token).status_code == 401


def test_one_buyer_never_reaches_another_buyers_order_or_case(client, offer):
    from reloop.aftersales.tests.factories import delivered_line

    sale = delivered_line()
    case = aftersales.open_return(
        actor=sale.buyer, line_id=sale.line.pk, reason="change_of_mind", description="Not for me."
    )
    token = buyer_token(client, "eve@example.com")
    assert api(client, "get", f"/orders/{sale.order.number}", token).status_code == 404
    assert api(client, "get", f"/cases/{case.pk}", token).status_code == 404
    assert api(client, "post", f"/orders/{sale.order.number}/payment", token).status_code == 404
    response = api(
        client,
        "post",
        "/cases",
        token,
        {"line_id": sale.line.pk, "kind": "warranty", "reason": "defective", "description": "Mine now?"},
    )
    assert response.status_code == 404
    assert api(client, "get", "/orders", token).json()["items"] == []
    assert OrderLine.objects.get(pk=sale.line.pk).cases.count() == 1


def test_bad_input_is_a_4xx_in_the_one_error_shape(client, offer):
    token = buyer_token(client)
    for body in ({"offer_id": "x"}, {"offer_id": offer.pk, "quantity": 99}, {"offer_id": offer.pk, "extra": 1}):
        response = api(client, "post", "/cart/items", token, body)
        assert response.status_code == 422, body
        assert set(response.json()) == {"code", "message", "details"}
    response = api(client, "post", "/checkout", token, {"shipping_address": ADDRESS})
    assert (response.status_code, response.json()["code"]) == (422, "empty_cart")
    bad = dict(ADDRESS, postal_code="nope")
    api(client, "post", "/cart/items", token, {"offer_id": offer.pk})
    response = api(client, "post", "/checkout", token, {"shipping_address": bad})
    assert (response.status_code, response.json()["code"]) == (422, "invalid_address")
    assert not Order.objects.exists()
    assert api(client, "get", "/cart?market=xx-yy", token).status_code == 404
