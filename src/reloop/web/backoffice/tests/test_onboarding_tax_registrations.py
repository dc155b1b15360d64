"""Applying to sell (/seller/apply/) with the tax registrations Japanese and Australian invoices print: both
optional, checked, and stored in their compact form; a bad one is a form error, nothing saved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reloop.accounts.tests.factories import UserFactory
from reloop.sellers.models import SellerApplication
from reloop.web.tests.test_seller_onboarding_pages import VALID

pytestmark = pytest.mark.django_db


def test_the_form_offers_both_registrations_and_stores_them_compact(client):
    client.force_login(UserFactory())
    page = client.get(reverse("seller:apply"))
    assert b'name="jp_registration_number"' in page.content
    assert b'name="au_abn"' in page.content
    response = client.post(
        reverse("seller:apply"), {**VALID, "jp_registration_number": "T5835678256246", "au_abn": "51 824 753 556"}
    )
    assert response.status_code == 302
    application = SellerApplication.objects.get()
    assert (application.jp_registration_number, application.au_abn) == ("T5835678256246", "51824753556")


def test_a_wrong_abn_is_a_form_error_and_nothing_is_saved(client):
    client.force_login(UserFactory())
    response = client.post(reverse("seller:apply"), {**VALID, "au_abn": "51 824 753 557"})
    assert response.status_code == 200
    assert b"Give your ABN, 11 digits" in response.content
    assert not SellerApplication.objects.exists()


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr-fr", "Enregistrements fiscaux"), ("de-de", "Steuerregistrierungen"), ("es-es", "Registros fiscales"),
     ("it-it", "Registrazioni fiscali")],
)  # fmt: skip
def test_the_new_labels_are_translated(language, expected):
    from django.utils import translation

    with translation.override(language):
        assert translation.gettext("Tax registrations for Japan and Australia (optional)").startswith(expected)
        assert "%(tax)s" in translation.gettext("including %(tax)s sales tax")
        assert translation.gettext("including %(tax)s sales tax") != "including %(tax)s sales tax"
