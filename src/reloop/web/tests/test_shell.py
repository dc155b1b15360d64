"""Shell details (issue 17): every page declares the language its text is in; the console and back-office links
in the header."""

from __future__ import annotations

import re

import pytest

from reloop.accounts.tests.factories import UserFactory
from reloop.sellers.tests.factories import SellerMemberFactory

pytestmark = pytest.mark.django_db


def lang_of(html: str) -> str:
    found = re.search(r'<html lang="([^"]+)"', html)
    assert found
    return found.group(1)


@pytest.mark.parametrize(
    ("market", "lang"),
    [
        ("en-gb", "en-GB"),
        ("fr-be", "fr-BE"),
        ("de-at", "de-AT"),
        ("it-it", "it-IT"),
        ("es-es", "es-ES"),
        # Reloop has no Dutch, Portuguese, Greek, Slovak, Swedish or Japanese text yet: the page is in English
        ("nl-nl", "en"),
        ("pt-pt", "en"),
        ("el-gr", "en"),
        ("sk-sk", "en"),
        ("sv-se", "en"),
        ("ja-jp", "en"),
    ],
)
def test_each_market_declares_the_language_its_text_is_in(client, market, lang):
    assert lang_of(client.get(f"/{market}/").content.decode()) == lang


def test_staff_see_the_console_link_and_seller_members_the_back_office(client):
    client.force_login(UserFactory.create(is_staff=True))
    assert 'href="/operator/"' in client.get("/en-gb/").content.decode()
    client.force_login(SellerMemberFactory.create().user)
    html = client.get("/en-gb/").content.decode()
    assert 'href="/seller/"' in html
    assert 'href="/operator/"' not in html
    client.force_login(UserFactory.create())
    html = client.get("/en-gb/").content.decode()
    assert 'href="/seller/"' not in html
    assert 'href="/operator/"' not in html
