"""Seller API offer writes: exact outcomes, and every refusal a 4xx with its code and nothing written."""

from __future__ import annotations

import pytest

from reloop.api.tests.helpers import call, world_state
from reloop.catalog.tests.factories import VariantFactory
from reloop.offers.models import Offer, OfferPrice
from reloop.offers.tests.factories import make_offer
from reloop.sellers.services import create_seller_token
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    seller = SellerFactory()
    variant = VariantFactory()
    offer = make_offer(seller=seller, variant=VariantFactory(), stock=5, price=30000)
    _, key = create_seller_token(seller=seller, name="sync")
    return {"seller": seller, "variant": variant, "offer": offer, "key": key}


def _create(w, **changes):
    body = {
        "sku": "IP13-GOOD",
        "variant_id": w["variant"].pk,
        "grade": "good",
        "battery_tier": "high",
        "stock": 8,
        "prices": [{"market": "en-gb", "amount": 27900}, {"market": "fr-fr", "amount": 32900, "currency": "EUR"}],
        **changes,
    }
    return call(w["client"], "post", "/offers", w["key"], body)


@pytest.fixture(autouse=True)
def _client(client, w):
    w["client"] = client


# --- Create -------------------------------------------------------------------------------------------------


def test_create_an_offer(w):
    response = _create(w)
    assert response.status_code == 201
    body = response.json()
    offer = Offer.objects.get(pk=body["id"])
    assert (offer.seller, offer.sku, offer.variant, offer.grade, offer.battery_tier, offer.stock) == (
        w["seller"],
        "IP13-GOOD",
        w["variant"],
        "good",
        "high",
        8,
    )
    assert body["prices"] == [
        {"market": "en-gb", "amount": 27900, "currency": "GBP"},
        {"market": "fr-fr", "amount": 32900, "currency": "EUR"},
    ]
    assert body["warranty_months"] == 12
    assert body["is_active"] is True


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"grade": "mint"}, 422, "invalid_input"),
        ({"warranty_months": 6}, 422, "invalid_warranty"),
        ({"dispatch_days": 45}, 422, "invalid_dispatch_days"),
        ({"stock": 100_001}, 422, "invalid_stock"),
        ({"sku": "has space"}, 422, "invalid_sku"),
        ({"variant_id": 999_999}, 422, "unknown_variant"),
        ({"prices": [{"market": "zz-zz", "amount": 100}]}, 422, "unknown_market"),
        ({"prices": [{"market": "en-gb", "amount": 100, "currency": "EUR"}]}, 422, "wrong_currency"),
        ({"prices": [{"market": "en-gb", "amount": 100, "currency": "ABC"}]}, 422, "unknown_currency"),
        ({"prices": [{"market": "en-gb", "amount": 0}]}, 422, "invalid_input"),
        ({"prices": [{"market": "en-gb", "amount": 100}, {"market": "en-gb", "amount": 200}]}, 422, "duplicate_market"),
        ({"prices": [{"market": "en-gb", "amount": 99.5}]}, 422, "invalid_input"),
        ({"parts_provenance": "compatible"}, 422, "invalid_replaced_parts"),
        ({"grade": "premium", "battery_tier": "standard"}, 422, "invalid_grade"),
        ({"colour": "blue"}, 422, "invalid_input"),
    ],
)
def test_a_refused_offer_is_a_4xx_with_its_code_and_nothing_is_written(w, changes, status, code):
    before = world_state()
    response = _create(w, **changes)
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    after = world_state()
    assert (after["offers"], after["prices"]) == (before["offers"], before["prices"])


def test_a_second_offer_with_the_same_sku_is_409(w):
    _create(w)
    response = _create(w, grade="fair")
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_sku"
    assert Offer.objects.filter(seller=w["seller"]).count() == 2


def test_the_same_condition_twice_is_409(w):
    _create(w)
    response = _create(w, sku="OTHER")
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_offer"


# --- Update, prices, stock ----------------------------------------------------------------------------------


def test_patch_changes_only_the_fields_sent(w):
    offer = w["offer"]
    response = call(w["client"], "patch", f"/offers/{offer.pk}", w["key"], {"warranty_months": 24, "active": False})
    assert response.status_code == 200
    offer.refresh_from_db()
    assert (offer.warranty_months, offer.is_active, offer.grade, offer.dispatch_days) == (24, False, "good", 1)
    assert response.json()["is_active"] is False


def test_patch_refuses_a_broken_rule_and_changes_nothing(w):
    before = world_state()
    response = call(w["client"], "patch", f"/offers/{w['offer'].pk}", w["key"], {"warranty_months": 3, "active": False})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_warranty"
    assert world_state()["offers"] == before["offers"]


