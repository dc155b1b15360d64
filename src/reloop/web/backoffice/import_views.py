"""Seller back office: CSV export of the offers, and the import (upload → report → apply → progress → result).

Views parse, authorize (``seller_required``: every import is read through ``seller_import``, so another seller's
is a 404) and call ``offers.imports``; the rules live there and in ``offers.csv_io`` / ``offers.bulk``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from reloop.core.clock import today
from reloop.markets.registry import enabled_markets
from reloop.offers.bulk import Summary, export_offers
from reloop.offers.csv_io import FileRefused, csv_lines, errors_csv
from reloop.offers.errors import SellerSuspended
from reloop.offers.imports import (
    ImportHasErrors,
    ImportNotFound,
    import_progress,
    max_bytes,
    max_lines,
    queue_offer_import,
    recent_imports,
    seller_import,
    start_offer_import,
    stored_errors,
    validate_offer_import,
)
from reloop.offers.models import ImportStatus, OfferImport
from reloop.sellers.models import Seller
from reloop.web.backoffice.shell import seller_of, seller_required

#: Errors shown on the report page; all of them are in the downloadable CSV.
SHOWN_ERRORS = 200
RECENT_IMPORTS = 10


class OfferImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy("UTF-8, separated by commas, semicolons or tabs; the columns of the export."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv"}),
    )


def _import_or_404(seller: Seller, import_id: int) -> OfferImport:
    try:
        return seller_import(seller=seller, import_id=import_id)
    except ImportNotFound as exc:
        raise Http404(exc.message) from exc


@require_safe
@seller_required  # type: ignore[arg-type]  # a streaming answer is not an HttpResponse subclass; the frame allows it
def offers_export(request: HttpRequest) -> StreamingHttpResponse:
    seller = seller_of(request)
    markets = [m.code for m in enabled_markets()]
    response = StreamingHttpResponse(
        csv_lines(export_offers(seller=seller, markets=markets)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="offers-{seller.slug}-{today().isoformat()}.csv"'
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@seller_required
def offers_import(request: HttpRequest) -> HttpResponse:
    seller = seller_of(request)
    form = OfferImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > max_bytes():
            form.add_error(
                "file",
                _("The file is %(size)s MB; at most %(max)s MB per file: split it.")
                % {"size": round(upload.size / 1_048_576, 1), "max": round(max_bytes() / 1_048_576, 1)},
            )
        else:
            try:
                offer_import = validate_offer_import(
                    actor=request.user,  # type: ignore[arg-type]  # seller_required: signed in
                    seller=seller,
                    filename=upload.name or "offers.csv",
                    data=upload.read(),
                )
            except (FileRefused, SellerSuspended) as exc:
                form.add_error("file", exc.message)
            else:
                return redirect("seller:offers_import_report", import_id=offer_import.pk)
    recent = recent_imports(seller=seller, limit=RECENT_IMPORTS)
    return render(
        request,
        "web/backoffice/import/upload.html",
        {"form": form, "recent": recent, "max_lines": max_lines(), "example_markets": enabled_markets()[:2]},
    )


def _report_context(offer_import: OfferImport) -> dict[str, Any]:
    errors = stored_errors(offer_import)
    summary = Summary.from_dict(offer_import.summary)
    running = offer_import.status in {ImportStatus.QUEUED, ImportStatus.APPLIED}
    progress = import_progress(offer_import.pk) if running else None
    return {
        "offer_import": offer_import,
        "summary": summary,
        "errors": errors[:SHOWN_ERRORS],
        "more_errors": max(0, len(errors) - SHOWN_ERRORS),
        "valid_changes": summary.created + summary.updated,
        "progress": progress,
        # Poll while the file is applied, and after commit while the buy boxes of its variants are refreshed
        "polling": offer_import.status == ImportStatus.QUEUED
        or (offer_import.status == ImportStatus.APPLIED and (progress or {}).get("phase") == "refreshing"),
        "statuses": ImportStatus,
    }


@require_safe
@seller_required
def offers_import_report(request: HttpRequest, import_id: int) -> HttpResponse:
    offer_import = _import_or_404(seller_of(request), import_id)
    return render(request, "web/backoffice/import/report.html", _report_context(offer_import))


@require_safe
@seller_required
def offers_import_status(request: HttpRequest, import_id: int) -> HttpResponse:
    """The progress fragment the report page polls while the import is applied; once it is done, the page reloads."""
    offer_import = _import_or_404(seller_of(request), import_id)
    context = _report_context(offer_import)
    response = render(request, "web/backoffice/import/_progress.html", context)
    if not context["polling"]:
        response["HX-Refresh"] = "true"
    return response


@require_POST
@seller_required
def offers_import_apply(request: HttpRequest, import_id: int) -> HttpResponse:
    seller = seller_of(request)
    offer_import = _import_or_404(seller, import_id)
    was_waiting = offer_import.status == ImportStatus.VALIDATED
    try:
        offer_import = queue_offer_import(
            actor=request.user,  # type: ignore[arg-type]  # seller_required: signed in
            seller=seller,
            import_id=import_id,
            skip_invalid=request.POST.get("skip_invalid") == "on",
        )
    except (ImportHasErrors, SellerSuspended) as exc:
        context = _report_context(offer_import)
        context["apply_error"] = exc.message
        return render(request, "web/backoffice/import/report.html", context, status=422)
    if was_waiting and offer_import.status == ImportStatus.QUEUED:
        start_offer_import(import_id=offer_import.pk)  # the queueing has committed (durable transaction)
        messages.info(request, _("Applying your file…"))
    return redirect("seller:offers_import_report", import_id=offer_import.pk)


@require_safe
@seller_required
def offers_import_errors(request: HttpRequest, import_id: int) -> HttpResponse:
    offer_import = _import_or_404(seller_of(request), import_id)
    response = HttpResponse("".join(errors_csv(stored_errors(offer_import))), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{offer_import.pk}-errors.csv"'
    return response
