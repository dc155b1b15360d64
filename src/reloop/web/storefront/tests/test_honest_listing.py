"""Issue 16 on the product page and the impact pages: each offer's own CO2e with its range (item 2), and the grade
picker pointing to a better grade for no more money (item 6)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reloop.accounts.tests.factories import UserFactory
from reloop.catalog.grading import BatteryTier, Grade
from reloop.catalog.tests.factories import CategoryFactory, ProductModelFactory, VariantFactory
from reloop.impact.selectors import estimate_for_offer, forget_footprints
from reloop.impact.services import load_footprints
from reloop.offers.tests.factories import make_offer
from reloop.pricing.services import refresh_buy_boxes
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def phone():
    for slug in ("smartphones", "tablets", "laptops", "desktops", "consoles"):
        CategoryFactory(slug=slug, name=slug.title())
    forget_footprints()
    load_footprints()
    variant = VariantFactory(product_model=ProductModelFactory(category=CategoryFactory(slug="smartphones")))
    yield variant
    forget_footprints()


def kg(value: Decimal) -> str:
    """As the page writes it: one decimal at most, none when it is 0 (``{% kg %}``)."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _page(client, variant, query=""):
    return client.get(f"/en-ie/p/{variant.product_model.slug}/{variant.slug}/{query}").content.decode()


def test_each_offer_shows_its_own_co2e_and_range(client, phone):
    home = make_offer(seller=SellerFactory(country="FR"), variant=phone, price=30000, market="en-ie", currency="EUR")
    flown = make_offer(seller=SellerFactory(country="US"), variant=phone, price=31000, market="en-ie", currency="EUR",
                       battery=BatteryTier.NEW)  # fmt: skip
    refresh_buy_boxes(variant_ids=[phone.pk])
    html = _page(client, phone)
    a, b = estimate_for_offer(home, "en-ie"), estimate_for_offer(flown, "en-ie")
    assert a.point != b.point
    assert html.count('data-testid="offer-co2e"') == 2
    assert f"About {kg(a.point)} kg CO2e avoided (between {kg(a.low)} and {kg(a.high)} kg)" in html
    assert f"About {kg(b.point)} kg CO2e avoided (between {kg(b.low)} and {kg(b.high)} kg)" in html
    assert "No new parts fitted" in html


def test_the_grade_picker_points_to_a_cheaper_better_grade_and_says_why(client, phone):
    seller = SellerFactory(country="FR")
    make_offer(seller=seller, variant=phone, grade=Grade.EXCELLENT, price=39600, market="en-ie", currency="EUR")
    make_offer(seller=seller, variant=phone, grade=Grade.FAIR, price=40900, market="en-ie", currency="EUR",
               battery=BatteryTier.NEW)  # fmt: skip
    refresh_buy_boxes(variant_ids=[phone.pk])
    html = _page(client, phone, "?grade=fair")
    assert 'data-testid="better-deal"' in html
    assert "Excellent is cheaper right now: €396.00" in html
    assert "The Fair offer costs more because it has a new battery." in html
    assert "?grade=excellent" in html
    assert 'data-testid="better-deal"' not in _page(client, phone, "?grade=excellent")


def test_the_product_page_costs_the_same_queries_with_one_or_five_offers(client, phone, settings):
    settings.RELOOP_CATALOGUE_CACHE_SECONDS = 0  # every view renders (the footprint table is then read each time too)
    make_offer(seller=SellerFactory(), variant=phone, price=30000, market="en-ie", currency="EUR")
    refresh_buy_boxes(variant_ids=[phone.pk])
    _page(client, phone)
    with CaptureQueriesContext(connection) as one:
        _page(client, phone)
    for n in range(4):
        make_offer(seller=SellerFactory(country=("DE", "US", "JP", "GB")[n]), variant=phone, price=31000 + n,
                   market="en-ie", currency="EUR", battery=BatteryTier.NEW)  # fmt: skip
    refresh_buy_boxes(variant_ids=[phone.pk])
    _page(client, phone)
    with CaptureQueriesContext(connection) as five:
        _page(client, phone)
    assert len(five.captured_queries) == len(one.captured_queries)


