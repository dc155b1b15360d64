"""The device passport follows a traded-in unit to its next buyer: intake, refurbishing, sale — and nothing about
the customer who traded it in."""

from __future__ import annotations

import datetime as dt

import pytest

from reloop.buyback import services
from reloop.buyback.tests.factories import NOW, accepted_tradein
from reloop.core import clock
from reloop.devices.tests.factories import imei
from reloop.fulfillment.services import ship_seller_order
from reloop.orders.tests.factories import a_phone_order

pytestmark = pytest.mark.django_db


def test_the_next_buyer_sees_the_passport_of_a_traded_in_unit(client, django_assert_max_num_queries):
    tradein = accepted_tradein()
    unit = imei(42)
    with clock.frozen_at(NOW + dt.timedelta(days=1)):
        services.receive_tradein(actor=None, seller=tradein.seller, number=tradein.number, identifier=unit)
        services.validate_tradein(actor=None, seller=tradein.seller, number=tradein.number)
        services.record_work(
            actor=None,
            seller=tradein.seller,
            number=tradein.number,
            details={
                "battery_health": 100,
                "battery_cycles": 3,
                "battery_replaced": True,
                "parts_replaced": ["battery (OEM)"],
                "tests_passed": ["Face ID", "cameras"],
                "erasure_certificate": "ERASE-2026-0042",
            },
        )
    seller, part, line = a_phone_order(seller=tradein.seller)
    ship_seller_order(
        actor=None,
        seller=seller,
        seller_order_id=part.pk,
        carrier="royal_mail",
        tracking_number="AB000000042GB",
        units={line.pk: [unit]},
    )
    client.force_login(part.order.buyer)
    page = client.get(f"/en-gb/orders/{part.order.number}/tracking/{part.pk}/").content.decode()
    assert f"Device passport of {unit}" in page
    for text in (
        "Traded in",
        "Refurbished",
        "Sold and shipped",
        "ERASE-2026-0042",
        "Battery health 100%",
        "battery (OEM)",
        "Flawless",
        "IMEI, blocklist and lock checks passed",
    ):
        assert text in page, text
    customer = tradein.customer
    for private in (customer.email, customer.first_name + " " + customer.last_name, tradein.number):
        assert private not in page
