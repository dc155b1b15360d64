"""A buyer types the way people type, picks a suggestion, narrows by grade and sets a price alert, in a real
browser (headless Debian Chromium through Playwright). Screenshots land in var/screenshots/."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail

from reloop.catalog.grading import Grade
from reloop.catalog.tests.factories import BrandFactory, CategoryFactory, ProductModelFactory, VariantFactory
from reloop.offers.tests.factories import make_offer
from reloop.pricing.services import refresh_buy_boxes
from reloop.search.models import PriceAlert
from reloop.search.services import index_models
from reloop.sellers.tests.factories import SellerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.VAR_DIR) / "screenshots"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


@pytest.fixture
def iphones():
    category = CategoryFactory(slug="smartphones", name="Smartphones")
    apple = BrandFactory(name="Apple", slug="apple")
    seller = SellerFactory(quality_score=100)
    ids = []
    for name in ("iPhone 13", "iPhone 13 Pro", "iPhone 12"):
        pm = ProductModelFactory(
            category=category,
            brand=apple,
            name=name,
            slug=f"apple-{name.lower().replace(' ', '-')}",
            release_date=dt.date(2021, 9, 24),
        )
        for gb in (128, 256):
            v = VariantFactory(product_model=pm, storage_gb=gb, colour="Midnight", slug=f"{gb}gb-midnight")
            make_offer(seller=seller, variant=v, grade=Grade.GOOD, price=30000 + gb * 10)
            make_offer(seller=SellerFactory(quality_score=100), variant=v, grade=Grade.EXCELLENT, price=36000 + gb)
            ids.append(v.pk)
    refresh_buy_boxes(variant_ids=ids)
    index_models()


def test_type_a_typo_pick_a_suggestion_choose_a_grade_and_set_a_price_alert(live_server, page, iphones):
    from playwright.sync_api import expect

    page.set_default_timeout(30_000)  # a loaded CI machine; nothing here waits on a timer
    page.goto(f"{live_server.url}/en-gb/c/smartphones/")
    box = page.locator("#site-search")
    box.press_sequentially("ipone 13 256", delay=20)
    # The suggestions list opens under the box (combobox pattern) with the model at 256 GB first
    options = page.locator("#search-suggestions [role=option]")
    expect(options.first).to_contain_text("Apple iPhone 13")
    expect(box).to_have_attribute("aria-expanded", "true")
    shot(page, "search-autocomplete")
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", "suggestion-1")
    box.press("Enter")
    # The product page of the 256 GB variant
    expect(page).to_have_url(re.compile(r"/en-gb/p/apple-iphone-13/256gb-midnight/"))
    # Choose a grade
    page.locator(".grade-choices").get_by_role("link", name=re.compile("Excellent")).click()
    expect(page).to_have_url(re.compile(r"grade=excellent"))
    expect(page.locator("[data-testid=buy-box-price]")).to_have_text("£362.56")
    shot(page, "search-product-excellent")
    # Set a price alert for that grade as a visitor: double opt-in by email
    page.get_by_role("link", name="Set a price alert").click()
    page.get_by_label("Your email").fill("visitor@example.com")
    expect(page.get_by_label("Grade")).to_have_value("excellent")
    page.get_by_label(re.compile("Email me when the price")).fill("340")
    shot(page, "search-price-alert-form")
    page.get_by_role("button", name="Set the alert").click()
    expect(page.locator(".messages")).to_contain_text("confirm your address")
    alert = PriceAlert.objects.get()
    assert (alert.email, alert.grade, alert.target_price, alert.market) == (
        "visitor@example.com",
        "excellent",
        34000,
        "en-gb",
    )
    assert alert.variant.slug == "256gb-midnight"
    assert len(mail.outbox) == 1
    shot(page, "search-price-alert-saved")
