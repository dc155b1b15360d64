"""Invoice and credit note PDFs: the buyer's (order page) and the seller's (back office). Each is found through
a selector scoped to who asks, so another buyer or seller gets a 404, never someone else's document."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from reloop.invoicing.models import Invoice
from reloop.invoicing.pdf import render_pdf
from reloop.invoicing.selectors import InvoiceNotFound, buyer_invoice, seller_invoice
from reloop.web.backoffice import seller_of, seller_required


def pdf_response(invoice: Invoice) -> HttpResponse:
    response = HttpResponse(render_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def buyer_invoice_pdf(request: HttpRequest, number: str, invoice_id: int) -> HttpResponse:
    try:
        invoice = buyer_invoice(buyer=request.user, invoice_id=invoice_id)  # type: ignore[arg-type]
    except InvoiceNotFound as exc:
        raise Http404(str(exc)) from exc
    if invoice.content.get("order_number") != number:
        raise Http404("No such invoice")
    return pdf_response(invoice)


@require_safe
@seller_required
def seller_invoice_pdf(request: HttpRequest, seller_order_id: int, invoice_id: int) -> HttpResponse:
    try:
        invoice = seller_invoice(seller=seller_of(request), invoice_id=invoice_id)
    except InvoiceNotFound as exc:
        raise Http404(str(exc)) from exc
    if invoice.seller_order_id != seller_order_id:
        raise Http404("No such invoice")
    return pdf_response(invoice)
