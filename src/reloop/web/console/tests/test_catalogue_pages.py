"""The operator console's catalogue pages: pictures per model and colour (upload, replace, remove, refused files
told why) and search synonyms (add, change, remove, bad input refused), for the catalogue role only."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from reloop.catalog.models import ProductImage
from reloop.catalog.tests.factories import ProductModelFactory, VariantFactory
from reloop.console import roles
from reloop.console.tests.helpers import staff_with
from reloop.search.models import Synonym

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def catalogue(client):
    client.force_login(staff_with(roles.CATALOGUE))
    return client


def upload(shade=0, name="p.jpg", data=None):
    if data is None:
        buffer = io.BytesIO()
        Image.new("RGB", (800, 600), (shade, 40, 90)).save(buffer, "JPEG")
        data = buffer.getvalue()
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def test_upload_replace_and_remove_pictures_per_colour(catalogue, tmp_path, django_capture_on_commit_callbacks):
    pm = ProductModelFactory(name="Phone Seven")
    VariantFactory(product_model=pm, colour="Midnight", slug="128gb-midnight")
    page = catalogue.get(reverse("operator:pictures"), {"q": "seven"}).content.decode()
    assert f"?model={pm.pk}" in page
    page = catalogue.get(reverse("operator:pictures"), {"model": pm.pk}).content.decode()
    assert "Midnight" in page
    assert "Any colour" in page
    url = reverse("operator:picture_upload", args=[pm.pk])
    response = catalogue.post(url, {"colour": "Midnight", "alt": "Front", "picture": upload(10)}, follow=True)
    assert "Picture saved" in response.content.decode()
    first = ProductImage.objects.get()
    assert (first.colour, first.alt, first.is_illustration) == ("Midnight", "Front", False)
    # replace: the new one in, the old one and its files out
    with django_capture_on_commit_callbacks(execute=True):
        catalogue.post(url, {"colour": "Midnight", "alt": "Back", "picture": upload(200), "replace": "1"})
    (second,) = ProductImage.objects.all()
    assert second.alt == "Back"
    assert not (tmp_path / first.renditions[0]["jpeg"]).exists()
    # remove, twice: the second click changes nothing
    delete = reverse("operator:picture_delete", args=[second.pk])
    catalogue.post(delete)
    catalogue.post(delete)
    assert not ProductImage.objects.exists()


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"<svg onload='alert(1)'/>", "not a JPEG, PNG or WebP image"), (b"", "empty")],
)
def test_a_refused_file_is_told_why_and_changes_nothing(catalogue, data, reason):
    pm = ProductModelFactory()
    url = reverse("operator:picture_upload", args=[pm.pk])
    response = catalogue.post(url, {"colour": "", "picture": upload(data=data, name="x.jpg")}, follow=True)
    html = response.content.decode()
    assert "The picture was not added" in html
    assert reason in html
    assert not ProductImage.objects.exists()


def test_synonyms_are_added_changed_and_removed(catalogue):
    url = reverse("operator:synonyms")
    catalogue.post(url, {"term": "Télé", "expansion": "television"})
    synonym = Synonym.objects.get()
    assert (synonym.term, synonym.expansion) == ("tele", "television")
    catalogue.post(url, {"term": "tele", "expansion": "tv television"})
    assert Synonym.objects.get().expansion == "tv television"
    assert "tv television" in catalogue.get(url).content.decode()
    response = catalogue.post(url, {"term": "", "expansion": "x"})
    assert response.status_code == 400
    assert "The synonym was not saved" in response.content.decode()
    catalogue.post(reverse("operator:synonym_delete", args=[synonym.pk]))
    assert not Synonym.objects.exists()


def test_support_staff_cannot_change_pictures_or_synonyms(client):
    client.force_login(staff_with(roles.SUPPORT))
    pm = ProductModelFactory()
    assert client.post(reverse("operator:picture_upload", args=[pm.pk]), {"picture": upload()}).status_code == 403
    assert client.post(reverse("operator:synonyms"), {"term": "ps", "expansion": "playstation"}).status_code == 403
    assert not ProductImage.objects.exists()
    assert not Synonym.objects.exists()
