"""The storefront on a phone 375 px wide (issue 17 item 6), in headless Chromium: the header on one row, a buy bar
with the price and "Add to cart" on the product page's first screen, the category filters folded behind a button
(a <details>, so it works without script) while wide screens show them unfolded. Screenshots: var/screenshots/."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.VAR_DIR) / "screenshots"
PHONE = {"width": 375, "height": 667}  # an iPhone SE: the smallest common screen


@pytest.fixture
def catalogue():
    call_command("seed", stdout=StringIO(), stderr=StringIO())


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    yield context.new_page()
    context.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def box(page, selector: str) -> dict:
    found = page.locator(selector).first.bounding_box()
    assert found is not None, f"{selector} is not shown"
    return found


def assert_pictures_inside_their_cards(page) -> None:
    """Every card's picture or drawing stays within its card (it once spilled over the card's top edge)."""
    spills = page.evaluate(
        "Array.from(document.querySelectorAll('.card')).slice(0, 8).flatMap(card => {"
        " const c = card.getBoundingClientRect();"
        " return Array.from(card.querySelectorAll('.card-art svg, .card-art img')).filter(art => {"
        "  const a = art.getBoundingClientRect();"
        "  return a.top < c.top || a.bottom > c.bottom || a.left < c.left || a.right > c.right; }).length; })"
    )
    assert not any(spills), spills


def test_the_header_is_one_row_and_nothing_is_wider_than_the_phone(live_server, phone, catalogue):
    for home in ("/en-gb/", "/de-de/", "/fr-fr/"):  # longer words in German and French
        phone.goto(f"{live_server.url}{home}")
        tops = phone.evaluate(
            "Array.from(document.querySelectorAll('.header-row > *'))"
            ".map(e => Math.round(e.getBoundingClientRect().top))"
        )
        row = box(phone, ".header-row")
        assert row["height"] < 64, (home, row)
        assert max(tops) - min(tops) < 16, (home, tops)  # logo, search, market, cart and account side by side
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], home
    phone.goto(f"{live_server.url}/en-gb/")
    # Search, market and account keep their names for screen readers while their words are hidden
    assert phone.get_by_role("button", name="Search").is_visible()
    assert phone.get_by_role("link", name="Reloop home").is_visible()


def test_the_product_page_has_add_to_cart_on_its_first_screen(live_server, phone, catalogue):
    from playwright.sync_api import expect

    phone.goto(f"{live_server.url}/en-gb/p/fairphone-4/")
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Fairphone 4")
    bar = phone.locator(".buy-bar")
    expect(bar).to_be_visible()
    where = box(phone, ".buy-bar button")
    assert where["y"] + where["height"] <= PHONE["height"], where
    price = phone.locator("[data-testid=buy-box-price]").inner_text()
    expect(bar.locator(".buy-bar-price")).to_have_text(price)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "product-fairphone-4-phone-375")

    # The bar steps aside where the buy box's own button shows, and comes back when scrolled past
    phone.locator("#add-to-cart button").scroll_into_view_if_needed()
    expect(bar).to_be_hidden()
    phone.evaluate("window.scrollTo(0, 0)")
    expect(bar).to_be_visible()

    bar.get_by_role("button", name="Add to cart").click()
    expect(phone).to_have_url(re.compile(r"/en-gb/cart/$"))
    expect(phone.locator("li.cart-line")).to_have_count(1)
    expect(phone.locator("[data-testid=cart-count]")).to_contain_text("1")


def test_category_filters_are_folded_on_a_phone_and_stay_open_while_used(live_server, phone, catalogue):
    from playwright.sync_api import expect

    phone.goto(f"{live_server.url}/en-gb/c/smartphones/")
    fold = phone.locator("details.filter-fold")
    summary = fold.locator("summary")
    expect(summary).to_be_visible()
    expect(phone.get_by_role("group", name="Brand")).to_be_hidden()
    results = box(phone, ".card-grid .card")
    assert results["y"] < PHONE["height"], results  # the first results show without scrolling past filters
    assert_pictures_inside_their_cards(phone)
    count = box(phone, ".result-count")
    assert count["y"] + count["height"] <= results["y"], (count, results)  # the count is not hidden under a card
    shot(phone, "category-smartphones-phone-375")

    summary.click()
    expect(phone.get_by_role("group", name="Brand")).to_be_visible()
    total = phone.locator(".result-count").inner_text()
    phone.get_by_role("checkbox", name=re.compile(r"^Fairphone")).check()  # HTMX swaps filters and results
    expect(phone.locator(".result-count")).not_to_have_text(total)
    expect(phone.get_by_role("group", name="Brand")).to_be_visible()  # still unfolded after the swap
    shot(phone, "category-smartphones-phone-375-filters")


def test_wide_screens_show_the_filters_unfolded(live_server, page, catalogue):
    from playwright.sync_api import expect

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/en-gb/c/smartphones/")
    expect(page.locator("details.filter-fold summary")).to_be_hidden()
    expect(page.get_by_role("group", name="Brand")).to_be_visible()
    # Two columns: the results start beside the filters, at the top, not under them
    filters, first = box(page, ".filters"), box(page, ".card-grid .card")
    assert first["x"] >= filters["x"] + filters["width"], (filters, first)
    assert first["y"] < 900, first
    assert_pictures_inside_their_cards(page)
    expect(page.locator(".buy-bar")).to_have_count(0)
