"""Colour names and titles as the maker gives them, on the fr-fr product page, cards and colour facet; the filter
value in the URL stays the catalogue's English name, so shared links work across languages."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from reloop.catalog.grading import Grade
from reloop.catalog.tests.factories import BrandFactory, CategoryFactory, ProductModelFactory, VariantFactory
from reloop.core.money import Money
from reloop.offers.tests.factories import make_offer
from reloop.pricing.services import refresh_buy_boxes
from reloop.search.services import index_models
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def iphone():
    category = CategoryFactory(slug="smartphones", name="Smartphones", names={"fr": "Smartphones"})
    pm = ProductModelFactory(category=category, brand=BrandFactory(name="Apple", slug="apple"), name="iPhone 13")
    midnight = VariantFactory(product_model=pm, storage_gb=128, colour="Midnight", slug="128gb-midnight")
    VariantFactory(product_model=pm, storage_gb=128, colour="Starlight", slug="128gb-starlight")
    seller = SellerFactory(quality_score=100)
    prices = {"fr-fr": Money(40000, "EUR"), "de-de": Money(40000, "EUR"), "en-gb": Money(40000, "GBP")}
    make_offer(seller=seller, variant=midnight, grade=Grade.GOOD, prices=prices)
    refresh_buy_boxes(variant_ids=[midnight.pk])
    index_models()
    return category, pm


def test_the_fr_product_page_shows_apples_french_colour_names(client, iphone):
    _, pm = iphone
    html = client.get(f"/fr-fr/p/{pm.slug}/128gb-midnight/").content.decode()
    assert "Minuit" in html
    assert "Lumière stellaire" in html  # the other colour in the picker
    assert ">Midnight<" not in html
    english = client.get(f"/en-gb/p/{pm.slug}/128gb-midnight/").content.decode()
    assert "Midnight" in english
    assert "Minuit" not in english


def test_fr_cards_and_colour_facet_are_translated_with_english_filter_values(client, iphone):
    category, _ = iphone
    html = client.get(f"/fr-fr/c/{category.slug}/").content.decode()
    assert "iPhone 13, Minuit" in html  # the card's picture, described in French
    assert 'name="colour" value="Midnight"' in html  # the URL keeps the catalogue's name
    assert 'Minuit <span class="muted">' in html
    filtered = client.get(f"/fr-fr/c/{category.slug}/?colour=Midnight").content.decode()
    assert "400,00" in filtered
    german = client.get(f"/de-de/c/{category.slug}/").content.decode()
    assert "Mitternacht" in german


def test_a_french_colour_name_finds_the_model(client, iphone):
    _, pm = iphone
    with translation.override("fr-fr"):
        url = reverse("web:search")
    html = client.get(f"{url}?q=iphone+minuit").content.decode()
    assert f"/fr-fr/p/{pm.slug}/" in html
