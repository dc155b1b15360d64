"""Operator payout report at ``/operator/payouts/``: payouts by run date, seller, currency and status, with totals
per currency, and the same rows as a streamed CSV export.

Finance staff only: ``operator_required("payments.view_payout")``. Views parse the filters, call payments
selectors and render; a bad filter is a form error, never a 500.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from reloop.core.money import Money
from reloop.core.pagination import page_number, paginate
from reloop.payments import selectors as payouts
from reloop.payments.models import Payout, PayoutStatus
from reloop.web.console.access import operator_required

#: Reading payouts: given to finance staff in the admin (superusers have every permission).
PAYOUT_PERMISSION = "payments.view_payout"
PAGE_SIZE = 50
CSV_COLUMNS = (
    "run_date",
    "seller_id",
    "seller",
    "currency",
    "amount",
    "status",
    "destination",
    "ledger_transaction",
    "provider_reference",
    "created_at",
)


class PayoutReportForm(forms.Form):
    run_date = forms.DateField(label=_("Payout date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    seller = forms.TypedChoiceField(label=_("Seller"), required=False, coerce=int, empty_value=None)
    currency = forms.RegexField(
        label=_("Currency"),
        regex=r"^[A-Z]{3}$",
        required=False,
        max_length=3,
        widget=forms.TextInput(attrs={"size": 4}),
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any")), *PayoutStatus.choices])

    def __init__(self, *args: Any, sellers: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        seller_field = self.fields["seller"]
        assert isinstance(seller_field, forms.ChoiceField)  # noqa: S101  # declared just above
        seller_field.choices = [("", _("Any")), *sellers]

    def clean_currency(self) -> str:
        return str(self.cleaned_data.get("currency") or "").upper()

    def filters(self) -> payouts.PayoutFilters | None:
        """The selector's filters, or ``None`` when the form has errors."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        return payouts.PayoutFilters(
            run_date=data["run_date"], seller_id=data["seller"], currency=data["currency"], status=data["status"]
        )


def _form(request: HttpRequest) -> PayoutReportForm:
    data = request.GET.copy()
    data["currency"] = data.get("currency", "").upper()
    return PayoutReportForm(data, sellers=payouts.payout_sellers())


@require_safe
@operator_required(PAYOUT_PERMISSION)
def payout_report(request: HttpRequest) -> HttpResponse:
    """Totals per currency and 50 payouts a page for the filters. Constant queries whatever the rows."""
    form = _form(request)
    filters = form.filters()
    page = total_rows = None
    if filters is not None:
        page = paginate(
            payouts.payouts_report(filters=filters),
            page=page_number(request.GET.get("page")),
            page_size=PAGE_SIZE,
        )
        total_rows = payouts.payout_totals(filters=filters)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/console/payouts/report.html",
        {
            "form": form,
            "page": page,
            "pages": page.meta()["pages"] if page else 1,
            "totals": total_rows or [],
            "filter_query": query.urlencode(),
        },
    )


class _Echo:
    """A file-like object whose ``write`` returns the line, for ``csv.writer`` into a streamed response."""

    def write(self, value: str) -> str:
        return value


def _text(value: str) -> str:
    """A free-text cell a spreadsheet must not run as a formula (CSV injection): prefixed with ``'``."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _csv_row(payout: Payout) -> list[str]:
    return [
        payout.run_date.isoformat(),
        str(payout.seller_id),
        _text(payout.seller.name),
        payout.currency,
        str(Money(payout.amount, payout.currency).to_major()),
        payout.status,
        payout.destination,
        str(payout.transaction_id),
        _text(payout.provider_reference),
        payout.created_at.isoformat(),
    ]


@require_safe
@operator_required(PAYOUT_PERMISSION)
def payout_export(request: HttpRequest) -> HttpResponseBase:
    """The report's rows for the same filters as CSV, streamed from one query (amounts in major units)."""
    filters = _form(request).filters()
    if filters is None:
        return HttpResponse(
            _("Invalid filters: check the payout date, seller, currency and status."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    writer = csv.writer(_Echo())

    def rows() -> Iterator[str]:
        yield writer.writerow(CSV_COLUMNS)
        for payout in payouts.payouts_report(filters=filters).iterator(chunk_size=1000):
            yield writer.writerow(_csv_row(payout))

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="payouts.csv"'
    return response
