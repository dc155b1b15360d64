"""An email a storefront request sends links to the address the site runs on (issue 17 item 6): without
RELOOP_SITE_URL, the request's own host and port (notifications/site.py), not the default port 8000."""

from __future__ import annotations

import pytest
from django.core import mail

from reloop.catalog.grading import Grade
from reloop.catalog.models import Variant
from reloop.catalog.tests.factories import make_models
from reloop.offers.tests.factories import make_offer
from reloop.sellers.tests.factories import SellerFactory


@pytest.fixture
def from_request(settings):
    settings.RELOOP_SITE_URL_FROM_REQUEST = True
    settings.RELOOP_SITE_URL = "http://127.0.0.1:8000"
    settings.ALLOWED_HOSTS = ["testserver", "localhost"]
    return settings


@pytest.mark.django_db(transaction=True)  # on_commit runs when the view's transaction commits, within the request
def test_an_email_a_request_sends_links_to_the_port_the_site_runs_on(client, from_request):
    make_models(1)
    variant = Variant.objects.order_by("pk").first()
    make_offer(seller=SellerFactory(quality_score=100), variant=variant, grade=Grade.GOOD, price=30000)
    url = f"/en-gb/alerts/new/?variant={variant.pk}&grade=good"
    form = {"variant": variant.pk, "grade": "good", "target": "250", "email": "v@example.com"}
    assert client.post(url, form, headers={"host": "localhost:8123"}).status_code == 302
    (message,) = mail.outbox
    assert "http://localhost:8123/en-gb/alerts/confirm/" in message.body
    assert "127.0.0.1:8000" not in message.body
