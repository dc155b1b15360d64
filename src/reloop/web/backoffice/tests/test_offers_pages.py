"""What buyers see of offers: grade picker, buy box, other offers, savings; in a constant number of queries."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.cache import cache

from reloop.catalog.grading import BatteryTier, Grade
from reloop.catalog.tests.factories import CategoryFactory, ProductModelFactory, ReferencePriceFactory, VariantFactory
from reloop.core import clock
from reloop.core.money import Money
from reloop.offers.services import set_offer_prices, set_stock
from reloop.offers.tests.factories import make_offer
from reloop.sellers.tests.factories import SellerFactory
from reloop.web.tests.helpers import queries_for

# Real commits, so buy boxes refresh on commit exactly as they do after a request.
pytestmark = pytest.mark.django_db(transaction=True)


def product_with_offers(n: int, *, grade=Grade.GOOD):
    variant: Any = VariantFactory(product_model=ProductModelFactory(category=CategoryFactory(slug="smartphones")))
    ReferencePriceFactory(variant=variant, market="en-gb", amount=70000)
    for i in range(n):
        make_offer(
            seller=SellerFactory(name=f"Seller {variant.pk}-{i}"), variant=variant, price=30000 + i * 100, grade=grade
        )
    return variant


def url(variant, query=""):
    return f"/en-gb/p/{variant.product_model.slug}/{variant.slug}/{query}"


def test_product_page_runs_the_same_queries_with_1_and_50_offers(client):
    one, fifty = product_with_offers(1), product_with_offers(50)
    n_one, _ = queries_for(client, url(one))
    n_fifty, response = queries_for(client, url(fifty))
    assert n_one == n_fifty
    assert response.content.count(b'class="offer-row"') == 49


def test_buy_box_shows_price_seller_terms_and_labelled_savings(client):
    variant = product_with_offers(3)
    # the reference is a launch price of 7 September 2022: within a year of it, it stands for the price new
    with clock.frozen_at(dt.datetime(2023, 3, 1, 12, tzinfo=dt.UTC)):
        html = client.get(url(variant)).content.decode()
    assert 'data-testid="buy-box-price">£300.00' in html
    assert f'data-testid="buy-box-seller">Seller {variant.pk}-0' in html
    assert "£400.00 less than new (57% below the new price)" in html
    assert "Reference price new" in html
    assert "Source: Manufacturer launch price" in html
    assert "<s>" not in html  # a labelled comparison, never a struck-through price
    assert "<del>" not in html
    assert "2 other offers" in html
    assert "margin scheme" in html
    cache.clear()  # the page is cached for minutes; a new day may change the comparison after that
    with clock.frozen_at(dt.datetime(2026, 12, 6, 12, tzinfo=dt.UTC)):  # four years on: stated, no percentage
        later = client.get(url(variant)).content.decode()
    assert "below the new price" not in later
    assert "This is the launch price of 2022, not what a new one costs today" in later


def test_grade_picker_disables_grades_without_offers_and_switches_grade(client):
    variant = product_with_offers(1)
    excellent = make_offer(seller=SellerFactory(name="Shiny Ltd"), variant=variant, grade=Grade.EXCELLENT, price=36000)
    page = client.get(url(variant)).content.decode()
    assert page.count('aria-disabled="true"') == 2  # premium and fair
    assert 'aria-current="true">\n            <span class="grade-name">Good</span>' in page
    picked = client.get(url(variant, "?grade=excellent")).content.decode()
    assert 'data-testid="buy-box-price">£360.00' in picked
    assert 'data-testid="buy-box-seller">Shiny Ltd' in picked
    assert excellent.pk


def test_battery_choice_appears_only_when_offers_differ(client):
    variant = product_with_offers(1)
    html = client.get(url(variant)).content.decode()
    assert "<legend>Battery</legend>" not in html
    make_offer(seller=SellerFactory(name="Fresh Cells"), variant=variant, battery=BatteryTier.NEW, price=34000)
    html = client.get(url(variant)).content.decode()
    assert "<legend>Battery</legend>" in html
    chosen = client.get(url(variant, "?grade=good&battery=new")).content.decode()
    assert 'data-testid="buy-box-seller">Fresh Cells' in chosen


def test_a_price_change_through_the_service_shows_at_once(client):
    variant = product_with_offers(2)
    second = variant.offers.order_by("pk").last()
    set_offer_prices(seller=second.seller, offer_id=second.pk, prices={"en-gb": Money(25000, "GBP")})
    html = client.get(url(variant)).content.decode()
    assert 'data-testid="buy-box-price">£250.00' in html


def test_no_offer_in_the_market_says_so(client):
    variant = product_with_offers(1)
    html = client.get(f"/en-us/p/{variant.product_model.slug}/{variant.slug}/").content.decode()
    assert "No refurbished offer for this variant in this market right now." in html


def test_category_page_shows_lowest_price_per_grade_in_constant_queries(client):
    category = CategoryFactory(slug="tablets", name="Tablets")
    counts = []
    for n in (1, 10):
        for i in range(n if not counts else n - 1):
            v = VariantFactory(product_model=ProductModelFactory(category=category))
            make_offer(seller=SellerFactory(), variant=v, price=20000 + i, grade=Grade.GOOD)
            make_offer(seller=SellerFactory(), variant=v, price=26000 + i, grade=Grade.EXCELLENT)
        count, response = queries_for(client, "/en-gb/c/tablets/")
        counts.append(count)
    assert counts[0] == counts[1]
    assert response.content.count(b'class="card"') == 10
    html = response.content.decode()
    assert "From</span> £200.00" in html
    assert "Excellent £260.00" in html


def test_category_page_filters_by_grade_and_sorts_by_price(client):
    category = CategoryFactory(slug="tablets", name="Tablets")
    cheap = VariantFactory(product_model=ProductModelFactory(category=category, name="Cheap"))
    dear = VariantFactory(product_model=ProductModelFactory(category=category, name="Dear"))
    VariantFactory(product_model=ProductModelFactory(category=category, name="Nothing"))
    make_offer(seller=SellerFactory(), variant=cheap, price=10000, grade=Grade.FAIR)
    make_offer(seller=SellerFactory(), variant=dear, price=50000, grade=Grade.GOOD)

    by_price = [m.name for m in client.get("/en-gb/c/tablets/?sort=price").context["page"].object_list]
    assert by_price == ["Cheap", "Dear", "Nothing"]  # no offer: last
    by_price_desc = [m.name for m in client.get("/en-gb/c/tablets/?sort=-price").context["page"].object_list]
    assert by_price_desc == ["Dear", "Cheap", "Nothing"]
    good_only = [m.name for m in client.get("/en-gb/c/tablets/?grade=good").context["page"].object_list]
    assert good_only == ["Dear"]


def test_cached_product_page_follows_price_and_stock_changes(client, settings):
    settings.RELOOP_CATALOGUE_CACHE_SECONDS = 300
    variant = product_with_offers(1)
    offer = variant.offers.get()
    first = client.get(url(variant)).content.decode()  # warms the cache
    assert 'data-testid="buy-box-price">£300.00' in first
    assert "Only" not in first

    set_offer_prices(seller=offer.seller, offer_id=offer.pk, prices={"en-gb": Money(27500, "GBP")})
    assert 'data-testid="buy-box-price">£275.00' in client.get(url(variant)).content.decode()

    set_stock(seller=offer.seller, offer_id=offer.pk, stock=2)  # no buy box moves, but the page shows stock
    assert "Only 2 left" in client.get(url(variant)).content.decode()

    set_stock(seller=offer.seller, offer_id=offer.pk, stock=0)
    assert "No refurbished offer for this variant" in client.get(url(variant)).content.decode()


def test_cached_category_page_follows_price_changes(client, settings):
    settings.RELOOP_CATALOGUE_CACHE_SECONDS = 300
    variant = product_with_offers(1)
    offer = variant.offers.get()
    assert "£300.00" in client.get("/en-gb/c/smartphones/").content.decode()
    set_offer_prices(seller=offer.seller, offer_id=offer.pk, prices={"en-gb": Money(26000, "GBP")})
    html = client.get("/en-gb/c/smartphones/").content.decode()
    assert "£260.00" in html
    assert "£300.00" not in html


def test_cache_keys_ignore_unknown_parameters(client):
    variant = product_with_offers(1)

    def main(html: str) -> str:  # the CSRF token differs per request; everything else must not
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html.split('<main id="main"')[1])

    plain = client.get(url(variant)).content.decode()
    noisy = client.get(url(variant, "?grade=<script>&utm_source=x&battery=zz")).content.decode()
    assert main(plain) == main(noisy)
    assert "<script>" not in noisy.split('<main id="main"')[1]


def test_vat_note_follows_the_market(client):
    variant = product_with_offers(0)
    make_offer(
        seller=SellerFactory(),
        variant=variant,
        prices={"en-gb": Money(30000, "GBP"), "ja-jp": Money(45000, "JPY"), "en-us": Money(35000, "USD")},
    )
    assert "margin scheme" in client.get(url(variant)).content.decode()
    assert "Tax included." in client.get(f"/ja-jp/p/{variant.product_model.slug}/{variant.slug}/").content.decode()
    assert (
        "Sales tax, where due" in client.get(f"/en-us/p/{variant.product_model.slug}/{variant.slug}/").content.decode()
    )
