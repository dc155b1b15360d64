"""Software-support horizons on the product page and the cards (issue 16, item 3; data: catalog.support)."""

from __future__ import annotations

import datetime as dt

import pytest

from reloop.catalog.tests.factories import BrandFactory, CategoryFactory, ProductModelFactory, VariantFactory
from reloop.core import clock
from reloop.markets.registry import get_market
from reloop.web.cards import CardLabels, model_card


def product(brand: str, name: str, release: dt.date, category: str = "smartphones"):
    pm = ProductModelFactory(
        brand=BrandFactory(name=brand, slug=brand.lower()),
        name=name,
        slug=f"{brand}-{name}".lower().replace(" ", "-"),
        release_date=release,
        category=CategoryFactory(slug=category, name=category.title()),
    )
    return VariantFactory(product_model=pm)


@pytest.mark.django_db
def test_the_product_page_shows_the_committed_horizon_with_its_source(client):
    variant = product("Google", "Pixel 8", dt.date(2023, 10, 12))
    with clock.frozen_at(dt.datetime(2026, 12, 6, 12, tzinfo=dt.UTC)):
        html = client.get(f"/en-gb/p/{variant.product_model.slug}/{variant.slug}/").content.decode()
    assert 'data-testid="support-horizon"' in html
    assert "Until at least October 2030" in html
    assert "https://support.google.com/pixelphone/answer/4457705" in html


@pytest.mark.django_db
def test_the_product_page_says_when_there_is_no_commitment_or_when_it_ended(client):
    iphone = product("Apple", "iPhone 13", dt.date(2021, 9, 24))
    pixel5 = product("Google", "Pixel 5", dt.date(2020, 10, 29))
    with clock.frozen_at(dt.datetime(2026, 12, 6, 12, tzinfo=dt.UTC)):
        html = client.get(f"/en-gb/p/{iphone.product_model.slug}/{iphone.slug}/").content.decode()
        ended = client.get(f"/en-gb/p/{pixel5.product_model.slug}/{pixel5.slug}/").content.decode()
    assert "No commitment published: Apple has not published" in html
    assert "Until at least" not in html
    assert "commitment ended in October 2023" in ended


@pytest.mark.django_db
def test_a_category_without_software_updates_says_nothing(client):
    mouse = product("Logitech", "MX Master 3S", dt.date(2022, 5, 1), category="mice")
    html = client.get(f"/en-gb/p/{mouse.product_model.slug}/{mouse.slug}/").content.decode()
    assert 'data-testid="support-horizon"' not in html


@pytest.mark.django_db
def test_cards_show_the_year_only_while_the_commitment_runs():
    pixel8 = product("Google", "Pixel 8", dt.date(2023, 10, 12)).product_model
    pixel5 = product("Google", "Pixel 5", dt.date(2020, 10, 29)).product_model
    with clock.frozen_at(dt.datetime(2026, 12, 6, 12, tzinfo=dt.UTC)):
        labels = CardLabels.current()
        market = get_market("en-gb")
        assert "2023 · Security updates until 2030" in model_card(pixel8, market, labels)
        assert "Security updates" not in model_card(pixel5, market, labels)