def test_patch_cannot_change_the_variant_or_sku(w):
    response = call(w["client"], "patch", f"/offers/{w['offer'].pk}", w["key"], {"variant_id": 1, "sku": "X"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"


def test_put_sets_a_price_and_delete_removes_it(w):
    offer = w["offer"]
    put = call(w["client"], "put", f"/offers/{offer.pk}/prices/fr-fr", w["key"], {"amount": 31900})
    assert put.status_code == 200
    assert {p["market"]: p["amount"] for p in put.json()["prices"]} == {"en-gb": 30000, "fr-fr": 31900}
    again = call(w["client"], "put", f"/offers/{offer.pk}/prices/fr-fr", w["key"], {"amount": 30900})
    assert OfferPrice.objects.get(offer=offer, market="fr-fr").amount == 30900
    assert again.status_code == 200
    deleted = call(w["client"], "delete", f"/offers/{offer.pk}/prices/en-gb", w["key"])
    assert deleted.status_code == 200
    assert [p["market"] for p in deleted.json()["prices"]] == ["fr-fr"]
    # deleting a price that is not there changes nothing and is not an error
    assert call(w["client"], "delete", f"/offers/{offer.pk}/prices/en-gb", w["key"]).status_code == 200


@pytest.mark.parametrize(
    ("method", "market", "body", "code"),
    [
        ("put", "zz-zz", {"amount": 100}, "unknown_market"),
        ("put", "zz", {"amount": 100}, "unknown_market"),  # not even shaped like a market code
        ("put", "en-gb", {"amount": 100, "currency": "EUR"}, "wrong_currency"),
        ("put", "en-gb", {"amount": -1}, "invalid_input"),
        ("put", "en-gb", {"amount": "12.50"}, "invalid_input"),
        ("delete", "zz-zz", None, "unknown_market"),
    ],
)
def test_a_refused_price_change_is_422_and_changes_nothing(w, method, market, body, code):
    before = world_state()
    response = call(w["client"], method, f"/offers/{w['offer'].pk}/prices/{market}", w["key"], body)
    assert response.status_code == 422
    assert response.json()["code"] == code
    assert world_state()["prices"] == before["prices"]


def test_stock_absolute_and_delta(w):
    path = f"/offers/{w['offer'].pk}/stock"
    assert call(w["client"], "post", path, w["key"], {"stock": 12}).json()["stock"] == 12
    assert call(w["client"], "post", path, w["key"], {"delta": -2}).json()["stock"] == 10
    assert call(w["client"], "post", path, w["key"], {"delta": 3}).json()["stock"] == 13
    assert Offer.objects.get(pk=w["offer"].pk).stock == 13


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({}, 422, "invalid_stock"),
        ({"stock": 3, "delta": 1}, 422, "invalid_stock"),
        ({"delta": 0}, 422, "invalid_stock"),
        ({"delta": -6}, 409, "insufficient_stock"),
        ({"stock": -1}, 422, "invalid_input"),
        ({"stock": 100_001}, 422, "invalid_stock"),
    ],
)
def test_a_refused_stock_change_changes_nothing(w, body, status, code):
    response = call(w["client"], "post", f"/offers/{w['offer'].pk}/stock", w["key"], body)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert Offer.objects.get(pk=w["offer"].pk).stock == 5


def test_the_openapi_document_has_summaries_and_examples_for_every_seller_route(client):
    schema = client.get("/api/openapi.json").json()
    seller_routes = {p: ops for p, ops in schema["paths"].items() if p.startswith("/api/v1/seller/")}
    assert len(seller_routes) >= 9
    for path, operations in seller_routes.items():
        for method, operation in operations.items():
            assert operation.get("summary"), (method, path)
            assert operation.get("description"), (method, path)
            assert "401" in operation["responses"], (method, path)
    components = schema["components"]["schemas"]
    for name in ("OfferCreateIn", "OfferUpdateIn", "PriceSetIn", "StockIn", "CancelIn", "ShipIn"):
        assert components[name].get("examples"), name
    seller_schemas = [
        "PriceIn",
        "OfferCreateIn",
        "OfferUpdateIn",
        "PriceSetIn",
        "StockIn",
        "CancelIn",
        "ShipIn",
        "ShipUnitsIn",
        "SellerOfferOut",
        "SellerPriceOut",
        "SellerOfferListOut",
        "OfferCompetitionOut",
        "MarketCompetitionOut",
        "SellerOrderOut",
        "SellerOrderListOut",
        "OrderLineOut",
        "ShipmentOut",
        "ShippingAddressOut",
        "ErrorOut",
    ]
    for name in seller_schemas:
        assert components[name].get("description"), name
