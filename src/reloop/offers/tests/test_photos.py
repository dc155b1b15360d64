"""Sellers' photos of the unit: stored through the image pipeline, refused files say why and store nothing, a retried
upload adds nothing, at most eight per offer, and one seller can never touch another's offer photos."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from reloop.catalog.images import ImageRefused
from reloop.catalog.tests.factories import VariantFactory
from reloop.offers import photos
from reloop.offers.errors import InvalidOffer, OfferNotFound
from reloop.offers.models import OfferPhoto
from reloop.offers.tests.factories import make_offer
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def jpeg(shade=0, size=(900, 600)) -> bytes:
    buffer = io.BytesIO()
    info = Image.Exif()
    info[0x010F] = "SellerPhone"  # camera metadata the pipeline must drop
    Image.new("RGB", size, (shade, 80, 120)).save(buffer, "JPEG", exif=info)
    return buffer.getvalue()


@pytest.fixture
def offer():
    return make_offer(seller=SellerFactory(), variant=VariantFactory())


def test_a_photo_is_stored_as_responsive_renditions_with_a_default_alt(offer, django_capture_on_commit_callbacks):
    version = offer.variant.cache_version
    with django_capture_on_commit_callbacks(execute=True):
        photo = photos.add_offer_photo(seller=offer.seller, offer_id=offer.pk, data=jpeg())
    assert [r["w"] for r in photo.renditions] == [320, 640, 900]
    assert all(r["webp"].startswith(f"offers/{offer.pk}/") for r in photo.renditions)
    assert all(default_storage.exists(r["jpeg"]) for r in photo.renditions)
    assert photo.alt.startswith("Photo of the unit sold:")
    with default_storage.open(photo.renditions[0]["jpeg"]) as stored:
        assert "SellerPhone" not in str(dict(Image.open(stored).getexif()))
    offer.variant.refresh_from_db()
    assert offer.variant.cache_version == version + 1  # the cached product page follows


def test_a_retried_upload_returns_the_first_photo(offer):
    first = photos.add_offer_photo(seller=offer.seller, offer_id=offer.pk, data=jpeg(), alt="Back")
    again = photos.add_offer_photo(seller=offer.seller, offer_id=offer.pk, data=jpeg(), alt="Back")
    assert again.pk == first.pk
    assert OfferPhoto.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<svg onload='alert(1)'/>", "not a JPEG, PNG or WebP image"),
        (b"MZ\x90\x00 an executable", "not a JPEG, PNG or WebP image"),
        (jpeg(size=(120, 90)), "at least 200"),
        (jpeg()[:1500], "damaged"),
    ],
)
def test_refused_files_say_why_and_store_nothing(offer, data, message, tmp_path):
    with pytest.raises(ImageRefused) as refused:
        photos.add_offer_photo(seller=offer.seller, offer_id=offer.pk, data=data)
    assert message in refused.value.message
    assert not OfferPhoto.objects.exists()
    assert not any(tmp_path.rglob("*.jpg"))


def test_a_too_large_file_is_refused_with_its_size(offer, settings):
    settings.RELOOP_IMAGE_MAX_BYTES = 10_000
    with pytest.raises(ImageRefused) as refused:
        photos.add_offer_photo(seller=offer.seller, offer_id=offer.pk, data=jpeg() + b"\0" * 20_000)
    assert "images may be at most" in refused.value.message


def test_at_most_eight_photos(offer):
    for shade in range(photos.MAX_PHOTOS_PER_OFFER):
        photos.add_offer_photo(seller=offer.seller, offer_id=offer.pk, data=jpeg(shade * 30, size=(300, 200)))
    with pytest.raises(InvalidOffer) as refused:
        photos.add_offer_photo(seller=offer.seller, offer_id=offer.pk, data=jpeg(250, size=(300, 200)))
    assert refused.value.code == "too_many_photos"


def test_another_seller_can_neither_add_nor_remove(offer):
    photo = photos.add_offer_photo(seller=offer.seller, offer_id=offer.pk, data=jpeg())
    intruder = SellerFactory()
    with pytest.raises(OfferNotFound):
        photos.add_offer_photo(seller=intruder, offer_id=offer.pk, data=jpeg(150))
    with pytest.raises(OfferNotFound):
        photos.delete_offer_photo(seller=intruder, offer_id=offer.pk, photo_id=photo.pk)
    own = make_offer(seller=intruder, variant=VariantFactory())
    assert photos.delete_offer_photo(seller=intruder, offer_id=own.pk, photo_id=photo.pk) is False  # not its offer's
    assert OfferPhoto.objects.filter(pk=photo.pk).exists()
    assert photos.photos_of(seller=intruder, offer_id=offer.pk) == []


def test_removing_a_photo_deletes_its_files_and_renumbers(offer, django_capture_on_commit_callbacks):
    first = photos.add_offer_photo(seller=offer.seller, offer_id=offer.pk, data=jpeg(10))
    second = photos.add_offer_photo(seller=offer.seller, offer_id=offer.pk, data=jpeg(200))
    with django_capture_on_commit_callbacks(execute=True):
        assert photos.delete_offer_photo(seller=offer.seller, offer_id=offer.pk, photo_id=first.pk) is True
    assert not any(default_storage.exists(r["jpeg"]) for r in first.renditions)
    second.refresh_from_db()
    assert second.position == 0
    assert photos.delete_offer_photo(seller=offer.seller, offer_id=offer.pk, photo_id=first.pk) is False  # twice
