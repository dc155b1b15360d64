"""POST /api/v1/seller/offers/bulk: per-item results with codes, scoped to the token's seller, idempotent."""

from __future__ import annotations

import json

import pytest

from reloop.catalog.grading import Grade
from reloop.catalog.tests.factories import VariantFactory
from reloop.offers.models import Offer, OfferPrice
from reloop.offers.tests.factories import make_offer
from reloop.pricing.models import BuyBoxSnapshot, StaleBuyBox
from reloop.pricing.services import refresh_stale_buy_boxes
from reloop.sellers.models import Standing
from reloop.sellers.services import create_seller_token
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/seller/offers/bulk"


@pytest.fixture
def world():
    variant = VariantFactory()
    a, b = SellerFactory(), SellerFactory()
    a_offer = make_offer(seller=a, variant=variant, price=30000, stock=2)
    b_offer = make_offer(seller=b, variant=variant, price=31000, stock=2, grade=Grade.FAIR)
    _, a_key = create_seller_token(seller=a, name="feed")
    return {"variant": variant, "a": a, "a_offer": a_offer, "b_offer": b_offer, "a_key": a_key}


def post(client, body, key, idem="k-1"):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    if idem:
        headers["HTTP_IDEMPOTENCY_KEY"] = idem
    return client.post(URL, data=json.dumps(body), content_type="application/json", **headers)


def test_valid_items_are_applied_and_bad_ones_answered_with_codes(client, world, django_capture_on_commit_callbacks):
    body = {
        "items": [
            {"sku": world["a_offer"].sku, "stock": 9, "prices": {"en-gb": 25000, "fr-fr": 29900}},
            {"sku": world["b_offer"].sku, "stock": 1},  # seller B's offer: not found for A
            {"sku": world["a_offer"].sku, "stock": 3},
            {"sku": "X-1", "stock": -1, "prices": {"xx-xx": 5}},
        ]
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, body, world["a_key"])
    assert response.status_code == 200
    data = response.json()
    assert (data["applied"], data["updated"], data["unchanged"], data["errors"]) == (True, 1, 0, 3)
    assert [(i["index"], i["result"], [e["code"] for e in i["errors"]]) for i in data["items"]] == [
        (0, "updated", []),
        (1, "error", ["offer_not_found"]),
        (2, "error", ["duplicate_sku"]),
        (3, "error", ["invalid_stock", "unknown_market"]),
    ]
    a_offer, b_offer = (Offer.objects.get(pk=world[k].pk) for k in ("a_offer", "b_offer"))
    assert (a_offer.stock, b_offer.stock) == (9, 2)
    assert sorted(OfferPrice.objects.filter(offer=a_offer).values_list("market", "amount")) == [
        ("en-gb", 25000),
        ("fr-fr", 29900),
    ]
    # the buy box follows in the next batch (ADR 0044: tests/test_seller_bulk_buy_boxes.py)
    assert StaleBuyBox.objects.filter(variant=world["variant"], grade="good").count() == 2  # en-gb, fr-fr
    refresh_stale_buy_boxes()
    assert BuyBoxSnapshot.objects.get(variant=world["variant"], grade="good", market="en-gb").price == 25000


def test_all_or_nothing_writes_nothing_when_an_item_is_refused(client, world):
    body = {"all_or_nothing": True, "items": [{"sku": world["a_offer"].sku, "stock": 9}, {"sku": "NOPE", "stock": 1}]}
    data = post(client, body, world["a_key"]).json()
    assert (data["applied"], data["updated"]) == (False, 0)
    assert [i["result"] for i in data["items"]] == ["error", "error"]
    assert data["items"][0]["errors"][0]["code"] == "not_applied"
    assert Offer.objects.get(pk=world["a_offer"].pk).stock == 2


def test_a_null_price_stops_selling_and_a_replay_changes_nothing_more(client, world):
    body = {"items": [{"sku": world["a_offer"].sku, "prices": {"en-gb": None}}]}
    first = post(client, body, world["a_key"], idem="same")
    assert first.json()["items"][0]["result"] == "updated"
    assert not OfferPrice.objects.filter(offer=world["a_offer"]).exists()
    make_offer_price = OfferPrice.objects.create(offer=world["a_offer"], market="en-gb", amount=100, currency="GBP")
    replay = post(client, body, world["a_key"], idem="same")
    assert replay.json() == first.json()
    assert replay["Idempotent-Replayed"] == "true"
    assert OfferPrice.objects.filter(pk=make_offer_price.pk).exists()  # the view did not run again


@pytest.mark.parametrize(
    "body",
    [
        {"items": [{"sku": "S", "stock": 9}], "allOrNothing": True},  # a misspelt request field
        {"items": [{"sku": "S", "stok": 9}]},  # a misspelt item field: must not pass as "unchanged"
    ],
)
def test_an_unknown_field_is_a_422_and_changes_nothing(client, world, body):
    body["items"][0]["sku"] = world["a_offer"].sku
    response = post(client, body, world["a_key"])
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert Offer.objects.get(pk=world["a_offer"].pk).stock == 2


def test_the_same_market_twice_in_an_item_is_refused_and_changes_nothing(client, world):
    # Given A's offer at 300.00 in en-gb; when an item names en-gb twice (market codes are case-insensitive)
    body = {"items": [{"sku": world["a_offer"].sku, "prices": {"en-gb": 100, "EN-GB": 200}}]}
    item = post(client, body, world["a_key"]).json()["items"][0]
    # Then the item is refused with its code and the price is unchanged (not whichever key came last)
    assert (item["result"], [e["code"] for e in item["errors"]]) == ("error", ["duplicate_market"])
    assert OfferPrice.objects.get(offer=world["a_offer"], market="en-gb").amount == 30000


def test_more_than_1000_items_is_a_422(client, world):
    body = {"items": [{"sku": f"S-{n}", "stock": 1} for n in range(1001)]}
    response = post(client, body, world["a_key"])
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"


def test_without_a_token_401_without_a_key_400_suspended_403(client, world):
    body = {"items": [{"sku": world["a_offer"].sku, "stock": 9}]}
    assert post(client, body, None).status_code == 401
    assert post(client, body, world["a_key"], idem=None).json()["code"] == "idempotency_key_required"
    world["a"].standing = Standing.SUSPENDED
    world["a"].save()
    assert post(client, body, world["a_key"]).json()["code"] == "seller_suspended"
    assert Offer.objects.get(pk=world["a_offer"].pk).stock == 2
