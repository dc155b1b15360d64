"""Seller back office, CSV export and import pages: who may see them, the report, applying once, query counts."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reloop.accounts.tests.factories import UserFactory
from reloop.catalog.tests.factories import VariantFactory
from reloop.offers.imports import validate_offer_import
from reloop.offers.models import ImportStatus, Offer, OfferImport
from reloop.offers.tests.factories import make_offer
from reloop.sellers.models import MemberRole
from reloop.sellers.tests.factories import SellerMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _inline_apply(settings):
    """Apply during the request: a thread's connection would not see the test's transaction."""
    settings.RELOOP_IMPORT_APPLY = "inline"


@pytest.fixture
def member():
    return SellerMemberFactory(role=MemberRole.STAFF)


@pytest.fixture
def offer(member):
    return make_offer(seller=member.seller, variant=VariantFactory(), price=30000, stock=5)


def upload(client, text: str | bytes, name="offers.csv"):
    data = text.encode() if isinstance(text, str) else text
    return client.post(reverse("seller:offers_import"), {"file": SimpleUploadedFile(name, data, "text/csv")})


def an_import(seller, text="sku,stock\nX,1\n"):
    return validate_offer_import(actor=None, seller=seller, filename="f.csv", data=text.encode())


# --- Authorization ---------------------------------------------------------------------------------------

PAGES = [
    ("seller:offers_import", False),
    ("seller:offers_export", False),
    ("seller:offers_import_report", True),
    ("seller:offers_import_status", True),
    ("seller:offers_import_errors", True),
]


@pytest.mark.parametrize(("name", "needs_import"), PAGES)
def test_anonymous_is_sent_to_sign_in_and_a_buyer_gets_403(client, member, name, needs_import):
    args = [an_import(member.seller).pk] if needs_import else []
    url = reverse(name, args=args)
    response = client.get(url)
    assert response.status_code == 302
    assert "/account/sign-in/" in response["Location"]
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403


@pytest.mark.parametrize(
    "name", ["seller:offers_import_report", "seller:offers_import_status", "seller:offers_import_errors"]
)
def test_another_sellers_import_is_404(client, member, name):
    other = SellerMemberFactory()
    theirs = an_import(other.seller)
    client.force_login(member.user)
    assert client.get(reverse(name, args=[theirs.pk])).status_code == 404
    assert client.get(reverse(name, args=[an_import(member.seller).pk])).status_code == 200


def test_another_seller_cannot_apply_an_import(client, member, offer):
    theirs = an_import(SellerMemberFactory().seller, "sku,stock\nX,1\n")
    client.force_login(member.user)
    response = client.post(reverse("seller:offers_import_apply", args=[theirs.pk]), {"skip_invalid": "on"})
    assert response.status_code == 404
    assert OfferImport.objects.get(pk=theirs.pk).status == ImportStatus.VALIDATED


# --- Export ----------------------------------------------------------------------------------------------


def test_the_export_streams_every_offer_in_the_import_format(client, member, offer):
    SellerMemberFactory()  # another seller's offers never appear
    client.force_login(member.user)
    response = client.get(reverse("seller:offers_export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(r["sku"], r["stock"], r["price_en-gb"], r["price_fr-fr"], r["active"]) for r in rows] == [
        (offer.sku, "5", "300.00", "", "yes")
    ]


def test_the_export_runs_the_same_queries_for_1_and_10_offers(client, member, offer, django_assert_num_queries):
    client.force_login(member.user)
    # session, user, membership, one chunk of offers, their prices
    with django_assert_num_queries(5):
        b"".join(client.get(reverse("seller:offers_export")).streaming_content)
    for _ in range(9):
        make_offer(seller=member.seller, variant=VariantFactory())
    with django_assert_num_queries(5):
        b"".join(client.get(reverse("seller:offers_export")).streaming_content)


# --- Import ----------------------------------------------------------------------------------------------


def test_upload_shows_a_report_then_apply_writes_it_once(client, member, offer):
    client.force_login(member.user)
    # when a file with one good and one bad line is uploaded
    response = upload(client, f"sku,stock,price_en-gb\n{offer.sku},8,289.00\nNEW-9,-2,10\n")
    assert response.status_code == 302
    offer_import = OfferImport.objects.get(seller=member.seller)
    page = client.get(response["Location"])
    content = page.content.decode()
    # then the report lists the bad line with its column and value, and nothing changed
    assert 'data-figure="updated">1<' in content
    assert 'data-figure="errors" class="has-errors">1<' in content
    assert '<th scope="row">3</th><td><code>stock</code></td><td><code>-2</code></td>' in content
    assert Offer.objects.get(pk=offer.pk).stock == 5
    # applying without skipping the bad line is refused, still nothing written
    refused = client.post(reverse("seller:offers_import_apply", args=[offer_import.pk]))
    assert refused.status_code == 422
    assert Offer.objects.get(pk=offer.pk).stock == 5
    # applying while skipping it writes the good line, once
    for _ in range(2):
        done = client.post(reverse("seller:offers_import_apply", args=[offer_import.pk]), {"skip_invalid": "on"})
        assert done.status_code == 302
    offer.refresh_from_db()
    assert (offer.stock, offer.prices.get().amount) == (8, 28900)
    assert OfferImport.objects.get(pk=offer_import.pk).status == ImportStatus.APPLIED
    result = client.get(done["Location"]).content.decode()
    assert "What the file changed" in result
    status = client.get(reverse("seller:offers_import_status", args=[offer_import.pk]))
    assert status["HX-Refresh"] == "true"


def test_the_errors_download_lists_every_error(client, member, offer):
    client.force_login(member.user)
    offer_import = an_import(member.seller, f"sku,stock\n{offer.sku},x\n{offer.sku}-2,-1\n")
    body = client.get(reverse("seller:offers_import_errors", args=[offer_import.pk])).content.decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert [r[:4] for r in rows[1:]] == [["2", "stock", "x", "not_a_number"], ["3", "stock", "-1", "invalid_stock"]]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The submitted file is empty."),
        (b"sku,stock\n", "no lines of offers"),
        ("sku,stock\nCafé,1\n".encode("cp1252"), "not UTF-8: line 2"),
        (b"sku,colour\nA,red\n", "Unknown column(s): colour"),
        (("sku,stock\n" + "".join(f"S{n},1\n" for n in range(20_000))).encode(), "more than 15,000 lines"),
    ],
)
def test_a_file_refused_whole_is_a_form_error_and_stores_nothing(client, member, data, message):
    client.force_login(member.user)
    response = upload(client, data)
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not OfferImport.objects.exists()


def test_a_semicolon_file_with_a_bom_is_accepted(client, member, offer):
    client.force_login(member.user)
    response = upload(client, b"\xef\xbb\xbfsku;price_en-gb\r\n" + offer.sku.encode() + b";279,50\r\n")
    assert response.status_code == 302
    assert OfferImport.objects.get().summary["updated"] == 1


def test_the_upload_page_lists_recent_imports_in_constant_queries(client, member, django_assert_num_queries):
    client.force_login(member.user)
    an_import(member.seller)
    # session, user, membership, the site's category menu, the recent imports
    with django_assert_num_queries(5):
        assert client.get(reverse("seller:offers_import")).status_code == 200
    for _ in range(9):
        an_import(member.seller)
    cache.clear()  # the same cold menu cache as the first request
    with django_assert_num_queries(5):
        response = client.get(reverse("seller:offers_import"))
    assert response.content.decode().count('<th scope="row"><a href="/seller/offers/import/') == 10


def test_the_menu_links_import_export(client, member):
    client.force_login(member.user)
    assert 'href="/seller/offers/import/"' in client.get(reverse("seller:dashboard")).content.decode()
