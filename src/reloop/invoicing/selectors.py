"""Reads of invoices, each scoped to who asks: the buyer of the order, or the seller who issued it."""

from __future__ import annotations

from django.db.models import QuerySet

from reloop.accounts.models import User
from reloop.core.errors import NotFound
from reloop.invoicing.models import Invoice
from reloop.sellers.models import Seller


class InvoiceNotFound(NotFound):
    code = "invoice_not_found"


def order_invoices(*, buyer: User, number: str) -> QuerySet[Invoice]:
    """The invoices and credit notes of one of the buyer's orders, by seller then number. One query."""
    return (
        Invoice.objects.filter(order__buyer=buyer, order__number=number)
        .select_related("seller")
        .defer("content")
        .order_by("seller_order_id", "sequence")
    )


def buyer_invoice(*, buyer: User, invoice_id: int) -> Invoice:
    invoice = Invoice.objects.filter(pk=invoice_id, order__buyer=buyer).first()
    if invoice is None:
        raise InvoiceNotFound("No such invoice")
    return invoice


def seller_order_invoices(*, seller: Seller, seller_order_id: int) -> QuerySet[Invoice]:
    """The invoice and credit notes of one of the seller's orders. One query."""
    return Invoice.objects.filter(seller=seller, seller_order_id=seller_order_id).defer("content").order_by("sequence")


def seller_invoice(*, seller: Seller, invoice_id: int) -> Invoice:
    invoice = Invoice.objects.filter(pk=invoice_id, seller=seller).first()
    if invoice is None:
        raise InvoiceNotFound("No such invoice")
    return invoice
