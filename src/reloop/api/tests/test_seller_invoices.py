"""Seller API invoices: list an order's documents and download each PDF; another seller's is a 404."""

from __future__ import annotations

import pytest
from django.test import Client

from reloop.api.tests.helpers import call
from reloop.invoicing.services import issue_invoices
from reloop.invoicing.tests.factories import Item, offer_of, paid_order, trader
from reloop.orders.models import SellerOrder
from reloop.sellers.services import create_seller_token

pytestmark = pytest.mark.django_db


def test_a_seller_lists_and_downloads_its_invoices_only(client: Client) -> None:
    alpha, beta = trader(name="Alpha"), trader(name="Beta")
    order = paid_order(market="fr-fr", items=[Item(offer_of(alpha), 34900), Item(offer_of(beta), 1000)])
    issue_invoices(order_id=order.pk)
    part = SellerOrder.objects.get(order=order, seller=alpha)
    other_part = SellerOrder.objects.get(order=order, seller=beta)
    _token, key = create_seller_token(seller=alpha, name="sync")

    listed = call(client, "get", f"/orders/{part.pk}/invoices", key)
    assert listed.status_code == 200
    [document] = listed.json()
    assert (document["kind"], document["total"], document["currency"], document["credits"]) == (
        "invoice", 34900, "EUR", None,
    )  # fmt: skip
    assert document["number"].endswith("-000001")
    pdf = client.get(document["pdf_url"], HTTP_AUTHORIZATION=f"Bearer {key}")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")

    assert call(client, "get", f"/orders/{other_part.pk}/invoices", key).status_code == 404
    beta_invoice = other_part.invoices.get()
    missing = call(client, "get", f"/invoices/{beta_invoice.pk}.pdf", key)
    assert (missing.status_code, missing.json()["code"]) == (404, "invoice_not_found")
    assert client.get(document["pdf_url"]).status_code == 401
