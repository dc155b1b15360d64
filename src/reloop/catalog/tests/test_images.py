"""The image pipeline: responsive WebP + JPEG renditions, metadata dropped; too large, non-image and malicious
files refused with a clear message and nothing stored; illustrations labelled; pictures served only by name."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from reloop.catalog.illustrations import colour_rgb, draw
from reloop.catalog.images import ImageRefused, open_upload
from reloop.catalog.models import ProductImage
from reloop.catalog.services import add_product_image
from reloop.catalog.tests.factories import ProductModelFactory


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _jpeg(size=(1600, 1200), exif=True) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    buffer = io.BytesIO()
    if exif:
        info = Image.Exif()
        info[0x010F] = "SecretCam"  # Make
        image.save(buffer, "JPEG", exif=info)
    else:
        image.save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.mark.django_db
def test_renditions_in_webp_and_jpeg_without_metadata():
    pm = ProductModelFactory()
    image = add_product_image(actor=None, product_model_id=pm.pk, data=_jpeg(), alt="Red phone", colour="Red")
    assert [r["w"] for r in image.renditions] == [320, 640, 1280]
    assert [r["h"] for r in image.renditions] == [240, 480, 960]
    assert (image.width, image.height) == (1280, 960)
    for r in image.renditions:
        with default_storage.open(r["webp"]) as f:
            assert Image.open(f).format == "WEBP"
        with default_storage.open(r["jpeg"]) as f:
            stored = Image.open(f)
            assert stored.format == "JPEG"
            assert "SecretCam" not in str(dict(stored.getexif()))


@pytest.mark.django_db
def test_a_small_image_is_never_upscaled():
    pm = ProductModelFactory()
    image = add_product_image(actor=None, product_model_id=pm.pk, data=_jpeg((500, 400)), alt="x")
    assert [r["w"] for r in image.renditions] == [320, 500]


def _png(size, mode="RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"just some text, not a picture", "not a JPEG, PNG or WebP image"),
        (b"<html><script>alert(1)</script></html>", "not a JPEG, PNG or WebP image"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "not a JPEG, PNG or WebP image"),
        (b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 100 100\n", "not a JPEG, PNG or WebP image"),
        (_png((10_000, 10_000), mode="1"), "at most 40 megapixels"),  # a decompression bomb: 100 MP in a few KB
        (_jpeg()[:2000], "damaged"),  # truncated
        (_png((100, 100)), "at least 200"),
        (b"", "empty"),
    ],
)
@pytest.mark.django_db
def test_refused_files_say_why_and_store_nothing(data, message, tmp_path):
    pm = ProductModelFactory()
    with pytest.raises(ImageRefused) as refused:
        add_product_image(actor=None, product_model_id=pm.pk, data=data, alt="x")
    assert message in refused.value.message
    assert not ProductImage.objects.exists()
    assert not any(tmp_path.rglob("*.webp"))


def test_other_image_formats_are_not_decoded():
    buffer = io.BytesIO()
    Image.new("RGB", (300, 300)).save(buffer, "TIFF")
    with pytest.raises(ImageRefused, match="not a JPEG, PNG or WebP"):
        open_upload(buffer.getvalue())


def test_too_large_a_file_is_refused_before_decoding(settings):
    settings.RELOOP_IMAGE_MAX_BYTES = 1000
    with pytest.raises(ImageRefused, match="images may be at most"):
        open_upload(_jpeg())


def test_illustrations_draw_every_category_in_its_colour():
    assert colour_rgb("Sierra Blue") != colour_rgb("Midnight")
    for category in (
        "smartphones",
        "tablets",
        "laptops",
        "desktops",
        "monitors",
        "consoles",
        "video-games",
        "smartwatches",
        "audio",
        "keyboards",
        "mice",
        "other",
    ):
        image = Image.open(io.BytesIO(draw(category, "Red")))
        assert image.size == (800, 800)
        open_upload(draw(category, "Red"))  # our own drawings pass our own checks


@pytest.mark.django_db
def test_media_view_serves_renditions_only(client):
    pm = ProductModelFactory()
    image = add_product_image(
        actor=None, product_model_id=pm.pk, data=draw("smartphones", "Blue"), alt="x", is_illustration=True
    )
    name = image.renditions[0]["webp"]
    response = client.get(f"/media/{name}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert "immutable" in response["Cache-Control"]
    assert response.content[:4] == b"RIFF"
    assert client.get("/media/aftersales/cases/1/photo.jpg").status_code == 404
    assert client.get("/media/catalogue/../../secret_key").status_code == 404
