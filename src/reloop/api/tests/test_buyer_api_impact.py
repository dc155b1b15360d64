"""The buyer API's order lines carry the per-unit CO2e with its range, as frozen at placement (ADR 0042)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from reloop.accounts.models import User
from reloop.api.tests.test_buyer_api import api, buyer_token
from reloop.catalog.tests.factories import VariantFactory
from reloop.console.tests.test_impact_ranges import _place
from reloop.offers.tests.factories import make_offer
from reloop.orders.models import OrderLine
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db


def test_an_order_line_reads_its_frozen_range(client):
    token = buyer_token(client)
    ada = User.objects.get(email="ada@example.com")
    offer = make_offer(seller=SellerFactory(), variant=VariantFactory(), stock=5)
    order = _place(offer, market="en-gb", quantity=1, buyer=ada, paid_at=dt.datetime(2026, 3, 5, tzinfo=dt.UTC))
    OrderLine.objects.filter(seller_order__order=order).update(
        avoided_kgco2e=Decimal("40.0"), avoided_kgco2e_low=Decimal("30.5"), avoided_kgco2e_high=Decimal("45.0")
    )
    body = api(client, "get", f"/orders/{order.number}", token).json()
    line = body["parts"][0]["lines"][0]
    assert (line["avoided_kgco2e_low"], line["avoided_kgco2e"], line["avoided_kgco2e_high"]) == (30.5, 40.0, 45.0)
