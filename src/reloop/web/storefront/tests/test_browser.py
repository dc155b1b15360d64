"""A buyer walks the storefront in a real browser (headless Debian Chromium driven by Playwright).

Screenshots land in var/screenshots/ for a person to look at.
"""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.VAR_DIR) / "screenshots"


@pytest.fixture
def catalogue():
    call_command("seed", stdout=StringIO(), stderr=StringIO())


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_buyer_walks_home_to_category_to_product_and_switches_market(live_server, page, catalogue):
    from playwright.sync_api import expect

    # Home: categories and popular models, in pounds for the UK market
    page.goto(f"{live_server.url}/en-gb/")
    expect(page.get_by_role("heading", name="Refurbished tech you can trust")).to_be_visible()
    expect(page.get_by_role("heading", name="Shop by category")).to_be_visible()
    shot(page, "home-en-gb")

    # Category: the smartphones tile leads to a filterable list
    page.locator(".category-grid").get_by_role("link", name="Smartphones").click()
    expect(page.get_by_role("heading", name="Refurbished Smartphones")).to_be_visible()
    total = page.locator(".result-count").inner_text()
    page.get_by_role("checkbox", name=re.compile(r"^Fairphone")).check()  # HTMX swaps the results in place
    expect(page.locator(".result-count")).not_to_have_text(total)
    expect(page).to_have_url(re.compile(r"brand=fairphone"))
    cards = page.locator(".card-grid .card")
    expect(cards.first).to_contain_text("Fairphone")
    assert all("Fairphone" in text for text in cards.all_inner_texts())
    shot(page, "category-smartphones-fairphone")

    # Product: variant picker, reference price with its source, impact with the method one click away
    page.get_by_role("link", name=re.compile("Fairphone 4")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Fairphone 4")
    expect(page.locator(".new-price")).to_contain_text("£")
    expect(page.locator(".panel .source")).to_contain_text("Source:")
    expect(page.locator(".impact")).to_contain_text("kg CO2e avoided")
    storage = page.locator("fieldset.axis", has_text="Storage")
    if storage.count():
        other = storage.locator("a.choice:not(.selected)").first
        label = other.inner_text()
        other.click()
        expect(page.locator(".variant-label")).to_contain_text(label)
    shot(page, "product-fairphone-4")

    # The market switcher shows the same product in France, in euros and in French
    page.locator(".market-switcher summary").click()
    page.get_by_role("link", name=re.compile("France")).click()
    expect(page).to_have_url(re.compile(r"/fr-fr/p/fairphone-4/"))
    expect(page.locator(".new-price")).to_contain_text("€")
    expect(page.locator("html")).to_have_attribute("lang", "fr-FR")
    expect(page.get_by_role("button", name="Rechercher")).to_be_visible()
    shot(page, "product-fairphone-4-fr-fr")

    # The method behind the figure, with its sources
    page.get_by_role("link", name=re.compile("calcul", re.IGNORECASE)).first.click()
    expect(page.locator("ol.sources li").first).to_be_visible()


def test_storefront_works_on_a_phone_screen(live_server, browser, catalogue):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/en-gb/c/laptops/")
    expect(page.get_by_role("heading", name="Refurbished Laptops")).to_be_visible()
    # nothing wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "category-laptops-mobile")
    context.close()


def test_buyer_picks_a_grade_and_sees_price_and_seller_change(live_server, page, catalogue):
    from playwright.sync_api import expect

    from reloop.pricing.models import BuyBoxSnapshot

    # Given a variant whose grades are won by different sellers at different prices in the UK
    by_variant: dict[int, list[BuyBoxSnapshot]] = {}
    for snap in BuyBoxSnapshot.objects.filter(market="en-gb").select_related(
        "winner__seller", "variant__product_model"
    ):
        by_variant.setdefault(snap.variant_id, []).append(snap)
    snaps = next(
        s for s in by_variant.values() if len({x.winner.seller_id for x in s}) > 1 and len({x.price for x in s}) > 1
    )
    first, other = snaps[0], next(s for s in snaps[1:] if s.winner.seller_id != snaps[0].winner.seller_id)
    variant = first.variant
    page.goto(f"{live_server.url}/en-gb/p/{variant.product_model.slug}/{variant.slug}/?grade={first.grade}")
    price, seller = page.get_by_test_id("buy-box-price"), page.get_by_test_id("buy-box-seller")
    expect(seller).to_have_text(first.winner.seller.name)
    before = price.inner_text()

    # When the buyer picks the other grade
    page.locator(".grade-choices").get_by_role("link", name=re.compile(other.get_grade_display())).click()

    # Then the buy box shows that grade's winning seller and price
    expect(seller).to_have_text(other.winner.seller.name)
    expect(price).not_to_have_text(before)
    expect(page.locator(".grade-choice.selected")).to_contain_text(other.get_grade_display())
    shot(page, "product-grade-picked")
