"""What the buyer's, the seller's and the operator's pages of an after-sales case share: the case's context,
its photos served privately, and domain errors put back on a form."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.forms import Form
from django.http import Http404, HttpResponse, HttpResponseRedirect

from reloop.aftersales.domain import PHOTO_TYPES
from reloop.aftersales.models import Case, CasePhoto
from reloop.core import clock
from reloop.core.errors import DomainError
from reloop.fulfillment.carriers import tracking_url


def form_failed(form: Form, error: DomainError) -> None:
    """Show a refused step as a form error (the service wrote nothing)."""
    form.add_error(None, error.message)


def photo_response(photo: CasePhoto) -> HttpResponse:
    """The photo's bytes (at most 5 MB), private to this response: not kept by shared caches, never sniffed as
    another type, never run as a page.

    On object storage (``RELOOP_S3_BUCKET``) the caller, already authorized, is redirected to a signed URL of the
    private object that expires after ``RELOOP_S3_URL_SECONDS``, with the checked type and file name (docs/deploy.md).
    """
    extension = PHOTO_TYPES.get(photo.content_type, "bin")
    filename = f"case-{photo.case_id}-{photo.position}.{extension}"
    if settings.RELOOP_S3_BUCKET:
        storage: Any = photo.file.storage  # django-storages' S3Storage.url takes response parameters
        signed = storage.url(
            photo.file.name,
            parameters={
                "ResponseContentType": photo.content_type,
                "ResponseContentDisposition": f'inline; filename="{filename}"',
                "ResponseCacheControl": "private, max-age=300",
            },
        )
        redirect = HttpResponseRedirect(signed)
        redirect["Cache-Control"] = "private, no-store"
        return redirect
    try:
        with photo.file.open("rb") as handle:
            content = handle.read()
    except FileNotFoundError as exc:
        raise Http404("This photo is no longer stored") from exc
    response = HttpResponse(content, content_type=photo.content_type)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def case_context(case: Case, *, photo_url: str) -> dict[str, Any]:
    """What every case page shows (the shared ``_case.html``): photos, thread, history, tracking link."""
    return {
        "case": case,
        "photo_url": photo_url,
        "return_tracking_url": tracking_url(case.return_carrier, case.return_tracking) if case.return_tracking else "",
        "now": clock.now(),
    }
