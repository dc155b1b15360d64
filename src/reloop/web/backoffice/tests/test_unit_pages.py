"""Back office: the units behind an offer (issue 16 item 1). A seller lists a unit with the form or many with a CSV,
withdraws one; bad input is a form error with nothing written; another seller's offer and units are out of reach."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reloop.devices.tests.factories import BAD_IMEI, imei
from reloop.passports.models import OfferUnit
from reloop.passports.tests.factories import list_units, phone_offer
from reloop.sellers.tests.factories import SellerMemberFactory
from reloop.web.tests.helpers import queries_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    return SellerMemberFactory(seller__name="Alpha Refurb")


@pytest.fixture
def offer(member):
    return phone_offer(seller=member.seller)


@pytest.fixture
def signed_in(client, member):
    client.force_login(member.user)
    return client


def url(offer):
    return f"/seller/offers/{offer.pk}/units/"


def test_a_seller_lists_a_unit_with_its_passport_from_the_form(signed_in, offer):
    response = signed_in.post(
        url(offer),
        {
            "action": "add",
            "unit": imei(1),
            "battery_health": "93",
            "battery_cycles": "150",
            "part_screen": "original",
            "part_battery": "third_party",
            "tests_passed": ["display", "touch"],
            "tests_failed": ["nfc"],
            "erasure_method": "nist_800_88_purge",
            "erasure_certificate": "CERT-7781",
            "carrier_unlocked": "yes",
            "activation_lock_off": "yes",
            "mdm_free": "",
        },
    )
    assert response.status_code == 302
    unit = OfferUnit.objects.get()
    assert (unit.identifier, unit.battery_health, unit.battery_cycles) == (imei(1), 93, 150)
    assert unit.parts == [
        {"part": "screen", "provenance": "original"},
        {"part": "battery", "provenance": "third_party"},
    ]
    assert unit.tests == [
        {"test": "display", "passed": True},
        {"test": "touch", "passed": True},
        {"test": "nfc", "passed": False},
    ]
    assert (unit.carrier_unlocked, unit.activation_lock_off, unit.mdm_free) == (True, True, None)
    html = signed_in.get(url(offer)).content.decode()
    assert imei(1) in html
    assert "battery 93 %; 150 cycles; screen replaced with an original part" in html


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"unit": BAD_IMEI}, "its check digit is wrong"),
        ({"unit": imei(1), "battery_health": "101"}, "Ensure this value is less than or equal to 100"),
        ({"unit": imei(1), "battery_cycles": "-4"}, "Ensure this value is greater than or equal to 0"),
        ({"unit": imei(1), "erasure_certificate": "jane@example.com", "erasure_method": "blancco"}, "certificate"),
    ],
)
def test_bad_input_is_a_form_error_and_nothing_is_written(signed_in, offer, fields, message):
    response = signed_in.post(url(offer), {"action": "add", **fields})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert OfferUnit.objects.count() == 0


def test_a_unit_csv_is_imported_or_refused_whole_with_its_lines_to_fix(signed_in, offer):
    header = "sku,unit,battery_health,battery_cycles,erasure_method\n"
    bad = f"{header}{offer.sku},{imei(1)},90,10,blancco\n{offer.sku},{imei(2)},150,10,blancco\n"
    response = signed_in.post(
        url(offer), {"action": "csv", "file": SimpleUploadedFile("u.csv", bad.encode(), "text/csv")}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="csv-errors"' in html
    assert "Battery health is a whole percentage from 0 to 100" in html
    assert OfferUnit.objects.count() == 0
    good = f"{header}{offer.sku},{imei(1)},90,10,blancco\n{offer.sku},{imei(2)},95,10,blancco\n"
    response = signed_in.post(
        url(offer), {"action": "csv", "file": SimpleUploadedFile("u.csv", good.encode(), "text/csv")}
    )
    assert response.status_code == 302
    assert OfferUnit.objects.count() == 2


def test_withdrawing_a_unit(signed_in, offer):
    unit = list_units(offer, [90])[0]
    assert signed_in.post(url(offer), {"action": "withdraw", "unit": unit.pk}).status_code == 302
    unit.refresh_from_db()
    assert unit.status == "withdrawn"


def test_another_seller_never_sees_nor_changes_the_units(client, offer):
    unit = list_units(offer, [90])[0]
    intruder = SellerMemberFactory(seller__name="Intruder")
    client.force_login(intruder.user)
    assert client.get(url(offer)).status_code == 404
    assert client.post(url(offer), {"action": "withdraw", "unit": unit.pk}).status_code == 404
    own = phone_offer(seller=intruder.seller)
    response = client.post(url(own), {"action": "withdraw", "unit": unit.pk})  # A's unit through B's own offer
    assert response.status_code == 400
    assert imei(1) not in client.get(url(own)).content.decode()
    unit.refresh_from_db()
    assert unit.status == "available"
    client.logout()
    assert client.get(url(offer)).status_code == 302  # anonymous: to sign-in


def test_the_units_page_costs_the_same_queries_for_one_unit_and_ten(signed_in, offer):
    list_units(offer, [90])
    one, _ = queries_for(signed_in, url(offer))
    list_units(offer, [80 + n for n in range(9)], start=2)
    assert queries_for(signed_in, url(offer))[0] == one
