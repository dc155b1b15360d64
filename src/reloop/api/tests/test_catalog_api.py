"""Public catalogue API: pagination with totals, filters, market currency, and 4xx errors with codes."""

from __future__ import annotations

import pytest

from reloop.catalog.tests.factories import BrandFactory, CategoryFactory, make_models

pytestmark = pytest.mark.django_db


def test_models_are_paginated_with_a_total_count(client):
    make_models(5)
    body = client.get("/api/v1/catalog/models?page_size=2&page=3").json()
    assert (body["count"], body["page"], body["page_size"], body["pages"]) == (5, 3, 2, 3)
    assert len(body["items"]) == 1


def test_models_filter_by_category_including_subcategories_and_by_brand(client):
    parent = CategoryFactory(slug="computers", name="Computers")
    laptops = CategoryFactory(slug="laptops", name="Laptops", parent=parent)
    acme = BrandFactory(name="Acme", slug="acme")
    make_models(2, category=laptops, brand=acme)
    make_models(3)  # smartphones of other brands
    assert client.get("/api/v1/catalog/models?category=computers").json()["count"] == 2
    assert client.get("/api/v1/catalog/models?brand=acme").json()["count"] == 2
    assert client.get("/api/v1/catalog/models?category=smartphones&brand=acme").json()["count"] == 0


def test_prices_are_in_the_requested_market_currency(client):
    make_models(1)
    gb = client.get("/api/v1/catalog/models?market=en-gb").json()["items"][0]["new_price_from"]
    fr = client.get("/api/v1/catalog/models?market=fr-fr").json()["items"][0]["new_price_from"]
    assert gb == {"amount": 62800, "currency": "GBP", "formatted": "£628.00"}
    assert (fr["amount"], fr["currency"]) == (72800, "EUR")


def test_model_detail_lists_variants_with_their_sourced_new_price(client):
    _, _ = make_models(1)
    slug = client.get("/api/v1/catalog/models").json()["items"][0]["slug"]
    body = client.get(f"/api/v1/catalog/models/{slug}?market=fr-fr").json()
    assert [v["storage_gb"] for v in body["variants"]] == [128, 256]
    price = body["variants"][0]["new_price"]
    assert (price["currency"], price["source"]) == ("EUR", "Manufacturer launch price")
    assert price["observed_on"] == "2022-09-07"


def test_variants_filter_by_model_and_brand(client):
    make_models(3)
    slug = client.get("/api/v1/catalog/models").json()["items"][0]["slug"]
    body = client.get(f"/api/v1/catalog/variants?model={slug}&market=en-gb").json()
    assert body["count"] == 2
    assert all(v["new_price"]["currency"] == "GBP" for v in body["items"])


def test_categories_are_listed_with_names_in_the_market_language(client):
    CategoryFactory(slug="tablets", name="Tablets", names={"fr": "Tablettes"})
    body = client.get("/api/v1/catalog/categories?market=fr-fr").json()
    assert body["count"] == 1
    assert body["items"][0]["name"] == "Tablettes"


@pytest.mark.parametrize(
    ("url", "status", "code"),
    [
        ("/api/v1/catalog/models?market=xx-xx", 404, "unknown_market"),
        ("/api/v1/catalog/models?category=nope", 404, "category_not_found"),
        ("/api/v1/catalog/models/nope", 404, "product_not_found"),
        ("/api/v1/catalog/models?page_size=1000", 422, "invalid_input"),
        ("/api/v1/catalog/models?page=0", 422, "invalid_input"),
        ("/api/v1/catalog/models?sort=evil", 422, "invalid_input"),
        ("/api/v1/catalog/variants?page=abc", 422, "invalid_input"),
    ],
)
def test_bad_input_gets_a_4xx_with_a_stable_code_and_message(client, url, status, code):
    response = client.get(url)
    assert response.status_code == status
    body = response.json()
    assert body["code"] == code
    assert body["message"]


def test_model_list_query_count_does_not_grow_with_page_size(client, django_assert_num_queries):
    make_models(1)
    with django_assert_num_queries(2) as one:
        client.get("/api/v1/catalog/models")
    make_models(9, category=CategoryFactory(slug="smartphones"))
    with django_assert_num_queries(2):
        body = client.get("/api/v1/catalog/models").json()
    assert body["count"] == 10
    assert one  # the same two queries: count and page


def test_openapi_document_is_served(client):
    doc = client.get("/api/openapi.json").json()
    assert "/api/v1/catalog/models" in doc["paths"]
    assert client.get("/api/docs").status_code == 200