def test_my_impact_shows_the_range_of_my_purchases(client, phone):
    from reloop.console.tests.test_impact_ranges import _place

    buyer = UserFactory()
    offer = make_offer(seller=SellerFactory(country="FR"), variant=phone, stock=10, market="en-ie", currency="EUR")
    _place(offer, market="en-ie", quantity=2, buyer=buyer, paid_at=dt.datetime(2026, 3, 5, tzinfo=dt.UTC))
    impact = estimate_for_offer(offer, "en-ie")
    client.force_login(buyer)
    html = client.get("/en-ie/my-impact/").content.decode()
    low, high = (kg(v * 2) for v in (impact.low, impact.high))
    assert f"Between {low} and {high} kg" in html
    platform = client.get("/en-ie/impact/").content.decode()
    assert "data-total-range" in platform
    assert impact.low * 2 <= impact.point * 2 <= impact.high * 2
    assert Decimal(0) < impact.low


# --- Item 5: all-in prices and an honest "vs new" ---------------------------------------------------------


def _us_phone(phone, *, release=dt.date(2017, 9, 22), observed=dt.date(2017, 9, 22)):
    from reloop.catalog.tests.factories import ReferencePriceFactory

    pm = phone.product_model
    pm.release_date = release
    pm.save(update_fields=["release_date"])
    ReferencePriceFactory(variant=phone, market="en-us", amount=69900, currency="USD", observed_on=observed,
                          source="Apple launch price")  # fmt: skip
    make_offer(seller=SellerFactory(country="US"), variant=phone, price=20000, market="en-us", currency="USD")
    refresh_buy_boxes(variant_ids=[phone.pk])
    return f"/en-us/p/{pm.slug}/{phone.slug}/"


def test_us_prices_include_the_estimated_tax_of_the_chosen_state(client, phone):
    from reloop.core import clock

    url = _us_phone(phone)
    with clock.frozen_at(dt.datetime(2026, 12, 6, 12, tzinfo=dt.UTC)):
        html = client.get(url).content.decode()
        assert "$214.50" in html  # $200 + California's 7.25% base rate, free standard delivery
        assert "Prices include estimated sales tax and shipping to California." in html
        response = client.post("/en-us/delivery-state/", {"state": "or", "next": url})
        assert response.status_code == 302
        assert response["Location"] == url
        assert response.cookies["reloop_us_state"].value == "OR"
        html = client.get(url).content.decode()
        assert "$200.00" in html
        assert "shipping to Oregon" in html
        assert client.post("/en-us/delivery-state/", {"state": "XX", "next": url}).status_code == 400
        assert client.post("/en-us/delivery-state/", {"state": "CA", "next": "https://evil.example/"})[
            "Location"
        ].endswith("/en-us/")
        assert client.post("/en-ie/delivery-state/", {"state": "CA"}).status_code == 404


def test_european_prices_say_free_delivery_only_because_it_is(client, phone):
    make_offer(seller=SellerFactory(), variant=phone, price=30000, market="en-ie", currency="EUR")
    refresh_buy_boxes(variant_ids=[phone.pk])
    html = _page(client, phone)
    assert "Prices include VAT. Free standard delivery." in html
    assert "€300.00" in html


def test_an_old_launch_price_is_stated_as_such_with_the_successor(client, phone):
    from reloop.catalog.tests.factories import ReferencePriceFactory
    from reloop.core import clock

    url = _us_phone(phone)
    newer = VariantFactory(product_model=ProductModelFactory(brand=phone.product_model.brand,
                           category=phone.product_model.category, release_date=dt.date(2025, 9, 19)))  # fmt: skip
    ReferencePriceFactory(variant=newer, market="en-us", amount=79900, currency="USD", observed_on=dt.date(2025, 9, 19))
    with clock.frozen_at(dt.datetime(2026, 12, 6, 12, tzinfo=dt.UTC)):
        html = client.get(url).content.decode()
    assert "below the new price" not in html
    assert "This is the launch price of 2017, not what a new one costs today" in html
    assert f"Its successor in our catalogue, the {newer.product_model.title}, launched in 2025 at $799.00." in html


def test_a_recent_launch_price_is_compared_with(client, phone):
    from reloop.core import clock

    url = _us_phone(phone, release=dt.date(2026, 9, 1), observed=dt.date(2026, 9, 1))
    with clock.frozen_at(dt.datetime(2026, 12, 6, 12, tzinfo=dt.UTC)):
        html = client.get(url).content.decode()
    assert "(71% below the new price)" in html  # $200 against $699, on prices before tax
    assert 'data-testid="launch-price-note"' not in html


