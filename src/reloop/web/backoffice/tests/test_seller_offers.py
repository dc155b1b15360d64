"""Back-office offers: the table with filters and inline edit, one offer's page, listing a new offer.

Real commits (``transaction=True``), so buy boxes are refreshed on commit exactly as after a request.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from reloop.accounts.tests.factories import UserFactory
from reloop.catalog.grading import Grade
from reloop.catalog.tests.factories import BrandFactory, CategoryFactory, ProductModelFactory, VariantFactory
from reloop.core.money import Money
from reloop.offers.models import Offer, OfferPrice
from reloop.offers.tests.factories import make_offer
from reloop.pricing.models import BuyBoxSnapshot
from reloop.sellers.models import MemberRole
from reloop.sellers.tests.factories import SellerFactory, SellerMemberFactory
from reloop.web.tests.helpers import queries_for

pytestmark = pytest.mark.django_db(transaction=True)

HTMX = {"HX-Request": "true"}


@pytest.fixture
def member():
    return SellerMemberFactory(seller__name="Alpha Refurb")


@pytest.fixture
def signed_in(client, member):
    client.force_login(member.user)
    return client


def offers_of(seller, n, *, price=30000, **kwargs):
    return [make_offer(seller=seller, variant=VariantFactory(), price=price, **kwargs) for _ in range(n)]


def prices(offer):
    return dict(OfferPrice.objects.filter(offer=offer).values_list("market", "amount"))


# --- Authorization ----------------------------------------------------------------------------------------


def offer_pages(offer):
    return [
        ("get", reverse("seller:offers")),
        ("get", reverse("seller:offer_new")),
        ("get", reverse("seller:offer", args=[offer.pk])),
        ("post", reverse("seller:offer", args=[offer.pk])),
        ("post", reverse("seller:offer_row", args=[offer.pk])),
        ("post", reverse("seller:offer_active", args=[offer.pk])),
    ]


def test_anonymous_visitors_are_sent_to_sign_in_on_every_offer_page(client):
    offer = offers_of(SellerFactory(), 1)[0]
    for method, url in offer_pages(offer):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert "/account/sign-in/" in response["Location"], url


def test_a_buyer_gets_403_on_every_offer_page(client):
    offer = offers_of(SellerFactory(), 1)[0]
    client.force_login(UserFactory())
    for method, url in offer_pages(offer):
        assert getattr(client, method)(url, {"stock": 0, "market": "en-gb", "active": "0"}).status_code == 403, url
    assert Offer.objects.get(pk=offer.pk).is_active


def test_seller_a_gets_404_on_seller_bs_offer_and_changes_nothing(signed_in):
    other = offers_of(SellerFactory(name="Beta Refurb"), 1, stock=5)[0]
    posts = [
        (reverse("seller:offer", args=[other.pk]), {"action": "stock", "stock": 0}),
        (reverse("seller:offer_row", args=[other.pk]), {"stock": 0, "market": "en-gb", "price": "1.00"}),
        (reverse("seller:offer_active", args=[other.pk]), {"active": "0"}),
    ]
    assert signed_in.get(reverse("seller:offer", args=[other.pk])).status_code == 404
    for url, data in posts:
        assert signed_in.post(url, data).status_code == 404, url
        assert signed_in.post(url, data, headers=HTMX).status_code == 404, url
    other.refresh_from_db()
    assert (other.stock, other.is_active, prices(other)) == (5, True, {"en-gb": 30000})
    assert b"Beta Refurb" not in signed_in.get(reverse("seller:offers")).content


def test_a_staff_member_may_use_the_offer_pages(client):
    staff = SellerMemberFactory(role=MemberRole.STAFF)
    offer = offers_of(staff.seller, 1)[0]
    client.force_login(staff.user)
    assert client.get(reverse("seller:offers")).status_code == 200
    assert client.get(reverse("seller:offer", args=[offer.pk])).status_code == 200
    response = client.post(
        reverse("seller:offer_row", args=[offer.pk]), {"stock": 9, "market": "en-gb", "price": "300"}
    )
    assert response.status_code == 302
    assert Offer.objects.get(pk=offer.pk).stock == 9


def test_posts_need_a_valid_csrf_token(member):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(member.user)
    offer = offers_of(member.seller, 1, stock=5)[0]
    response = client.post(reverse("seller:offer_row", args=[offer.pk]), {"stock": 1, "market": "en-gb"})
    assert response.status_code == 403
    assert Offer.objects.get(pk=offer.pk).stock == 5
    page = client.get(reverse("seller:offers")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(
        reverse("seller:offer_row", args=[offer.pk]),
        {"stock": 1, "market": "en-gb", "price": "300.00", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert Offer.objects.get(pk=offer.pk).stock == 1


# --- The offers table -------------------------------------------------------------------------------------


def test_offers_list_runs_the_same_queries_for_1_and_10_offers(client):
    one, ten = SellerMemberFactory(), SellerMemberFactory()
    offers_of(one.seller, 1)
    offers_of(ten.seller, 10)
    client.force_login(one.user)
    n_one, response = queries_for(client, reverse("seller:offers"))
    assert response.content.count(b'class="offer-row-edit') == 1
    client.force_login(ten.user)
    n_ten, response = queries_for(client, reverse("seller:offers"))
    assert response.content.count(b'class="offer-row-edit') == 10
    # session, user, membership; count, page, prices of the page; own prices + rivals for the buy-box column;
    # the header's categories (cold cache)
    assert n_one == n_ten == 9


def test_offers_list_filters_by_words_grade_stock_status_and_buy_box(signed_in, member):
    variant = VariantFactory(product_model=ProductModelFactory(name="Galaxy S21", brand=BrandFactory(name="Samsung")))
    winner = make_offer(seller=member.seller, variant=variant, price=20000, grade=Grade.GOOD)
    loser = make_offer(seller=member.seller, variant=VariantFactory(), price=50000, grade=Grade.FAIR, stock=0)
    rival_variant = loser.variant
    make_offer(seller=SellerFactory(), variant=rival_variant, price=10000, grade=Grade.FAIR)
    # the loser is out of stock: give it units so it competes and loses on price
    signed_in.post(reverse("seller:offer_row", args=[loser.pk]), {"stock": 2, "market": "en-gb", "price": "500.00"})
    unsold = make_offer(seller=member.seller, variant=VariantFactory(), prices={"fr-fr": Money(1000, "EUR")})

    def listed(**query):
        html = signed_in.get(reverse("seller:offers"), query).content.decode()
        return {int(pk) for pk in re.findall(r'data-offer="(\d+)"', html)}

    assert listed() == {winner.pk, loser.pk, unsold.pk}
    assert listed(q="samsung s21") == {winner.pk}
    assert listed(q=winner.sku) == {winner.pk}
    assert listed(grade="fair") == {loser.pk}
    assert listed(buybox="won") == {winner.pk}
    assert listed(buybox="lost") == {loser.pk}
    assert listed(buybox="unsold") == {unsold.pk}
    assert listed(buybox="sold", market="fr-fr") == {unsold.pk}
    signed_in.post(reverse("seller:offer_active", args=[winner.pk]), {"active": "0"})
    assert listed(active="no") == {winner.pk}
    assert listed(active="yes", stock="yes") == {loser.pk, unsold.pk}
    assert listed(grade="nonsense") == {winner.pk, loser.pk, unsold.pk}  # a stale link shows everything
    html = signed_in.get(reverse("seller:offers")).content.decode()
    assert '<option value="en-gb" selected>' in html  # the table is in the request's market until one is chosen


def test_offers_list_sorts_and_paginates(signed_in, member):
    offers = offers_of(member.seller, 30)
    html = signed_in.get(reverse("seller:offers"), {"sort": "-stock"}).content.decode()
    assert html.count('class="offer-row-edit') == 25
    assert "Page 1 of 2" in html
    html = signed_in.get(reverse("seller:offers"), {"page": 2}).content.decode()
    assert {int(pk) for pk in re.findall(r'data-offer="(\d+)"', html)} == {o.pk for o in offers[25:]}


def test_buy_box_column_shows_winning_or_the_price_to_win(signed_in, member):
    variant = VariantFactory()
    mine = make_offer(seller=member.seller, variant=variant, price=30000)
    make_offer(seller=SellerFactory(name="Cheaper Co"), variant=variant, price=25000)
    html = signed_in.get(reverse("seller:offers")).content.decode()
    cell = re.search(rf'data-testid="buybox-{mine.pk}">(.*?)</td>', html, re.S).group(1)
    assert "Not winning" in cell
    assert "£250.00" in cell  # the buy-box price
    assert "Price to win £250.00" in cell  # equal price: the older offer (ours) wins the tie
    assert "Cheaper Co" not in html


def test_inline_edit_with_htmx_saves_and_returns_the_row(signed_in, member):
    offer = offers_of(member.seller, 1, stock=5)[0]
    response = signed_in.post(
        reverse("seller:offer_row", args=[offer.pk]),
        {"stock": "7", "price": "289.50", "market": "en-gb", "next": "/seller/offers/?grade=good"},
        headers=HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.strip().startswith(f'<tr id="offer-row-{offer.pk}"')
    assert "<html" not in html
    assert 'role="status">Saved<' in html
    assert 'value="7"' in html
    assert 'value="289.50"' in html
    offer.refresh_from_db()
    assert (offer.stock, prices(offer)) == (7, {"en-gb": 28950})
    assert BuyBoxSnapshot.objects.get(winner=offer, market="en-gb").price == 28950


def test_inline_edit_error_is_shown_in_the_row_and_changes_nothing(signed_in, member):
    offer = offers_of(member.seller, 1, stock=5)[0]
    response = signed_in.post(
        reverse("seller:offer_row", args=[offer.pk]),
        {"stock": "3", "price": "999999999", "market": "en-gb"},
        headers=HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "has-error" in html
    assert "implausibly high" in html
    offer.refresh_from_db()
    assert (offer.stock, prices(offer)) == (5, {"en-gb": 30000})  # stock was valid but not saved alone


def test_inline_edit_and_activate_with_an_unknown_market_answer_the_row_not_a_server_error(signed_in, member):
    # given an offer, when the HTMX row posts a market that does not exist (a tampered hidden field)
    offer = offers_of(member.seller, 1, stock=5)[0]
    edit = signed_in.post(
        reverse("seller:offer_row", args=[offer.pk]), {"stock": "3", "price": "10", "market": "zz"}, headers=HTMX
    )
    active = signed_in.post(
        reverse("seller:offer_active", args=[offer.pk]), {"active": "1", "market": "zz"}, headers=HTMX
    )
    # then both answer the row (the edit with its error) and the edit changed nothing
    assert (edit.status_code, active.status_code) == (200, 200)
    assert edit.content.decode().strip().startswith(f'<tr id="offer-row-{offer.pk}"')
    assert "has-error" in edit.content.decode()
    offer.refresh_from_db()
    assert (offer.stock, prices(offer)) == (5, {"en-gb": 30000})


def test_inline_edit_without_javascript_redirects_back_or_shows_the_list_with_the_error(signed_in, member):
    offer = offers_of(member.seller, 1, stock=5)[0]
    url = reverse("seller:offer_row", args=[offer.pk])
    response = signed_in.post(url, {"stock": "4", "price": "", "market": "en-gb", "next": "/seller/offers/?q=SKU"})
    assert (response.status_code, response["Location"]) == (302, "/seller/offers/?q=SKU")
    offer.refresh_from_db()
    assert (offer.stock, prices(offer)) == (4, {})  # an empty price stops selling in that market
    response = signed_in.post(url, {"stock": "-1", "price": "10", "market": "en-gb", "next": "https://evil.test/"})
    assert response.status_code == 200
    assert "<html" in response.content.decode()
    assert "greater than or equal to 0" in response.content.decode()
    assert Offer.objects.get(pk=offer.pk).stock == 4


def test_activate_and_deactivate_from_the_table(signed_in, member):
    offer = offers_of(member.seller, 1)[0]
    response = signed_in.post(reverse("seller:offer_active", args=[offer.pk]), {"active": "0"}, headers=HTMX)
    assert response.status_code == 200
    assert "Put on sale" in response.content.decode()
    assert not Offer.objects.get(pk=offer.pk).is_active
    assert not BuyBoxSnapshot.objects.filter(winner=offer).exists()
    signed_in.post(reverse("seller:offer_active", args=[offer.pk]), {"active": "1"})
    assert Offer.objects.get(pk=offer.pk).is_active


# --- One offer --------------------------------------------------------------------------------------------


def test_offer_page_shows_insight_per_market_without_naming_competitors(signed_in, member):
    variant = VariantFactory()

    mine = make_offer(
        seller=member.seller, variant=variant, prices={"en-gb": Money(30000, "GBP"), "fr-fr": Money(35000, "EUR")}
    )
    make_offer(seller=SellerFactory(name="Rival One"), variant=variant, price=28000)
    make_offer(seller=SellerFactory(name="Rival Two"), variant=variant, price=29000)
    html = signed_in.get(reverse("seller:offer", args=[mine.pk])).content.decode()
    assert re.search(r'data-testid="price-to-win-en-gb"><strong>£280.00', html)
    assert 'data-testid="rivals-en-gb">2<' in html
    assert 'data-testid="rivals-fr-fr">0<' in html
    assert "Rival One" not in html
    assert "Rival Two" not in html


def test_offer_page_edits_terms_stock_and_prices(signed_in, member):
    offer = offers_of(member.seller, 1, stock=5)[0]
    url = reverse("seller:offer", args=[offer.pk])
    terms = {
        "action": "terms",
        "grade": "excellent",
        "battery_tier": "new",
        "parts_provenance": "compatible",
        "replaced_parts": "screen, battery",
        "warranty_months": "24",
        "dispatch_days": "2",
        "vat_scheme": "standard",
    }
    assert signed_in.post(url, terms).status_code == 302
    assert signed_in.post(url, {"action": "stock", "stock": "12"}).status_code == 302
    response = signed_in.post(url, {"action": "prices", "price_fr-fr": "319.90", "price_ja-jp": "45000"})
    assert response.status_code == 302
    offer.refresh_from_db()
    assert (offer.grade, offer.battery_tier, offer.replaced_parts, offer.warranty_months, offer.vat_scheme) == (
        "excellent",
        "new",
        ["screen", "battery"],
        24,
        "standard",
    )
    assert offer.stock == 12
    assert prices(offer) == {"fr-fr": 31990, "ja-jp": 45000}  # en-gb left empty: no longer sold there


def test_offer_page_shows_errors_next_to_fields_and_changes_nothing(signed_in, member):
    offer = offers_of(member.seller, 1, stock=5)[0]
    url = reverse("seller:offer", args=[offer.pk])
    bad_terms = {
        "action": "terms",
        "grade": "premium",
        "battery_tier": "standard",
        "parts_provenance": "all_original",
        "warranty_months": "12",
        "dispatch_days": "1",
        "vat_scheme": "margin",
    }
    response = signed_in.post(url, bad_terms)
    assert response.status_code == 200
    assert "Premium requires all original parts" in response.content.decode()
    response = signed_in.post(url, {"action": "prices", "price_en-gb": "12.345"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    offer.refresh_from_db()
    assert (offer.grade, prices(offer)) == ("good", {"en-gb": 30000})


# --- A new offer ------------------------------------------------------------------------------------------


def test_catalogue_search_finds_variants_by_words_brand_and_category(signed_in):
    phones = CategoryFactory(slug="smartphones", name="Smartphones")
    apple = BrandFactory(name="Apple")
    wanted = VariantFactory(product_model=ProductModelFactory(name="iPhone 13", brand=apple, category=phones))
    VariantFactory(product_model=ProductModelFactory(name="MacBook Air", brand=apple))
    response = signed_in.get(reverse("seller:offer_new"), {"q": "iphone 13"}, headers=HTMX)
    html = response.content.decode()
    assert "<html" not in html
    assert re.findall(r"\?variant=(\d+)", html) == [str(wanted.pk)]
    html = signed_in.get(reverse("seller:offer_new"), {"brand": "apple", "category": "smartphones"}).content.decode()
    assert re.findall(r"\?variant=(\d+)", html) == [str(wanted.pk)]


def test_catalogue_search_ignores_nul_characters(signed_in):
    # Given an iPhone 13 in the catalogue; when the search words and brand hold NUL characters (PostgreSQL
    # refuses them in a query: this was a 500 there), then they are dropped and the search finds it
    apple = BrandFactory(name="Apple")
    wanted = VariantFactory(product_model=ProductModelFactory(name="iPhone 13", brand=apple))
    response = signed_in.get(reverse("seller:offer_new"), {"q": "\x00iphone 13", "brand": "apple\x00"}, headers=HTMX)
    assert response.status_code == 200
    assert re.findall(r"\?variant=(\d+)", response.content.decode()) == [str(wanted.pk)]


def test_creating_an_offer_from_the_catalogue(signed_in, member):
    variant = VariantFactory()
    url = reverse("seller:offer_new") + f"?variant={variant.pk}"
    assert signed_in.get(url).status_code == 200
    data = {
        "variant": variant.pk,
        "sku": "IP13-GOOD-1",
        "grade": "good",
        "battery_tier": "high",
        "parts_provenance": "all_original",
        "warranty_months": "12",
        "dispatch_days": "1",
        "vat_scheme": "margin",
        "stock": "3",
        "price_en-gb": "299",
        "price_de-de": "329.00",
    }
    response = signed_in.post(url, data)
    offer = Offer.objects.get(seller=member.seller, sku="IP13-GOOD-1")
    assert response.status_code == 302
    assert response["Location"] == reverse("seller:offer", args=[offer.pk])
    assert (offer.variant_id, offer.stock, offer.battery_tier, prices(offer)) == (
        variant.pk,
        3,
        "high",
        {"en-gb": 29900, "de-de": 32900},
    )
    # the same SKU again: a form error, no second offer
    response = signed_in.post(url, {**data, "grade": "fair"})
    assert response.status_code == 200
    assert "already have an offer with SKU" in response.content.decode()
    assert Offer.objects.filter(seller=member.seller).count() == 1


def test_a_new_offer_needs_a_price_and_valid_terms(signed_in, member):
    variant = VariantFactory()
    url = reverse("seller:offer_new") + f"?variant={variant.pk}"
    data = {"variant": variant.pk, "sku": "has space", "grade": "good", "battery_tier": "standard"}
    data |= {"parts_provenance": "compatible", "warranty_months": "6", "dispatch_days": "1", "vat_scheme": "margin"}
    html = signed_in.post(url, {**data, "stock": "1"}).content.decode()
    assert "SKU must be 1 to 64 characters without spaces" in html
    assert "greater than or equal to 12" in html
    assert "Give a price in at least one market" in html
    assert not Offer.objects.filter(seller=member.seller).exists()
    good_terms = {"parts_provenance": "all_original", "warranty_months": "12", "sku": "OK-1", "stock": "1"}
    html = signed_in.post(url, {**data, **good_terms, "price_en-gb": "99999999"}).content.decode()
    assert html.count("implausibly high") == 2  # once in the error summary, once at the field
    assert not Offer.objects.filter(seller=member.seller).exists()
    assert signed_in.get(reverse("seller:offer_new") + "?variant=999999").status_code == 404
