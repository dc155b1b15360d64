"""The warranty form takes a battery-floor claim with the reading (issue 16, item 4): opened below the floor,
refused at or above it with the reason, nothing saved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reloop.aftersales.models import Case
from reloop.aftersales.tests.factories import delivered_line
from reloop.catalog.tests.factories import VariantFactory
from reloop.offers.tests.factories import make_offer
from reloop.pricing.services import refresh_buy_boxes
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db
WHY = "Settings shows 76% maximum capacity after eight months."


def warranty_url(sale) -> str:
    return reverse("web:case_open", kwargs={"number": sale.order.number, "line_id": sale.line.pk}) + "?kind=warranty"


def post(client, sale, **fields):
    data = {"kind": "warranty", "reason": "battery_below_floor", "description": WHY} | fields
    return client.post(warranty_url(sale), data)


def test_the_warranty_form_offers_the_reason_and_the_reading_field(client):
    sale = delivered_line()
    client.force_login(sale.buyer)
    html = client.get(warranty_url(sale)).content.decode()
    assert "Battery below the guaranteed floor" in html
    assert 'name="battery_reading"' in html


def test_below_the_floor_the_claim_opens_with_the_reading(client):
    sale = delivered_line()
    client.force_login(sale.buyer)
    response = post(client, sale, battery_reading="76")
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:case", kwargs={"case_id": case.pk})
    assert (case.reason, case.battery_reading, case.battery_floor) == ("battery_below_floor", 76, 80)
    page = client.get(response["Location"]).content.decode()
    assert "Battery health the buyer's device shows: <strong>76%</strong>, under the 80% guaranteed" in page


def test_at_the_floor_or_without_a_reading_the_form_says_why_and_nothing_is_saved(client):
    sale = delivered_line()
    client.force_login(sale.buyer)
    above = post(client, sale, battery_reading="80")
    assert above.status_code == 422
    assert "at or above the 80% this purchase guarantees" in above.content.decode()
    missing = post(client, sale)
    assert missing.status_code == 422
    assert "Give the battery health your device shows" in missing.content.decode()
    assert not Case.objects.exists()


def test_the_product_page_states_the_floor_the_claim_is_checked_against(client):
    offer = make_offer(seller=SellerFactory(), variant=VariantFactory(), battery="high")
    refresh_buy_boxes(variant_ids=[offer.variant_id])
    pm = offer.variant.product_model
    html = client.get(f"/en-gb/p/{pm.slug}/{offer.variant.slug}/").content.decode()
    assert "Guaranteed at 90% or more for the whole warranty" in html
