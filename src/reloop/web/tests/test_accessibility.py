"""axe-core (vendored in tests/assets, never from a CDN) run through Playwright over every page type: the
storefront, a buyer's pages, the seller back office and the operator console. No serious or critical violation.

Violations are listed with the page, the rule and the first offending elements, so a failure says what to fix.
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from reloop.accounts.tests.factories import UserFactory
from reloop.catalog.models import Category, ProductModel
from reloop.console.services import sync_roles
from reloop.console.tests.helpers import escalated_case
from reloop.sellers.tests.factories import SellerMemberFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AXE = Path(__file__).parent / "assets" / "axe.min.js"
PASSWORD = "accessibility passphrase 42"
BLOCKING = ("serious", "critical")


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def violations(page, url: str) -> list[str]:
    page.goto(url)
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))"
    )
    return [f"{url} {v['impact']} {v['id']}: {v['nodes']}" for v in found if v["impact"] in BLOCKING]


def sign_in(page, base: str, email: str, *, admin: bool = False) -> None:
    page.goto(f"{base}/admin/login/" if admin else f"{base}/en-gb/account/sign-in/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit], input[type=submit]").first.click()


@pytest.fixture
def page(browser):
    """A page whose Content-Security-Policy lets the test inject axe (the site's own CSP is left as it is)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


def test_no_page_type_has_a_serious_or_critical_accessibility_violation(live_server, page):
    call_command("seed", stdout=StringIO(), stderr=StringIO())
    sale, case = escalated_case()
    category = Category.objects.filter(parent__isnull=True).order_by("pk").first()
    model = ProductModel.objects.order_by("pk").first()
    base = live_server.url
    problems: list[str] = []
    public = [
        "/en-gb/",
        f"/en-gb/c/{category.slug}/",
        f"/en-gb/p/{model.slug}/",
        "/en-gb/search/?q=iphone",
        "/en-gb/impact/",
        "/en-gb/impact/methodology/",
        "/en-gb/cart/",
        "/en-gb/account/sign-in/",
        "/en-gb/no-such-page/",
        "/nl-nl/",
    ]
    for path in public:
        problems += violations(page, base + path)

    buyer = sale.buyer
    buyer.set_password(PASSWORD)
    buyer.save()
    sign_in(page, base, buyer.email)
    for path in ("/en-gb/account/", "/en-gb/my-impact/", f"/en-gb/orders/{sale.order.number}/", "/en-gb/returns/"):
        problems += violations(page, base + path)

    page.context.clear_cookies()
    member = SellerMemberFactory.create(seller=sale.seller, role="staff").user
    member.set_password(PASSWORD)
    member.save()
    sign_in(page, base, member.email)
    for path in ("/seller/", "/seller/insights/", "/seller/offers/", "/seller/orders/", "/seller/returns/"):
        problems += violations(page, base + path)

    page.context.clear_cookies()
    operator = UserFactory.create(email="ops@reloop.test", username="ops@reloop.test", is_staff=True)
    operator.set_password(PASSWORD)
    operator.save()
    operator.groups.add(*sync_roles())
    sign_in(page, base, "ops@reloop.test", admin=True)
    for path in (
        "/operator/",
        "/operator/directory/",
        f"/operator/directory/{sale.seller.slug}/",
        "/operator/search/?q=RL-",
        "/operator/cases/",
        f"/operator/cases/{case.pk}/",
        "/operator/sellers/",
        "/operator/payouts/",
        "/operator/ledger/",
    ):
        problems += violations(page, base + path)
    assert problems == [], "\n".join(problems)
