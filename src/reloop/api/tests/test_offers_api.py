"""Public offer API: buy box per grade and the ranked list of offers for a variant and market."""

from __future__ import annotations

import pytest

from reloop.catalog.grading import Grade
from reloop.catalog.tests.factories import VariantFactory
from reloop.offers.tests.factories import make_offer
from reloop.sellers.models import Standing
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def variant(django_capture_on_commit_callbacks):
    variant = VariantFactory()
    with django_capture_on_commit_callbacks(execute=True):
        make_offer(seller=SellerFactory(name="Alpha", slug="alpha"), variant=variant, price=30000)
        make_offer(seller=SellerFactory(name="Beta", slug="beta"), variant=variant, price=28000)
        make_offer(
            seller=SellerFactory(name="Gamma", slug="gamma"), variant=variant, price=40000, grade=Grade.EXCELLENT
        )
        make_offer(
            seller=SellerFactory(name="Banned", slug="banned", standing=Standing.SUSPENDED), variant=variant, price=100
        )
    return variant


def test_buy_box_per_grade(client, variant):
    body = client.get(f"/api/v1/catalog/variants/{variant.pk}/buybox?market=en-gb").json()
    grades = {g["grade"]: g for g in body["grades"]}
    assert [g["grade"] for g in body["grades"]] == ["premium", "excellent", "good", "fair"]
    assert (grades["good"]["price"], grades["good"]["offer_count"], grades["good"]["offer"]["seller"]["slug"]) == (
        28000,
        2,
        "beta",
    )
    assert grades["good"]["offer"]["formatted_price"] == "£280.00"
    assert grades["excellent"]["offer"]["seller"]["name"] == "Gamma"
    assert grades["premium"] == {"grade": "premium", "offer_count": 0, "price": None, "offer": None}


def test_offer_list_is_ranked_and_excludes_suspended_sellers(client, variant):
    body = client.get(f"/api/v1/catalog/variants/{variant.pk}/offers?market=en-gb&grade=good").json()
    assert body["count"] == 2
    assert [o["seller"]["slug"] for o in body["items"]] == ["beta", "alpha"]


def test_a_market_without_offers_has_empty_grades(client, variant):
    body = client.get(f"/api/v1/catalog/variants/{variant.pk}/buybox?market=fr-fr").json()
    assert body["currency"] == "EUR"
    assert all(g["offer"] is None for g in body["grades"])


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/variants/0/buybox", 404, "variant_not_found"),
        ("/variants/{v}/buybox?market=xx", 404, "unknown_market"),
        ("/variants/{v}/offers?grade=mint", 422, "invalid_input"),
        ("/variants/{v}/offers", 422, "invalid_input"),
        ("/variants/abc/buybox", 422, "invalid_input"),
    ],
)
def test_bad_requests_get_a_4xx_with_a_code(client, variant, path, status, code):
    response = client.get("/api/v1/catalog" + path.format(v=variant.pk))
    assert (response.status_code, response.json()["code"]) == (status, code)
