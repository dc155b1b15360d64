"""The buyer's case page says what a refunded US line gave back: the goods and the sales tax on them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from reloop.aftersales import services
from reloop.aftersales.tests.factories import delivered_line

pytestmark = pytest.mark.django_db


def test_the_outcome_shows_the_refund_with_its_sales_tax(client):
    sale = delivered_line(price=30000, sales_tax_rate=Decimal("7.25"))
    case = services.open_return(
        actor=sale.buyer, line_id=sale.line.pk, reason="not_as_described", description="Scratched screen."
    )
    services.refund_case(actor=sale.seller_user, case_id=case.pk)
    client.force_login(sale.buyer)
    with translation.override("en-us"):
        url = reverse("web:case", kwargs={"case_id": case.pk})
    page = client.get(url)
    assert page.status_code == 200
    text = " ".join(page.content.decode().split())
    assert "$321.75" in text
    assert "including $21.75 sales tax" in text
