"""A refurbisher joins in a real browser: signs up, applies (fixing a bad IBAN), the operator approves, the new
owner opens the back office and invites a colleague. Screenshots land in var/screenshots/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core import mail

from reloop.accounts.models import User
from reloop.sellers.models import SellerInvitation, SellerMember

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.VAR_DIR) / "screenshots"
PASSWORD = "a-long-browser-passw0rd"  # a throwaway test account


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/en-gb/account/sign-in/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.locator("form.account-form button[type=submit]").click()


def test_a_refurbisher_applies_is_approved_and_invites_a_colleague(live_server, browser):
    from playwright.sync_api import expect

    applicant = User.objects.create_user(username="nina@lumen.example", email="nina@lumen.example", password=PASSWORD)
    operator = User.objects.create_user(username="ops@reloop.example", email="ops@reloop.example", password=PASSWORD)
    operator.is_staff = True
    operator.save()
    operator.user_permissions.add(Permission.objects.get(codename="change_sellerapplication"))

    seller_side = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(seller_side, live_server.url, applicant.email)
    seller_side.goto(f"{live_server.url}/seller/")
    seller_side.get_by_role("link", name="Apply to sell on Reloop").click()
    expect(seller_side.get_by_role("heading", name="Sell on Reloop")).to_be_visible()
    fields = {
        "Trading name": "Lumen Refurb",
        "Legal company name": "Lumen Refurb SAS",
        "Company registration number": "732 829 320",
        "VAT number": "FR40303265045",
        "IBAN": "FR14 2004 1010 0505 0001 3M02 607",  # one digit wrong
        "Address line 1": "12 rue de la République",
        "Postcode": "69002",
        "City": "Lyon",
        "Contact name": "Nina Martin",
        "Email": "nina@lumen.example",
        "Phone": "+33 4 72 00 00 00",
    }
    for label, value in fields.items():
        seller_side.get_by_label(label, exact=True).fill(value)
    seller_side.get_by_label("Country of establishment").select_option("FR")
    seller_side.get_by_label("Country of the registered address").select_option("FR")
    seller_side.get_by_label("I commit to offer only products").check()
    seller_side.get_by_role("button", name="Submit application").click()
    expect(seller_side.get_by_role("alert")).to_contain_text("not a valid IBAN")
    shot(seller_side, "onboarding-apply-error-390")
    seller_side.get_by_label("IBAN", exact=True).fill("FR14 2004 1010 0505 0001 3M02 606")
    seller_side.get_by_label("I commit to offer only products").check()
    seller_side.get_by_role("button", name="Submit application").click()
    expect(seller_side.locator(".status-submitted")).to_be_visible()

    operator_side = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(operator_side, live_server.url, operator.email)
    operator_side.goto(f"{live_server.url}/operator/sellers/")
    operator_side.get_by_role("link", name="Lumen Refurb").click()
    expect(operator_side.locator(".trader-data")).to_contain_text("FR1420041010050500013M02606")
    shot(operator_side, "onboarding-operator-application")
    operator_side.get_by_role("button", name="Approve").click()
    expect(operator_side.get_by_role("status")).to_contain_text("Lumen Refurb is approved")
    assert [m.to for m in mail.outbox] == [["nina@lumen.example"]]

    seller_side.goto(f"{live_server.url}/seller/")
    seller_side.get_by_role("link", name="Team").click()
    seller_side.get_by_label("Email").fill("sam@lumen.example")
    seller_side.get_by_role("button", name="Send invitation").click()
    expect(seller_side.get_by_role("status")).to_contain_text("Invitation sent to sam@lumen.example")
    shot(seller_side, "onboarding-team-390")
    assert seller_side.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling on a phone
    assert re.search(r"/seller/invitations/[^/\s]+/", mail.outbox[-1].body)
    assert SellerMember.objects.get(user=applicant).seller.name == "Lumen Refurb"
    assert SellerInvitation.objects.get().email == "sam@lumen.example"