def test_the_methodology_page_lists_the_per_offer_figures_with_their_sources(client, phone):
    html = client.get("/en-ie/impact/methodology/").content.decode()
    assert 'id="per-offer"' in html
    assert "Interquartile range of the 50 smartphone footprints" in html
    assert "0.10273" in html
    assert "0.57000" in html
    for key in ("ademe-backmarket-2022", "defra-2012-freight", "glec-2023-air", "defra-2007-air"):
        assert f'href="#source-{key}"' in html
        assert f'id="source-{key}"' in html


# --- "Updates until at least <year>" on category and search pages ----------------------------------------


def _listed(brand, name, release, category):
    from reloop.catalog.tests.factories import BrandFactory

    pm = ProductModelFactory(brand=BrandFactory(name=brand, slug=brand.lower()), name=name, category=category,
                             slug=f"{brand}-{name}".lower().replace(" ", "-"), release_date=release)  # fmt: skip
    variant = VariantFactory(product_model=pm)
    make_offer(seller=SellerFactory(), variant=variant, price=30000, market="en-gb", currency="GBP")
    refresh_buy_boxes(variant_ids=[variant.pk])
    return pm


def test_the_updates_filter_counts_models_per_year_and_filters_by_shareable_url(client):
    from reloop.core import clock

    phones = CategoryFactory(slug="smartphones", name="Smartphones")
    pixel = _listed("Google", "Pixel 8", dt.date(2023, 10, 12), phones)  # committed to October 2030
    iphone = _listed("Apple", "iPhone 13", dt.date(2021, 9, 24), phones)  # no commitment published
    with clock.frozen_at(dt.datetime(2026, 12, 6, 12, tzinfo=dt.UTC)):
        html = client.get("/en-gb/c/smartphones/").content.decode()
        assert 'name="updates" value="2030"' in html
        assert "Until at least 2030 <span" in html
        assert 'id="updates-2031"' not in html  # no commitment reaches 2031
        filtered = client.get("/en-gb/c/smartphones/?updates=2029").content.decode()
        bad = client.get("/en-gb/c/smartphones/?updates=nonsense")
    assert f"/p/{pixel.slug}/" in filtered
    assert f"/p/{iphone.slug}/" not in filtered
    assert 'value="2029" checked' in filtered
    assert bad.status_code == 200  # a bad value in a shared link is dropped, the page still shows
    assert f"/p/{iphone.slug}/" in bad.content.decode()


def test_the_updates_facet_costs_the_same_queries_for_one_or_four_models(client, settings):
    from reloop.core import clock

    settings.RELOOP_CATALOGUE_CACHE_SECONDS = 0
    phones = CategoryFactory(slug="smartphones", name="Smartphones")
    _listed("Google", "Pixel 8", dt.date(2023, 10, 12), phones)
    with clock.frozen_at(dt.datetime(2026, 12, 6, 12, tzinfo=dt.UTC)):
        client.get("/en-gb/c/smartphones/?updates=2028")
        with CaptureQueriesContext(connection) as one:
            client.get("/en-gb/c/smartphones/?updates=2028")
        for name, release in (("Pixel 7", dt.date(2022, 10, 13)), ("Pixel 9", dt.date(2024, 8, 22)),
                              ("Pixel 6", dt.date(2021, 10, 28))):  # fmt: skip
            _listed("Google", name, release, phones)
        with CaptureQueriesContext(connection) as four:
            client.get("/en-gb/c/smartphones/?updates=2028")
    assert len(four.captured_queries) == len(one.captured_queries)


def test_us_cards_are_priced_to_the_chosen_state(client):
    from reloop.core import clock

    phones = CategoryFactory(slug="smartphones", name="Smartphones")
    pm = ProductModelFactory(category=phones)
    variant = VariantFactory(product_model=pm)
    make_offer(seller=SellerFactory(country="US"), variant=variant, price=20000, market="en-us", currency="USD")
    refresh_buy_boxes(variant_ids=[variant.pk])
    with clock.frozen_at(dt.datetime(2026, 12, 6, 12, tzinfo=dt.UTC)):
        california = client.get("/en-us/c/smartphones/").content.decode()
        client.post("/en-us/delivery-state/", {"state": "OR", "next": "/en-us/c/smartphones/"})
        oregon = client.get("/en-us/c/smartphones/").content.decode()
    assert "$214.50" in california  # $200 + 7.25%
    assert "shipping to California" in california
    assert "$200.00" in oregon
    assert "$214.50" not in oregon
    assert "shipping to Oregon" in oregon
