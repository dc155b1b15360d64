"""The seller's buy-box share over time on /seller/insights/ (issue 17 item 2): a line per market from the daily
snapshots, its own only, with its CSV, in the same number of queries for 1 day of history as for 10."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reloop.core import clock
from reloop.quality.models import BuyBoxShareSnapshot
from reloop.sellers.tests.factories import SellerFactory, SellerMemberFactory

pytestmark = pytest.mark.django_db
URL = "/seller/insights/"


def share(seller, days_ago, market, held, competing):
    day = clock.today() - dt.timedelta(days=days_ago)
    BuyBoxShareSnapshot.objects.create(seller=seller, market=market, day=day, held=held, competing=competing)
    return day.isoformat()


def test_the_chart_shows_each_markets_share_day_by_day_and_only_its_own(client):
    mine, theirs = SellerFactory(), SellerFactory()
    first = share(mine, 2, "en-gb", 1, 2)
    second = share(mine, 1, "en-gb", 2, 2)
    share(mine, 1, "fr-fr", 0, 1)
    share(theirs, 1, "de-de", 5, 5)
    share(mine, 40, "en-gb", 0, 2)  # before the chart's 30 days
    client.force_login(SellerMemberFactory(seller=mine).user)
    assert "Buy-box share per market, day by day" in client.get(URL).content.decode()
    response = client.get("/seller/insights/buybox-history.csv")
    assert response.status_code == 200
    table = list(csv.reader(io.StringIO(response.content.decode())))
    assert table[0][1:] == ["en-gb", "fr-fr"]
    assert table[1:] == [[first, "0.5000", ""], [second, "1.0000", "0.0000"]]


def test_the_same_queries_for_1_and_10_days_of_history(client):
    seller = SellerFactory()
    client.force_login(SellerMemberFactory(seller=seller).user)
    share(seller, 1, "en-gb", 1, 2)
    client.get(URL)
    with CaptureQueriesContext(connection) as one:
        client.get(URL)
    for days_ago in range(2, 11):
        share(seller, days_ago, "en-gb", 1, 2)
        share(seller, days_ago, "fr-fr", 1, 3)
    with CaptureQueriesContext(connection) as ten:
        response = client.get(URL)
    assert len(ten.captured_queries) == len(one.captured_queries)
    assert response.content.decode().count("<svg") >= 4
