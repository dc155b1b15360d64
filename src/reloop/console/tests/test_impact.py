"""Impact, reported: the platform page's totals equal the sum of the kept order lines' snapshots (per market,
category and month), the CSV export says the same, and a buyer sees only their own purchases."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reloop.accounts.tests.factories import UserFactory
from reloop.catalog.tests.factories import VariantFactory
from reloop.console import roles, selectors
from reloop.console.tests.helpers import order_paid, staff_with
from reloop.offers.tests.factories import make_offer
from reloop.orders.models import OrderLine
from reloop.orders.services import transition_line
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db
MARCH = dt.datetime(2026, 3, 5, 12, tzinfo=dt.UTC)
APRIL = dt.datetime(2026, 4, 5, 12, tzinfo=dt.UTC)


@pytest.fixture
def sales():
    offer = make_offer(seller=SellerFactory(), variant=VariantFactory(), stock=100)
    ada, bob = UserFactory(), UserFactory()
    kept = [
        order_paid(offer=offer, market="fr-fr", currency="EUR", unit=100, quantity=2, paid_at=MARCH, buyer=ada,
                   avoided_kgco2e=Decimal("55.5")),
        order_paid(offer=offer, market="en-gb", currency="GBP", unit=100, paid_at=APRIL, buyer=bob,
                   avoided_kgco2e=Decimal("40.0")),
        order_paid(offer=offer, market="en-gb", currency="GBP", unit=100, paid_at=APRIL, buyer=ada,
                   avoided_kgco2e=None),
    ]  # fmt: skip
    cancelled = order_paid(
        offer=offer, market="fr-fr", currency="EUR", unit=100, paid_at=MARCH, buyer=ada, avoided_kgco2e=Decimal("9")
    )
    line = OrderLine.objects.get(seller_order__order=cancelled)
    transition_line(line_id=line.pk, to_state="cancelled", actor=None, actor_kind="system")
    return {"ada": ada, "bob": bob, "kept": kept}


def test_the_platform_totals_reconcile_with_the_order_lines(client, sales):
    rows = selectors.impact_rows()
    independent = sum(
        (line.avoided_kgco2e or 0) * line.quantity
        for line in OrderLine.objects.exclude(state__in=("cancelled", "refunded"))
    )
    assert sum(r.kgco2e for r in rows) == independent == Decimal("151.0")
    assert {(r.market, r.month.month, r.units, r.kgco2e) for r in rows} == {
        ("fr-fr", 3, 2, Decimal("111.0")),
        ("en-gb", 4, 2, Decimal("40.0")),
    }
    page = client.get(reverse("web:impact"))
    assert page.status_code == 200
    assert "data-total-kg>151" in page.content.decode()
    exported = list(csv.reader(io.StringIO(client.get(reverse("web:impact_csv")).content.decode())))
    assert sum(Decimal(row[2]) for row in exported[1:]) == Decimal("151.0")


def test_the_impact_page_runs_the_same_queries_for_1_and_10_orders(client):
    offer = make_offer(seller=SellerFactory(), variant=VariantFactory(), stock=100)
    order_paid(offer=offer, market="fr-fr", currency="EUR", unit=100, paid_at=MARCH, avoided_kgco2e=Decimal(1))
    client.get(reverse("web:impact"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("web:impact"))
    for n in range(9):
        order_paid(offer=offer, market="de-de", currency="EUR", unit=100, paid_at=APRIL - dt.timedelta(days=40 * n),
                   avoided_kgco2e=Decimal(2))  # fmt: skip
    with CaptureQueriesContext(connection) as ten:
        client.get(reverse("web:impact"))
    assert len(ten.captured_queries) == len(one.captured_queries)


def test_a_buyer_sees_only_their_own_impact(client, sales):
    client.force_login(sales["ada"])
    html = client.get(reverse("web:my_impact")).content.decode()
    assert 'data-my-kg="111.0"' in html  # 2 × 55.5; the cancelled purchase and bob's do not count
    assert sales["kept"][1].number not in html
    client.force_login(sales["bob"])
    assert 'data-my-kg="40.0"' in client.get(reverse("web:my_impact")).content.decode()
    client.logout()
    assert client.get(reverse("web:my_impact")).status_code == 302


def test_the_operator_export_has_the_same_rows(client, sales):
    client.force_login(staff_with(roles.FINANCE))
    exported = list(csv.reader(io.StringIO(client.get(reverse("operator:impact_export")).content.decode())))
    assert exported[0] == ["month", "market", "category", "units", "kgco2e_avoided"]
    assert sum(Decimal(r[4]) for r in exported[1:]) == Decimal("151.0")
