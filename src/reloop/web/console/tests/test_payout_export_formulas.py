"""The operator's payout CSV is opened in a spreadsheet: a seller name (typed by the seller when applying) that
starts like a formula (=, +, -, @) is written as text, never run as a formula (CSV injection)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import Permission

from reloop.accounts.tests.factories import UserFactory
from reloop.catalog.tests.factories import VariantFactory
from reloop.core import clock
from reloop.offers.tests.factories import make_offer
from reloop.payments import services
from reloop.payments.tests.factories import deliver, make_order
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ['=HYPERLINK("http://evil.test","Open")', "+1+cmd|' /C calc'!A0", "@SUM(A1)"])
def test_a_seller_name_that_looks_like_a_formula_is_exported_as_text(client, name):
    # Given a payout to a seller whose name starts like a formula
    seller = SellerFactory(name=name)
    part = make_order(lines=[(make_offer(seller=seller, variant=VariantFactory()), 10000)]).seller_orders.get()
    deliver(part.lines.get())
    services.release_matured_lines(today=clock.now().date() + dt.timedelta(days=14))
    services.run_payouts(run_date=dt.date(2026, 12, 6))
    finance = UserFactory(is_staff=True)
    finance.user_permissions.add(Permission.objects.get(codename="view_payout"))
    client.force_login(finance)
    # When the operator exports the payouts
    response = client.get("/operator/payouts/export.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    # Then the name is there, quoted as text, and the amount is still a number
    assert [(row["seller"], row["amount"]) for row in rows] == [("'" + name, "90.00")]
