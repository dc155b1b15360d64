"""The seller's invoice and credit note PDFs (seller order page), scoped to the seller: another seller's
document is a 404."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from reloop.invoicing.selectors import InvoiceNotFound, seller_invoice
from reloop.web.backoffice.shell import seller_of, seller_required
from reloop.web.invoice_pdf import pdf_response


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
