"""The battery-tier facet on category and search pages: works without JavaScript (a GET form), the card links to the
tier it priced, and a change to an offer that wins no buy box still reaches the cached page."""

from __future__ import annotations

import pytest

from reloop.catalog.grading import BatteryTier, Grade
from reloop.catalog.tests.factories import BrandFactory, CategoryFactory, ProductModelFactory, VariantFactory
from reloop.core.money import Money
from reloop.offers.services import set_offer_prices
from reloop.offers.tests.factories import make_offer
from reloop.pricing.services import refresh_buy_boxes
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def phone():
    category = CategoryFactory(slug="smartphones", name="Smartphones", battery_min_health=80)
    pm = ProductModelFactory(
        category=category, brand=BrandFactory(name="Acme", slug="acme"), name="One", slug="acme-one"
    )
    variant = VariantFactory(product_model=pm, storage_gb=128, colour="Black", slug="128gb-black")
    cheap = make_offer(seller=SellerFactory(quality_score=100), variant=variant, grade=Grade.GOOD, price=20000)
    high = make_offer(
        seller=SellerFactory(quality_score=100),
        variant=variant,
        grade=Grade.GOOD,
        price=26000,
        battery=BatteryTier.HIGH,
    )
    refresh_buy_boxes(variant_ids=[variant.pk])
    return category, pm, cheap, high


def test_the_facet_counts_tiers_and_a_chosen_tier_prices_and_links_the_card(client, phone):
    category, pm, _, _ = phone
    html = client.get(f"/en-gb/c/{category.slug}/").content.decode()
    assert "<legend>Battery</legend>" in html
    assert 'name="battery" value="high"' in html
    assert 'High capacity (90% or more) <span class="muted">(1)</span>' in html
    assert 'id="battery-new" name="battery" value="new" disabled' in html  # no offer: nothing to click
    html = client.get(f"/en-gb/c/{category.slug}/?battery=high").content.decode()
    assert "£260.00" in html
    assert "£200.00" not in html
    assert f'href="/en-gb/p/{pm.slug}/128gb-black/?grade=good&amp;battery=high"' in html
    assert 'id="battery-high" name="battery" value="high" checked' in html


def test_an_unknown_tier_in_a_shared_link_is_dropped(client, phone):
    category, *_ = phone
    response = client.get(f"/en-gb/c/{category.slug}/?battery=%00bogus")
    assert response.status_code == 200
    assert "£200.00" in response.content.decode()


def test_a_non_winning_offer_change_reaches_the_cached_tier_page(client, phone, django_capture_on_commit_callbacks):
    category, _, _, high = phone
    assert "£260.00" in client.get(f"/en-gb/c/{category.slug}/?battery=high").content.decode()
    # the high-capacity offer is not the buy box (the standard one is cheaper): its price change moves no summary
    with django_capture_on_commit_callbacks(execute=True):
        set_offer_prices(seller=high.seller, offer_id=high.pk, prices={"en-gb": Money(24000, "GBP")})
    html = client.get(f"/en-gb/c/{category.slug}/?battery=high").content.decode()
    assert "£240.00" in html
    assert "£260.00" not in html
