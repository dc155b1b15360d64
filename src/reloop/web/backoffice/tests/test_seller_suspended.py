"""A suspended seller's offers are frozen in the back office as in the API; its orders can still be handled."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reloop.catalog.tests.factories import VariantFactory
from reloop.offers.models import Offer, OfferPrice
from reloop.offers.tests.factories import make_offer
from reloop.sellers.models import Standing
from reloop.sellers.services import set_seller_standing
from reloop.sellers.tests.factories import SellerMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def suspended(client):
    # Given a seller with an offer on sale, then suspended by the operator
    member = SellerMemberFactory()
    offer = make_offer(seller=member.seller, variant=VariantFactory(), price=30000, stock=5)
    set_seller_standing(seller=member.seller, standing=Standing.SUSPENDED)
    client.force_login(member.user)
    return member, offer


def test_the_back_office_says_the_account_is_suspended(client, suspended):
    html = client.get(reverse("seller:dashboard")).content.decode()
    assert "Your seller account is suspended" in html


def test_taking_an_offer_off_sale_is_refused_and_nothing_changes(client, suspended):
    _, offer = suspended
    response = client.post(reverse("seller:offer_active", args=[offer.pk]), {"active": "0"}, follow=True)
    assert response.status_code == 200
    assert "offers cannot be changed" in response.content.decode()
    assert Offer.objects.get(pk=offer.pk).is_active is True


def test_an_inline_edit_is_refused_and_nothing_changes(client, suspended):
    _, offer = suspended
    response = client.post(
        reverse("seller:offer_row", args=[offer.pk]),
        {"market": "en-gb", "stock": "9", "price": "199.00"},
        HTTP_HX_REQUEST="true",
    )
    assert "offers cannot be changed" in response.content.decode()
    assert Offer.objects.get(pk=offer.pk).stock == 5
    assert OfferPrice.objects.get(offer=offer, market="en-gb").amount == 30000


def test_a_csv_upload_is_refused_with_a_form_error(client, suspended):
    from django.core.files.uploadedfile import SimpleUploadedFile

    _, offer = suspended
    upload = SimpleUploadedFile("offers.csv", f"sku,stock\n{offer.sku},9\n".encode(), content_type="text/csv")
    response = client.post(reverse("seller:offers_import"), {"file": upload})
    assert response.status_code == 200
    assert "offers cannot be changed" in response.content.decode()
    assert Offer.objects.get(pk=offer.pk).stock == 5


def test_the_offer_page_refuses_a_stock_change_and_nothing_changes(client, suspended):
    _, offer = suspended
    response = client.post(reverse("seller:offer", args=[offer.pk]), {"action": "stock", "stock": "9"})
    assert response.status_code == 200
    assert "offers cannot be changed" in response.content.decode()
    assert Offer.objects.get(pk=offer.pk).stock == 5


def test_listing_a_new_offer_is_refused_and_nothing_is_created(client, suspended):
    member, offer = suspended
    variant = VariantFactory()
    response = client.post(
        reverse("seller:offer_new") + f"?variant={variant.pk}",
        {
            "variant": variant.pk,
            "sku": "NEW-1",
            "grade": "good",
            "battery_tier": "standard",
            "parts_provenance": "all_original",
            "warranty_months": 12,
            "dispatch_days": 1,
            "vat_scheme": "margin",
            "stock": 3,
            "price_en-gb": "199.00",
        },
    )
    assert response.status_code == 200
    assert "offers cannot be changed" in response.content.decode()
    assert list(Offer.objects.filter(seller=member.seller).values_list("pk", flat=True)) == [offer.pk]


def test_the_seller_still_sees_and_handles_its_orders(client, suspended):
    assert client.get(reverse("seller:orders")).status_code == 200
