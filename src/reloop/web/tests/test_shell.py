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


def test_a_missing_page_is_a_404_page_in_the_markets_language_with_a_way_home(client):
    response = client.get("/fr-fr/p/no-such-phone-anywhere/")
    assert response.status_code == 404
    html = response.content.decode()
    assert lang_of(html) == "fr-FR"
    assert "Cette page n’existe pas" in html
    assert 'href="/fr-fr/"' in html


def test_the_500_page_speaks_the_markets_language_and_never_fails(rf):
    from reloop.markets.registry import get_market
    from reloop.web.error_views import server_error

    request = rf.get("/de-de/")
    request.market = get_market("de-de")
    response = server_error(request)
    html = response.content.decode()
    assert response.status_code == 500
    assert lang_of(html) == "de-DE"
    assert "Bei uns ist etwas schiefgelaufen" in html
    assert 'href="/de-de/"' in html
    bare = server_error(rf.get("/"))  # no market (the error happened before the middleware)
    assert bare.status_code == 500


def test_every_page_has_the_icons_and_a_sell_on_reloop_link(client):
    html = client.get("/en-gb/").content.decode()
    assert 'rel="icon" href="/static/reloop/icons/favicon.svg"' in html
    assert 'rel="apple-touch-icon"' in html
    assert 'href="/seller/apply/">Sell on Reloop' in html
    for name in ("favicon.svg", "apple-touch-icon.png", "site.webmanifest"):
        response = client.get(f"/static/reloop/icons/{name}")
        assert response.status_code == 200
        response.close()


def test_switching_market_keeps_a_seller_on_the_same_back_office_page(client):
    client.force_login(SellerMemberFactory.create().user)
    html = client.get("/seller/orders/?status=new").content.decode()
    link = "/market/de-de/?next=/seller/orders/%3Fstatus%3Dnew"
    assert f'href="{link}"' in html
    response = client.get(link)
    assert response["Location"] == "/seller/orders/?status=new"
    assert response.cookies["reloop_market"].value == "de-de"
    assert lang_of(client.get("/seller/orders/?status=new").content.decode()) == "de-DE"  # the page now in German


def test_switching_market_keeps_staff_on_the_console_page(client):
    client.force_login(UserFactory.create(is_staff=True, is_superuser=True))
    assert client.get("/market/fr-fr/?next=/operator/cases/")["Location"] == "/operator/cases/"


@pytest.mark.parametrize("next_path", ["/", "/no/such/page/", "/market/fr-fr/", "/admin/", "https://evil.example/x"])
def test_switching_market_from_anything_else_lands_on_the_markets_home(client, next_path):
    assert client.get("/market/fr-fr/", {"next": next_path})["Location"] == "/fr-fr/"
