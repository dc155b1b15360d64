"""The HTTP response of an invoice or credit note PDF, shared by the buyer's and the seller's downloads."""

from __future__ import annotations

from django.http import HttpResponse

from reloop.invoicing.models import Invoice
from reloop.invoicing.pdf import render_pdf


def pdf_response(invoice: Invoice) -> HttpResponse:
    response = HttpResponse(render_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
