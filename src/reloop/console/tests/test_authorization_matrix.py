"""Who may open every operator console page, per staff role (console/roles.py), plus anonymous visitors, buyers,
seller members and staff without a role. The expected table is written out here on purpose: changing a role's
permissions must change this test too."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reloop.accounts.tests.factories import UserFactory
from reloop.console import roles
from reloop.console.tests.helpers import escalated_case, staff_with
from reloop.sellers.tests.factories import SellerMemberFactory

pytestmark = pytest.mark.django_db

S, F, T, C = roles.SUPPORT, roles.FINANCE, roles.TRUST_AND_SAFETY, roles.CATALOGUE

#: url name (and its kwargs) → the roles that get a 200; every other role gets a 403.
PAGES = [
    ("operator:home", {}, {S, F, T, C}),
    ("operator:search", {}, {S, T}),
    ("operator:seller_directory", {}, {S, F, T}),
    ("operator:seller_360", {"slug": "SELLER"}, {S, F, T}),
    ("operator:chart_csv", {"name": "gmv"}, {F, T}),
    ("operator:markets_csv", {}, {F, T}),
    ("operator:impact_export", {}, {F}),
    ("operator:cases", {}, {S, T}),
    ("operator:case", {"case_id": "CASE"}, {S, T}),
    ("operator:seller_applications", {}, {T}),
    ("operator:seller", {"slug": "SELLER"}, {T}),
    ("operator:reviews", {}, {T, C}),
    ("operator:payouts", {}, {F}),
    ("operator_ledger", {}, {F}),
    ("operator:tradeins", {}, {S, T}),
    ("operator:notices", {}, {T}),
    ("operator:legal", {}, {T, C}),
    ("operator:emails", {}, {S, T}),
    ("operator:pictures", {}, {C}),
    ("operator:synonyms", {}, {C}),
]


@pytest.fixture
def urls():
    sale, case = escalated_case()

    def resolve(name, kwargs):
        filled = {k: (sale.seller.slug if v == "SELLER" else case.pk if v == "CASE" else v) for k, v in kwargs.items()}
        return reverse(name, kwargs=filled)

    return [(resolve(name, kwargs), allowed) for name, kwargs, allowed in PAGES]


@pytest.mark.parametrize("role", [S, F, T, C])
def test_each_role_opens_exactly_its_pages(client, urls, role):
    client.force_login(staff_with(role))
    got = {url: client.get(url).status_code for url, _ in urls}
    expected = {url: (200 if role in allowed else 403) for url, allowed in urls}
    assert got == expected


def test_anonymous_visitors_are_sent_to_sign_in(client, urls):
    for url, _ in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/"), url


@pytest.mark.parametrize(
    "person",
    [
        lambda: UserFactory.create(),  # a buyer
        lambda: SellerMemberFactory.create().user,  # a seller's member
        lambda: staff_with(None),  # staff without a role
        lambda: staff_with(S, is_staff=False),  # a role's group without staff status
    ],
    ids=["buyer", "seller-member", "staff-without-role", "role-without-staff"],
)
def test_everyone_else_gets_403_everywhere(client, urls, person):
    client.force_login(person())
    assert {url: client.get(url).status_code for url, _ in urls} == {url: 403 for url, _ in urls}


def test_only_trust_and_safety_may_change_a_standing_from_the_360_page(client):
    sale, _ = escalated_case()
    url = reverse("operator:seller_360", kwargs={"slug": sale.seller.slug})
    for role in (S, F):
        client.force_login(staff_with(role))
        assert client.post(url, {"standing": "suspended", "reason": "Fraud"}).status_code == 403
    sale.seller.refresh_from_db()
    assert sale.seller.standing == "active"


def test_the_menu_shows_only_the_pages_a_role_may_open(client):
    client.force_login(staff_with(S))
    html = client.get(reverse("operator:home")).content.decode()
    assert reverse("operator:search") in html
    assert reverse("operator:cases") in html
    assert reverse("operator_ledger") not in html
    assert reverse("operator:payouts") not in html
    assert 'data-figure="gmv"' not in html  # support sees what waits, not the sales figures
