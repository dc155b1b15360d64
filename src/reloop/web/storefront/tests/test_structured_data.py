"""Product pages carry schema.org Product / Offer / AggregateRating JSON-LD with the required properties."""

from __future__ import annotations

import json
import re

import pytest

from reloop.catalog.grading import Grade
from reloop.catalog.models import Variant
from reloop.catalog.tests.factories import make_models
from reloop.offers.tests.factories import make_offer
from reloop.pricing.services import refresh_buy_boxes
from reloop.reviews.models import ProductRatingSummary
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db

#: What schema.org (and Google's product snippets) require of each type we publish.
REQUIRED = {
    "Product": {"@context", "@type", "name"},
    "Offer": {"@type", "price", "priceCurrency", "availability", "itemCondition"},
    "AggregateRating": {"@type", "ratingValue", "reviewCount"},
    "Brand": {"@type", "name"},
    "Organization": {"@type", "name"},
}


def _jsonld(html: str) -> dict:
    (block,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(block)


def _check(node: dict) -> None:
    missing = REQUIRED[node["@type"]] - set(node)
    assert not missing, (node["@type"], missing)
    for value in node.values():
        if isinstance(value, dict) and "@type" in value:
            _check(value)


def test_product_offer_and_rating(client):
    make_models(1)
    variant = Variant.objects.select_related("product_model__brand").order_by("pk").first()
    seller = SellerFactory(quality_score=100, name="Refurb & <Co>")
    make_offer(seller=seller, variant=variant, grade=Grade.GOOD, price=29900)
    refresh_buy_boxes(variant_ids=[variant.pk])
    ProductRatingSummary.objects.create(product_model=variant.product_model, review_count=4, rating_sum=18)
    html = client.get(f"/en-gb/p/{variant.product_model.slug}/{variant.slug}/?grade=good").content.decode()
    data = _jsonld(html)
    _check(data)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Product"
    assert data["offers"]["price"] == "299.00"
    assert data["offers"]["priceCurrency"] == "GBP"
    assert data["offers"]["itemCondition"] == "https://schema.org/RefurbishedCondition"
    assert data["offers"]["seller"]["name"] == "Refurb & <Co>"  # escaped in HTML, intact in JSON
    assert data["aggregateRating"]["ratingValue"] == "4.5"
    assert data["aggregateRating"]["reviewCount"] == 4
    assert "<Co></script>" not in html


def test_without_offer_or_rating_only_the_product(client):
    make_models(1)
    variant = Variant.objects.select_related("product_model").order_by("pk").first()
    data = _jsonld(client.get(f"/en-gb/p/{variant.product_model.slug}/{variant.slug}/").content.decode())
    _check(data)
    assert "offers" not in data
    assert "aggregateRating" not in data


def test_a_game_page_explains_grades_for_games(client):
    from reloop.catalog.tests.factories import CategoryFactory

    make_models(1, category=CategoryFactory(slug="video-games", name="Video games"))
    variant = Variant.objects.select_related("product_model").order_by("pk").first()
    html = client.get(f"/en-gb/p/{variant.product_model.slug}/{variant.slug}/").content.decode()
    assert "original case" in html
    assert "body marks invisible from 20 cm" not in html
