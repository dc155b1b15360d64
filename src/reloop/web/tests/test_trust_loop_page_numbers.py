"""Bad page numbers on the trust-loop lists (seller payouts, operator payout report, seller reviews, review
moderation, the public seller page) are read as page 1, never a 5xx: a number past SQLite's 64-bit OFFSET, or a
Unicode digit that ``str.isdigit`` accepts and ``int`` refuses."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from reloop.accounts.tests.factories import UserFactory
from reloop.sellers.tests.factories import SellerFactory, SellerMemberFactory

pytestmark = pytest.mark.django_db

BAD_PAGES = ["99999999999999999999", "²", "-1", "abc", "0"]


def staff(codename):
    person = UserFactory(is_staff=True)
    person.user_permissions.add(Permission.objects.get(codename=codename))
    return person


@pytest.mark.parametrize("page", BAD_PAGES)
def test_seller_pages_answer_a_bad_page_number_with_page_one(client, page):
    # Given a seller owner
    client.force_login(SellerMemberFactory().user)
    # When a list is asked for a bad page, then it answers 200
    for url in ("/seller/payouts/", "/seller/reviews/"):
        assert client.get(url, {"page": page}).status_code == 200, url


@pytest.mark.parametrize("page", BAD_PAGES)
def test_operator_pages_answer_a_bad_page_number_with_page_one(client, page):
    client.force_login(staff("view_payout"))
    assert client.get("/operator/payouts/", {"page": page}).status_code == 200
    client.force_login(staff("moderate_review"))
    assert client.get("/operator/reviews/", {"page": page}).status_code == 200


@pytest.mark.parametrize("page", BAD_PAGES)
def test_the_public_seller_page_answers_a_bad_page_number_with_page_one(client, page):
    SellerFactory(name="Alpha", slug="alpha")
    assert client.get("/en-gb/sellers/alpha/", {"page": page}).status_code == 200
