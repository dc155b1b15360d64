"""A seller adds photos of the actual unit in the back office; buyers see them with that offer on the product page,
labelled as the seller's; a refused file says why; another seller cannot touch them."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from reloop.catalog.grading import Grade
from reloop.catalog.tests.factories import CategoryFactory, ProductModelFactory, VariantFactory
from reloop.offers.models import OfferPhoto
from reloop.offers.tests.factories import make_offer
from reloop.pricing.services import refresh_buy_boxes
from reloop.sellers.tests.factories import SellerMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def photo(shade=0, data=None):
    if data is None:
        buffer = io.BytesIO()
        Image.new("RGB", (1000, 750), (shade, 90, 40)).save(buffer, "JPEG")
        data = buffer.getvalue()
    return SimpleUploadedFile("unit.jpg", data, content_type="image/jpeg")


@pytest.fixture
def listing():
    member = SellerMemberFactory()
    category = CategoryFactory(slug="smartphones")
    pm = ProductModelFactory(category=category, name="Phone Nine", slug="acme-phone-nine")
    variant = VariantFactory(product_model=pm, storage_gb=128, colour="Black", slug="128gb-black")
    offer = make_offer(seller=member.seller, variant=variant, grade=Grade.GOOD)
    refresh_buy_boxes(variant_ids=[variant.pk])
    return member, offer


def test_the_seller_adds_a_photo_and_buyers_see_it_labelled_with_the_offer(
    client, listing, django_capture_on_commit_callbacks
):
    member, offer = listing
    client.force_login(member.user)
    url = reverse("seller:offer_photo_add", args=[offer.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"photo": photo(), "alt": "Back of the phone, small scratch"}, follow=True)
    html = response.content.decode()
    assert "Photo added" in html
    assert 'data-testid="offer-photos"' in html
    assert "Back of the phone, small scratch" in html
    client.logout()
    page = client.get(f"/en-gb/p/{offer.variant.product_model.slug}/128gb-black/").content.decode()
    assert 'data-testid="seller-photos"' in page
    assert "1 photo of this unit from the seller" in page
    assert "Taken by the seller" in page
    stored = OfferPhoto.objects.get()
    picture = stored.renditions[0]["webp"]
    assert f"/media/{picture}" in page
    assert 'loading="lazy"' in page
    assert client.get(f"/media/{picture}").status_code == 200  # served like catalogue pictures


def test_a_refused_file_is_told_why_and_nothing_is_added(client, listing):
    member, offer = listing
    client.force_login(member.user)
    url = reverse("seller:offer_photo_add", args=[offer.pk])
    html = client.post(url, {"photo": photo(data=b"%PDF-1.7 not a picture")}, follow=True).content.decode()
    assert "The photo was not added" in html
    assert "not a JPEG, PNG or WebP image" in html
    html = client.post(url, {}, follow=True).content.decode()
    assert "Choose a photo to upload" in html
    assert not OfferPhoto.objects.exists()


def test_another_seller_gets_404_and_changes_nothing(client, listing):
    member, offer = listing
    client.force_login(member.user)
    client.post(reverse("seller:offer_photo_add", args=[offer.pk]), {"photo": photo()})
    stored = OfferPhoto.objects.get()
    client.force_login(SellerMemberFactory().user)
    assert client.post(reverse("seller:offer_photo_add", args=[offer.pk]), {"photo": photo(99)}).status_code == 404
    delete = reverse("seller:offer_photo_delete", args=[offer.pk, stored.pk])
    assert client.post(delete).status_code == 404
    assert OfferPhoto.objects.count() == 1
