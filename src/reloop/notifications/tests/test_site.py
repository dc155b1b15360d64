"""Emails link to the address the site is served on (issue 17 item 6): RELOOP_SITE_URL when it is set, else the
address of the request that sent the email, else the default; never a host ALLOWED_HOSTS refuses. An email a
storefront page sends: web/storefront/tests/test_email_links.py."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from reloop.notifications.site import SiteURLMiddleware, site_root


def _answer_with_site_root(request):
    return HttpResponse(site_root())


@pytest.fixture
def from_request(settings):
    settings.RELOOP_SITE_URL_FROM_REQUEST = True
    settings.RELOOP_SITE_URL = "http://127.0.0.1:8000"
    settings.ALLOWED_HOSTS = ["testserver", "localhost", "shop.example"]
    return settings


def test_a_request_gives_its_own_address_and_only_for_its_duration(from_request):
    middleware = SiteURLMiddleware(_answer_with_site_root)
    request = RequestFactory().get("/en-gb/", HTTP_HOST="localhost:8123")
    assert middleware(request).content == b"http://localhost:8123"
    secure = RequestFactory().get("/en-gb/", HTTP_HOST="shop.example", secure=True)
    assert middleware(secure).content == b"https://shop.example"
    assert site_root() == "http://127.0.0.1:8000"  # outside a request: the default


def test_a_host_allowed_hosts_refuses_is_never_used(from_request):
    request = RequestFactory().get("/en-gb/", HTTP_HOST="evil.example")
    assert SiteURLMiddleware(_answer_with_site_root)(request).content == b"http://127.0.0.1:8000"


def test_a_configured_site_url_wins_over_the_request(settings):
    settings.RELOOP_SITE_URL_FROM_REQUEST = False
    settings.RELOOP_SITE_URL = "https://reloop.example/"
    settings.ALLOWED_HOSTS = ["localhost"]
    request = RequestFactory().get("/en-gb/", HTTP_HOST="localhost:8123")
    assert SiteURLMiddleware(_answer_with_site_root)(request).content == b"https://reloop.example"
