"""The buyer's invoice and credit note PDFs (order page), found through a selector scoped to the buyer, so
another buyer gets a 404, never someone else's document."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from reloop.invoicing.selectors import InvoiceNotFound, buyer_invoice
from reloop.web.invoice_pdf import pdf_response


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
