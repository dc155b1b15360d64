"""The seller's insights page: its own sales only, buy-box share per market, quality rates against the
thresholds; members only; the CSV of each chart; constant queries."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reloop.accounts.tests.factories import UserFactory
from reloop.catalog.tests.factories import VariantFactory
from reloop.console.tests.helpers import order_paid
from reloop.core import clock
from reloop.offers.tests.factories import make_offer
from reloop.pricing.services import rebuild_all_buy_boxes
from reloop.sellers.tests.factories import SellerFactory, SellerMemberFactory

pytestmark = pytest.mark.django_db
URL = "/seller/insights/"


def rows(client, name):
    response = client.get(f"/seller/insights/{name}.csv")
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_a_seller_sees_its_own_sales_and_buy_boxes_only(client):
    mine, theirs = SellerFactory(), SellerFactory()
    variant = VariantFactory()
    cheap = make_offer(seller=mine, variant=variant, price=10000, stock=5)
    make_offer(seller=theirs, variant=variant, price=20000, stock=5)
    other = make_offer(seller=theirs, variant=VariantFactory(), price=20000, stock=5)
    rebuild_all_buy_boxes()
    today = clock.now()
    order_paid(offer=cheap, market="en-gb", currency="EUR", unit=10000, paid_at=today)
    order_paid(offer=other, market="en-gb", currency="EUR", unit=99999, paid_at=today)
    client.force_login(SellerMemberFactory(seller=mine).user)
    assert client.get(URL).status_code == 200
    sales = rows(client, "sales")
    assert sales[-1][1] == "100.00"  # today: its own order of 100.00 EUR, not the other seller's
    assert rows(client, "buybox")[1:] == [["en-gb", "1.0000"]]
    quality = rows(client, "quality")
    assert quality[0][-3:] == ["Defects limit", "Cancellations limit", "Late shipments limit"]


def test_only_members_reach_it(client):
    assert client.get(URL).status_code == 302
    client.force_login(UserFactory())
    assert client.get(URL).status_code == 403
    assert client.get("/seller/insights/sales.csv").status_code == 403


def test_the_same_queries_for_1_and_10_orders(client):
    seller = SellerFactory()
    offer = make_offer(seller=seller, variant=VariantFactory(), price=10000, stock=50)
    client.force_login(SellerMemberFactory(seller=seller).user)
    order_paid(offer=offer, market="fr-fr", currency="EUR", unit=100, paid_at=clock.now())
    client.get(URL)
    with CaptureQueriesContext(connection) as one:
        client.get(URL)
    for n in range(9):
        order_paid(offer=offer, market="fr-fr", currency="EUR", unit=100, paid_at=clock.now() - dt.timedelta(days=n))
    with CaptureQueriesContext(connection) as ten:
        client.get(URL)
    assert len(ten.captured_queries) == len(one.captured_queries)
