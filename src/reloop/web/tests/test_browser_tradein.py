"""The whole trade-in in two browsers: a customer finds their phone, answers the questionnaire, accepts the quote,
ships it; the refurbisher records the IMEI and counter-offers with a photo; the customer accepts and is paid in
Reloop credit; the refurbisher records its work, sells the unit, and its next buyer sees the device passport.
Screenshots: /tmp/tradein-*.png."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest

from reloop.accounts.models import User
from reloop.buyback.models import TradeIn
from reloop.buyback.services import set_bid
from reloop.buyback.tests.factories import JPEG
from reloop.catalog.tests.factories import CategoryFactory, ProductModelFactory, ReferencePriceFactory, VariantFactory
from reloop.devices.tests.factories import imei
from reloop.fulfillment.services import ship_seller_order
from reloop.orders.tests.factories import a_phone_order
from reloop.payments.checks import failed, run_checks
from reloop.sellers.tests.factories import SellerMemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse 42"
SHOTS = Path(tempfile.gettempdir())


def sign_in(page, live_server, email, next_url):
    """A signed-in session for ``email`` (the sign-in page has its own browser tests), then ``next_url``."""
    from django.test import Client

    client = Client()
    client.force_login(User.objects.get(email=email))
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page.goto(f"{live_server.url}{next_url}")


def shot(page, name):
    page.screenshot(path=str(SHOTS / f"tradein-{name}.png"), full_page=True)


def test_quote_accept_ship_counter_offer_accept_paid_and_the_passport_reaches_the_next_buyer(
    live_server, page, browser, settings, tmp_path
):
    from playwright.sync_api import expect

    settings.MEDIA_ROOT = tmp_path / "media"
    phones = CategoryFactory(slug="smartphones", name="Smartphones")
    variant = VariantFactory(product_model=ProductModelFactory(category=phones, name="Pixel 7"))
    ReferencePriceFactory(variant=variant, amount=59900)
    owner = User.objects.create_user(username="sam@example.com", email="sam@example.com", password=PASSWORD)
    refurbisher = SellerMemberFactory(user=owner, seller__name="Alpha Refurb").seller
    set_bid(actor=None, seller=refurbisher, variant_id=variant.pk, condition="good", market="en-gb", price=21000)
    User.objects.create_user(username="ada@example.com", email="ada@example.com", password=PASSWORD)

    # 1. The customer finds the phone from the home page, answers the questionnaire and sees the quote
    sign_in(page, live_server, "ada@example.com", "/en-gb/")
    page.get_by_role("link", name=re.compile("Trade in your old device")).click()
    page.get_by_label("Search your model").fill("Pixel")
    page.locator("#main").get_by_role("button", name="Search").click()
    shot(page, "1-find")
    page.get_by_role("link", name=re.compile("Pixel 7")).click()
    for question, answer in (
        ("Does it switch on?", "Yes"),
        ("Does everything work?", "Yes"),
        ("Have you signed out of iCloud, Google or Samsung and turned off Find My?", "Yes"),
        ("Does it work with any network's SIM card?", "Yes"),
    ):
        page.get_by_role("group", name=question).get_by_label(answer).check()
    page.get_by_role("group", name="The screen").get_by_label("Perfect, no scratch").check()
    page.get_by_role("group", name="The body and back").get_by_label(re.compile("Light marks")).check()
    page.get_by_label("Battery health (%)").fill("88")
    shot(page, "2-questionnaire")
    page.get_by_role("button", name="See my offer").click()
    expect(page.locator(".ti-amount")).to_have_text("£210.00")
    expect(page.get_by_text("Alpha Refurb")).to_be_visible()
    shot(page, "3-quote")

    # 2. Accepts with Reloop credit, gets the label and ships
    page.get_by_role("group", name="How do you want to be paid?").get_by_label(re.compile("Reloop credit")).check()
    page.get_by_label(re.compile("I have backed up and erased")).check()
    page.get_by_role("button", name="Accept and get my label").click()
    expect(page.get_by_role("heading", name=re.compile("Trade-in TI-"))).to_be_visible()
    tradein = TradeIn.objects.get()
    expect(page.get_by_text(tradein.label_tracking).first).to_be_visible()
    shot(page, "4-accepted")
    page.get_by_role("button", name="I have shipped it").click()
    expect(page.locator(".status").first).to_have_text("On its way to the refurbisher")

    # 3. The refurbisher receives it, records the IMEI and counter-offers with a photo
    back = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(back, live_server, "sam@example.com", "/seller/trade-in/")
    back.get_by_role("link", name=tradein.number).click()
    back.get_by_label("IMEI or serial number").fill(imei(77))
    back.get_by_role("button", name="Record and check").click()
    expect(back.get_by_role("button", name="Validate and pay the customer")).to_be_visible()
    back.get_by_label("Condition found").select_option("worn")
    back.get_by_label(re.compile("Your new offer")).fill("150.00")
    back.get_by_label("What you found").fill("Deep scratch across the back glass.")
    photo = tmp_path / "scratch.jpg"
    photo.write_bytes(JPEG)
    back.get_by_label("Photos (up to 5)").set_input_files(str(photo))
    shot(back, "5-inspection")
    back.get_by_role("button", name="Send the counter-offer").click()
    expect(back.locator(".status").first).to_have_text("Counter-offer waiting for your answer")

    # 4. The customer accepts the counter-offer and is paid in credit
    page.reload()
    expect(page.get_by_text("Deep scratch across the back glass.", exact=True)).to_be_visible()
    shot(page, "6-counter-offer")
    page.get_by_role("button", name="Accept the new offer").click()
    expect(page.locator(".status").first).to_have_text("Paid")
    page.goto(f"{live_server.url}/en-gb/trade-ins/")
    expect(page.get_by_text("£150.00").first).to_be_visible()
    shot(page, "7-paid")
    assert failed(run_checks()) == []

    # 5. The refurbisher records its work, then sells the unit to another buyer
    back.reload()
    back.get_by_label("Battery health (%)").fill("100")
    back.get_by_label("Battery replaced").check()
    back.get_by_label("Tests passed").fill("Display\nCameras")
    back.get_by_label("Data erasure certificate reference").fill("ERASE-7788")
    back.get_by_role("button", name="Save the record").click()
    expect(back.get_by_text("Saved.")).to_be_visible()
    seller, part, line = a_phone_order(seller=refurbisher)
    ship_seller_order(
        actor=None,
        seller=seller,
        seller_order_id=part.pk,
        carrier="royal_mail",
        tracking_number="AB000000077GB",
        units={line.pk: [imei(77)]},
    )
    buyer = part.order.buyer
    buyer.set_password(PASSWORD)
    buyer.save()
    next_page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(next_page, live_server, buyer.email, f"/en-gb/orders/{part.order.number}/tracking/{part.pk}/")
    passport = next_page.locator("details", has_text="Device passport")
    expect(passport).to_contain_text("Traded in")
    expect(passport).to_contain_text("ERASE-7788")
    expect(passport).to_contain_text("Battery health 100%")
    expect(next_page.get_by_text("ada@example.com")).to_have_count(0)
    shot(next_page, "8-passport")
