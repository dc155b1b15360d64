"""Seller API for trade-in: bids with rank and price to win, trade-ins and their steps, scoped to the token."""

from __future__ import annotations

import datetime as dt

import pytest

from reloop.api.tests.helpers import call
from reloop.buyback.domain import State
from reloop.buyback.models import TradeIn
from reloop.buyback.tests.factories import NOW, accepted_tradein, bid, phone
from reloop.core import clock
from reloop.devices.tests.factories import BAD_IMEI, imei
from reloop.sellers.services import create_seller_token
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db


def token(seller) -> str:
    return create_seller_token(seller=seller, name="sync")[1]


def test_put_bids_then_list_them_with_rank_and_price_to_win(client):
    variant = phone()
    mine, rival = SellerFactory.create(), SellerFactory.create()
    with clock.frozen_at(NOW):
        bid(rival, variant, 20000)
    key = token(mine)
    body = {"bids": [{"variant_id": variant.pk, "condition": "flawless", "market": "en-gb", "price": 15000}]}
    with clock.frozen_at(NOW + dt.timedelta(hours=1)):
        response = call(client, "put", "/tradein/bids", key, body)
    assert response.status_code == 200, response.content
    (item,) = response.json()["items"]
    assert (item["rank"], item["best_competing_price"], item["price_to_win"]) == (2, 20000, 20001)
    bad = body | {
        "bids": [*body["bids"], {"variant_id": variant.pk, "condition": "mint", "market": "en-gb", "price": 1}]
    }
    assert call(client, "put", "/tradein/bids", key, bad).status_code == 422
    assert call(client, "put", "/tradein/bids", key, {"bids": [], "extra": 1}).status_code == 422
    assert mine.tradein_bids.count() == 1


def test_receive_and_validate_through_the_api_and_another_seller_gets_404(client):
    tradein = accepted_tradein()
    key, other = token(tradein.seller), token(SellerFactory.create())
    path = f"/tradein/orders/{tradein.number}"
    assert call(client, "get", path, other).status_code == 404
    assert call(client, "post", f"{path}/receive", other, {"identifier": imei(3)}).status_code == 404
    listing = call(client, "get", "/tradein/orders?queue=to_receive", key).json()
    assert [t["number"] for t in listing["items"]] == [tradein.number]
    assert "customer" not in str(listing)
    assert "iban" not in str(listing)
    with clock.frozen_at(NOW + dt.timedelta(days=1)):
        bad = call(client, "post", f"{path}/receive", key, {"identifier": BAD_IMEI})
        assert bad.status_code == 422
        assert bad.json()["code"] == "invalid_imei"
        assert call(client, "post", f"{path}/receive", key, {"identifier": imei(3)}).json()["state"] == "received"
        again = call(client, "post", f"{path}/receive", key, {"identifier": imei(3)})
        assert again.status_code == 409
        done = call(client, "post", f"{path}/validate", key)
    assert done.status_code == 200
    assert done.json()["state"] == State.PAID
    assert TradeIn.objects.get().fee_amount == 2000


def test_counter_offer_and_return_through_the_api(client):
    tradein = accepted_tradein()
    key = token(tradein.seller)
    path = f"/tradein/orders/{tradein.number}"
    with clock.frozen_at(NOW + dt.timedelta(days=1)):
        call(client, "post", f"{path}/receive", key, {"identifier": imei(4)})
        too_high = call(
            client,
            "post",
            f"{path}/counter-offer",
            key,
            {"condition_found": "worn", "amount": 30000, "reason": "scratches"},
        )
        assert too_high.status_code == 422
        ok = call(
            client,
            "post",
            f"{path}/counter-offer",
            key,
            {"condition_found": "worn", "amount": 12000, "reason": "scratches"},
        )
        assert ok.json()["state"] == "counter_offered"
        early = call(client, "post", f"{path}/return", key, {"carrier": "royal_mail", "tracking_number": "RM1234GB"})
        assert early.status_code == 409
