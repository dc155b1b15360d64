"""Price alert and favourites pages: set from a product, double opt-in, stop without signing in, own data only."""

from __future__ import annotations

import pytest
from django.core import mail

from reloop.accounts.tests.factories import UserFactory
from reloop.catalog.grading import Grade
from reloop.catalog.models import Variant
from reloop.catalog.tests.factories import make_models
from reloop.offers.tests.factories import make_offer
from reloop.pricing.services import refresh_buy_boxes
from reloop.search.models import Favourite, PriceAlert
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def variant():
    make_models(1)
    v = Variant.objects.select_related("product_model").order_by("pk").first()
    make_offer(seller=SellerFactory(quality_score=100), variant=v, grade=Grade.GOOD, price=30000)
    refresh_buy_boxes(variant_ids=[v.pk])
    return v


def test_product_page_links_to_the_alert_form(client, variant):
    html = client.get(f"/en-gb/p/{variant.product_model.slug}/{variant.slug}/").content.decode()
    assert f'href="/en-gb/alerts/new/?variant={variant.pk}&amp;grade=good"' in html


def test_anonymous_alert_double_opt_in_and_stop_without_signing_in(client, variant, django_capture_on_commit_callbacks):
    url = f"/en-gb/alerts/new/?variant={variant.pk}&grade=good"
    assert client.get(url).status_code == 200
    # A visitor without an email is told so, nothing saved
    response = client.post(url, {"variant": variant.pk, "grade": "good", "target": "250"})
    assert response.status_code == 200
    assert not PriceAlert.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"variant": variant.pk, "grade": "good", "target": "250", "email": "v@example.com"})
    assert response.status_code == 302
    alert = PriceAlert.objects.get()
    assert alert.target_price == 25000
    assert alert.confirmed_at is None
    assert len(mail.outbox) == 1
    # The emailed link shows a button; only the POST confirms
    confirm = f"/en-gb/alerts/confirm/{alert.confirm_token}/"
    client.get(confirm)
    alert.refresh_from_db()
    assert alert.confirmed_at is None
    client.post(confirm)
    alert.refresh_from_db()
    assert alert.confirmed_at is not None
    # The stop link works without an account
    assert client.post(f"/en-gb/alerts/stop/{alert.unsubscribe_token}/").status_code == 200
    alert.refresh_from_db()
    assert alert.unsubscribed_at is not None
    assert not alert.armed
    assert client.get("/en-gb/alerts/stop/unknown/").status_code == 404


def test_bad_target_is_a_form_error(client, variant):
    response = client.post(
        f"/en-gb/alerts/new/?variant={variant.pk}", {"variant": variant.pk, "target": "-3", "email": "v@example.com"}
    )
    assert response.status_code == 200
    assert not PriceAlert.objects.exists()
    assert client.get("/en-gb/alerts/new/?variant=abc").status_code == 404


def test_alerts_page_needs_sign_in_and_shows_only_own_alerts(client, variant):
    assert client.get("/en-gb/alerts/").status_code == 302
    owner, other = UserFactory(email="own@example.com"), UserFactory(email="other@example.com")
    client.force_login(owner)
    client.post(f"/en-gb/alerts/new/?variant={variant.pk}", {"variant": variant.pk, "target": "250"})
    alert = PriceAlert.objects.get()
    assert alert.user == owner
    assert alert.confirmed_at is not None  # signed in: no opt-in email needed
    assert variant.product_model.name in client.get("/en-gb/alerts/").content.decode()
    client.force_login(other)
    assert variant.product_model.name not in client.get("/en-gb/alerts/").content.decode()
    assert client.post(f"/en-gb/alerts/{alert.pk}/rearm/").status_code == 404


def test_favourite_from_the_product_page(client, variant):
    model = variant.product_model
    response = client.post(f"/en-gb/favourites/{model.pk}/", {"next": f"/en-gb/p/{model.slug}/"})
    assert response.status_code == 302
    assert "/sign-in/" in response["Location"]
    buyer = UserFactory()
    client.force_login(buyer)
    client.post(f"/en-gb/favourites/{model.pk}/")
    assert Favourite.objects.filter(user=buyer, product_model=model).exists()
    assert model.name in client.get("/en-gb/alerts/").content.decode()
