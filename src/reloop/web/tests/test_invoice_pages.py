"""Invoice PDFs on the buyer's order page and in the seller's back office: who may download what."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from reloop.accounts.tests.factories import UserFactory
from reloop.invoicing.models import Invoice
from reloop.invoicing.services import issue_invoices
from reloop.invoicing.tests.factories import Item, offer_of, paid_order, trader
from reloop.orders.models import SellerOrder
from reloop.sellers.models import MemberRole, SellerMember

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoiced() -> dict[str, Any]:
    seller, other = trader(name="Alpha"), trader(name="Beta")
    order = paid_order(market="en-gb", items=[Item(offer_of(seller), 30000), Item(offer_of(other), 1000)])
    issue_invoices(order_id=order.pk)
    invoice = Invoice.objects.get(seller=seller)
    member = SellerMember.objects.create(seller=seller, user=UserFactory.create(), role=MemberRole.STAFF)
    stranger = SellerMember.objects.create(seller=other, user=UserFactory.create(), role=MemberRole.OWNER)
    return {"order": order, "invoice": invoice, "member": member.user, "stranger": stranger.user}


def buyer_url(invoice: Invoice) -> str:
    return reverse("web:invoice_pdf", args=[invoice.order.number, invoice.pk])


def seller_url(invoice: Invoice) -> str:
    return reverse("seller:invoice_pdf", args=[invoice.seller_order_id, invoice.pk])


def test_the_buyer_sees_and_downloads_each_sellers_invoice(client: Client, invoiced: dict[str, Any]) -> None:
    order, invoice = invoiced["order"], invoiced["invoice"]
    client.force_login(order.buyer)
    page = client.get(reverse("web:order", args=[order.number]))
    assert page.status_code == 200
    for document in Invoice.objects.filter(order=order):
        assert buyer_url(document) in page.content.decode()
    response = client.get(buyer_url(invoice))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{invoice.number}.pdf"'
    assert response.content.startswith(b"%PDF-")


def test_no_one_else_gets_the_buyers_invoice(client: Client, invoiced: dict[str, Any]) -> None:
    invoice = invoiced["invoice"]
    assert client.get(buyer_url(invoice)).status_code == 302  # anonymous: to sign-in
    client.force_login(UserFactory.create())
    assert client.get(buyer_url(invoice)).status_code == 404  # another buyer
    client.force_login(invoiced["order"].buyer)
    wrong_order = reverse("web:invoice_pdf", args=["RL-OTHER", invoice.pk])
    assert client.get(wrong_order).status_code == 404


def test_the_seller_downloads_its_own_invoice_only(client: Client, invoiced: dict[str, Any]) -> None:
    invoice = invoiced["invoice"]
    client.force_login(invoiced["member"])
    page = client.get(reverse("seller:order", args=[invoice.seller_order_id]))
    assert seller_url(invoice) in page.content.decode()
    assert client.get(seller_url(invoice)).content.startswith(b"%PDF-")
    client.force_login(invoiced["stranger"])  # seller B on seller A's invoice
    assert client.get(seller_url(invoice)).status_code == 404
    their_part = SellerOrder.objects.get(order=invoiced["order"], seller__name="Beta")
    assert client.get(reverse("seller:invoice_pdf", args=[their_part.pk, invoice.pk])).status_code == 404
    client.force_login(invoiced["order"].buyer)  # a buyer is no seller
    assert client.get(seller_url(invoice)).status_code in (302, 403, 404)
