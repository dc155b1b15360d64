"""Seller API, invoices: the invoice and credit notes of one of the seller's orders, and each as a PDF.

The seller is the seller of record: invoices are issued in its name at payment (docs/invoicing.md). Reads go
through ``invoicing.selectors`` scoped to the token's seller: another seller's invoice is a 404 like a missing one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Router, Schema

from reloop.api.errors import ErrorOut
from reloop.api.seller import AUTH_ERRORS, SellerTokenAuth
from reloop.invoicing.models import Invoice
from reloop.invoicing.pdf import render_pdf
from reloop.invoicing.selectors import seller_invoice, seller_order_invoices
from reloop.orders.selectors import seller_order_for

router = Router(tags=["seller invoices"], auth=SellerTokenAuth())


class InvoiceOut(Schema):
    id: int
    kind: str = Field(..., examples=["invoice"], description="invoice or credit_note")
    number: str = Field(..., examples=["RL0003-000042"], description="The seller's own unbroken sequence")
    issued_at: dt.datetime
    market: str
    currency: str
    total: int = Field(..., description="Minor units, incl. VAT or sales tax: paid (invoice) or refunded (credit note)")
    vat_total: int
    sales_tax_total: int
    credits: str | None = Field(None, description="The invoice number a credit note corrects")
    pdf_url: str


def _out(invoice: Invoice, credits: dict[int, str]) -> InvoiceOut:
    return InvoiceOut(
        id=invoice.pk,
        kind=invoice.kind,
        number=invoice.number,
        issued_at=invoice.issued_at,
        market=invoice.market,
        currency=invoice.currency,
        total=invoice.total,
        vat_total=invoice.vat_total,
        sales_tax_total=invoice.sales_tax_total,
        credits=credits.get(invoice.credits_id) if invoice.credits_id else None,
        pdf_url=reverse("api:seller_invoice_pdf", kwargs={"invoice_id": invoice.pk}),
    )


@router.get(
    "/orders/{order_id}/invoices",
    response={200: list[InvoiceOut], **AUTH_ERRORS, 404: ErrorOut},
    summary="List the invoice and credit notes of one of my orders",
    description="Oldest first. 404 `order_not_found` for a missing order and another seller's alike.",
)
def list_invoices(request: HttpRequest, order_id: int) -> list[InvoiceOut]:
    part = seller_order_for(seller=request.auth, seller_order_id=order_id)  # type: ignore[attr-defined]
    documents = list(seller_order_invoices(seller=request.auth, seller_order_id=part.pk))  # type: ignore[attr-defined]
    numbers = {d.pk: d.number for d in documents}
    return [_out(d, numbers) for d in documents]


@router.get(
    "/invoices/{invoice_id}.pdf",
    response={200: Any, **AUTH_ERRORS, 404: ErrorOut},
    url_name="seller_invoice_pdf",
    summary="Download one of my invoices or credit notes as PDF",
    description="`application/pdf`. 404 `invoice_not_found` for a missing invoice and another seller's alike.",
)
def invoice_pdf(request: HttpRequest, invoice_id: int) -> HttpResponse:
    invoice = seller_invoice(seller=request.auth, invoice_id=invoice_id)  # type: ignore[attr-defined]
    response = HttpResponse(render_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice.filename}"'
    return response
