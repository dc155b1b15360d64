"""A seller's insights page lists the CO2e its own kept sales avoided, per market and month, from its order lines'
snapshots (issue 16 item 2), and nothing of another seller's."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from reloop.accounts.tests.factories import UserFactory
from reloop.catalog.tests.factories import VariantFactory
from reloop.console.tests.test_impact_ranges import _place
from reloop.offers.tests.factories import make_offer
from reloop.orders.models import OrderLine
from reloop.sellers.tests.factories import SellerFactory, SellerMemberFactory

pytestmark = pytest.mark.django_db


def test_the_insights_page_lists_the_sellers_own_avoided_co2e_per_market_and_month(client):
    mine, theirs = SellerFactory(), SellerFactory()
    variant = VariantFactory()
    own = make_offer(seller=mine, variant=variant, stock=10)
    other = make_offer(seller=theirs, variant=variant, stock=10)
    march = dt.datetime(2026, 3, 5, 12, tzinfo=dt.UTC)
    for offer in (own, other):
        _place(offer, market="en-gb", quantity=2, buyer=UserFactory(), paid_at=march)
    OrderLine.objects.filter(offer=own).update(
        avoided_kgco2e=Decimal("40.0"), avoided_kgco2e_low=Decimal("30.0"), avoided_kgco2e_high=Decimal("45.5")
    )
    OrderLine.objects.filter(offer=other).update(
        avoided_kgco2e=Decimal("7.0"), avoided_kgco2e_low=Decimal("6.0"), avoided_kgco2e_high=Decimal("8.0")
    )
    client.force_login(SellerMemberFactory(seller=mine).user)
    html = client.get("/seller/insights/").content.decode()
    assert 'data-testid="seller-impact"' in html
    assert "<td>2026-03</td><td>en-gb</td>" in html
    assert "80.0" in html
    assert "60.0–91.0" in html
    assert "14.0" not in html
