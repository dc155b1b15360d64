"""A seller imports a CSV with one bad line, reads the report, applies the valid lines and sees the new price on the
storefront. The apply runs in a background thread of the server (RELOOP_IMPORT_APPLY=thread, the default) and the
report page follows it by polling."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from reloop.accounts.models import User
from reloop.catalog.tests.factories import CategoryFactory, ProductModelFactory, ReferencePriceFactory, VariantFactory
from reloop.offers.models import ImportStatus, Offer, OfferImport
from reloop.offers.tests.factories import make_offer
from reloop.sellers.tests.factories import SellerFactory, SellerMemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.VAR_DIR) / "screenshots"


def test_seller_imports_a_csv_sees_the_report_applies_and_sees_the_new_price(live_server, page):
    from playwright.sync_api import expect

    # given a seller with one offer at £300.00 on a phone
    phones = CategoryFactory(slug="smartphones", name="Smartphones")
    variant = VariantFactory(product_model=ProductModelFactory(category=phones, name="Pixel 8"))
    ReferencePriceFactory(variant=variant, amount=69900)
    seller = SellerFactory(name="Gamma Refurb")
    offer = make_offer(seller=seller, variant=variant, price=30000, stock=4)
    user = User.objects.create_user(username="sam@example.com", email="sam@example.com", password="correct horse 42")
    SellerMemberFactory(seller=seller, user=user)
    csv_text = (
        "sku;stock;price_en-gb\n"
        f"{offer.sku};6;279,00\n"  # a semicolon file from a French spreadsheet, decimal comma
        "NEW-1;2;abc\n"  # a bad line: unknown SKU without terms, and a price that is not one
    )

    # when the seller signs in and uploads the file
    page.goto(f"{live_server.url}/en-gb/account/sign-in/?next=/seller/offers/import/")
    page.get_by_label("Email").fill("sam@example.com")
    page.get_by_label("Password").fill("correct horse 42")
    page.get_by_role("button", name=re.compile("Sign in", re.IGNORECASE)).click()
    expect(page.get_by_role("heading", name="Import / export offers")).to_be_visible()
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "prices.csv", "mimeType": "text/csv", "buffer": csv_text.encode()}]
    )
    page.get_by_role("button", name="Check the file").click()

    # then the report announces one update and names the bad line; nothing has changed yet
    expect(page.get_by_role("heading", name="Import of prices.csv")).to_be_visible()
    expect(page.locator('[data-figure="updated"]')).to_have_text("1")
    expect(page.locator('[data-figure="errors"]')).to_have_text("1")
    expect(page.locator(".import-errors")).to_contain_text("abc")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "import-report.png"), full_page=True)
    assert Offer.objects.get(pk=offer.pk).stock == 4

    # when they apply the valid line, skipping the bad one
    page.get_by_label(re.compile("Skip the 1 line")).check()
    page.get_by_role("button", name=re.compile("^Apply")).click()

    # then the page follows the apply to its end
    expect(page.get_by_role("heading", name="What the file changed")).to_be_visible(timeout=20_000)
    expect(page.locator(".import-progress")).to_contain_text("Applied")
    page.screenshot(path=str(SHOTS / "import-applied.png"), full_page=True)
    assert OfferImport.objects.get().status == ImportStatus.APPLIED
    assert Offer.objects.filter(seller=seller).count() == 1

    # and the storefront shows the new price in the buy box
    page.goto(f"{live_server.url}/en-gb/p/{variant.product_model.slug}/{variant.slug}/")
    expect(page.locator("main")).to_contain_text("£279.00")
