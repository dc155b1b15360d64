"""An operator runs the marketplace from the console in a real browser: signs in, lands on /operator/, follows
an escalated case from the seller list to the seller's 360° page and decides it. Screenshots in
var/screenshots/ (console-*.png) for a person to look at."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from reloop.accounts.tests.factories import UserFactory
from reloop.aftersales.models import Case
from reloop.console.services import sync_roles
from reloop.console.tests.helpers import escalated_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(settings.VAR_DIR) / "screenshots"
PASSWORD = "operator passphrase 42"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"console-{name}.png"), full_page=True)


def test_an_operator_follows_an_escalated_case_to_the_seller_and_decides_it(live_server, page):
    from playwright.sync_api import expect

    sale, case = escalated_case()
    sync_roles()
    operator = UserFactory.create(email="ops@reloop.test", username="ops@reloop.test", password=PASSWORD, is_staff=True)
    operator.groups.add(Group.objects.get(name="trust_and_safety"))

    # Signs in and lands on the console
    page.goto(f"{live_server.url}/operator/")
    page.fill("#id_username", "ops@reloop.test")
    page.fill("#id_password", PASSWORD)
    page.locator("input[type=submit], button[type=submit]").first.click()
    expect(page.get_by_role("heading", name="Operator console", level=1)).to_be_visible()
    expect(page.locator('[data-figure="escalated"]')).to_have_text("1")
    expect(page.get_by_role("navigation", name="Operator console")).to_be_visible()
    shot(page, "home")

    # The seller list shows the escalated case against its seller; on to the seller's record
    page.get_by_role("navigation", name="Operator console").get_by_role("link", name="Sellers").click()
    row = page.locator(f'tr[data-seller="{sale.seller.slug}"]')
    expect(row.locator("td").nth(4)).to_have_text("1")  # escalated
    row.get_by_role("link", name=sale.seller.name).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(sale.seller.name)
    shot(page, "seller-360")

    # The case, then the decision
    page.locator(f'tr[data-case="{case.pk}"]').get_by_role("link", name=str(case.pk)).click()
    page.get_by_label(re.compile("Refund the buyer")).check()
    page.get_by_label(re.compile("Why")).fill("The seller did not answer; refunded at its expense.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".messages")).to_contain_text("Decision recorded")
    shot(page, "case-decided")
    assert Case.objects.get(pk=case.pk).state == "resolved"

    # Back on the seller's record: the decision is in the audit trail
    page.goto(f"{live_server.url}/operator/directory/{sale.seller.slug}/")
    expect(page.get_by_role("region", name="Operator decisions")).to_contain_text("escalated → resolved")
