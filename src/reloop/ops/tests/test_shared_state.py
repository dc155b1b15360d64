"""Shared state for many processes: media on S3-compatible storage with signed URLs (moto's server), and the page
cache, sessions and rate limits on Redis."""

from __future__ import annotations

import urllib.request

import pytest
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from reloop.aftersales import services as aftersales
from reloop.aftersales.tests.factories import JPEG, delivered_line, photo
from reloop.ops.tests.services import moto_server, redis_url

pytestmark = pytest.mark.django_db

BUCKET = "reloop-test-media"


@pytest.fixture(scope="module")
def s3_endpoint():
    with moto_server() as endpoint:
        yield endpoint


@pytest.fixture
def s3_media(settings, s3_endpoint, monkeypatch):
    import boto3

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1").create_bucket(Bucket=BUCKET)
    settings.RELOOP_S3_BUCKET = BUCKET
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "us-east-1",
                "location": "media",
                "default_acl": "private",
                "querystring_auth": True,
                "querystring_expire": 300,
                "file_overwrite": False,
                "signature_version": "s3v4",
            },
        },
    }
    return s3_endpoint


def test_files_go_through_the_storage_api_to_the_bucket(s3_media):
    import boto3

    name = default_storage.save("cases/1/a.jpg", ContentFile(JPEG))
    listed = boto3.client("s3", endpoint_url=s3_media, region_name="us-east-1").list_objects_v2(Bucket=BUCKET)
    assert [o["Key"] for o in listed["Contents"]] == [f"media/{name}"]
    with default_storage.open(name, "rb") as handle:
        assert handle.read() == JPEG
    # the same name again is kept apart, never overwritten
    assert default_storage.save("cases/1/a.jpg", ContentFile(b"other")) != name


def test_a_case_photo_is_served_by_a_signed_url_to_its_buyer_only(s3_media, client):
    sale, stranger = delivered_line(), delivered_line()
    case = aftersales.open_return(
        actor=sale.buyer,
        line_id=sale.line.pk,
        reason="change_of_mind",
        description="Too big for my hand.",
        photos=[photo(JPEG)],
    )
    item = case.photos.get()
    url = reverse("web:case_photo", kwargs={"case_id": case.pk, "photo_id": item.pk})
    client.force_login(stranger.buyer)
    assert client.get(url).status_code == 404
    client.force_login(sale.buyer)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    signed = response["Location"]
    assert signed.startswith(f"{s3_media}/{BUCKET}/media/")
    assert "X-Amz-Signature=" in signed
    assert "X-Amz-Expires=300" in signed
    with urllib.request.urlopen(signed) as fetched:  # noqa: S310  # our local moto server
        assert fetched.read() == JPEG
        assert fetched.headers["Content-Type"] == "image/jpeg"
    # (moto does not check signatures, so refusing a tampered or expired URL is S3's part, not tested here)


@pytest.fixture
def shared_redis(settings):
    url = redis_url()
    settings.REDIS_URL = url
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": "t"},
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    caches["default"].clear()
    yield url
    caches["default"].clear()


def test_sessions_live_in_redis_and_survive_another_process(shared_redis, client):
    import redis

    from reloop.accounts.tests.factories import UserFactory

    user = UserFactory.create()
    client.force_login(user)
    session_key = client.cookies["sessionid"].value
    keys = redis.Redis.from_url(shared_redis).keys("t:*django.contrib.sessions.cache*")
    assert any(session_key.encode() in k for k in keys)
