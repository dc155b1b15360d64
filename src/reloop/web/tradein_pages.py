"""What the customer's, the refurbisher's and the operator's trade-in pages share: the trade-in's context and
its photos served privately."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse

from reloop.aftersales.domain import PHOTO_TYPES
from reloop.buyback.domain import CONDITION_DEFINITIONS, PayoutMethod, State, mask_iban
from reloop.buyback.models import TradeInPhoto
from reloop.core import clock
from reloop.fulfillment.carriers import CARRIERS, tracking_url
from reloop.fulfillment.tracking import get_carrier


def tradein_context(tradein: Any, *, photo_url: str) -> dict[str, Any]:
    """What every trade-in page shows (``_tradein.html``): facts, deadlines, label, parcel news, photos, history."""
    parcel = []
    if tradein.shipped_at:
        parcel = list(
            get_carrier().track(
                carrier=tradein.label_carrier,
                tracking_number=tradein.label_tracking,
                shipped_at=tradein.shipped_at,
                now=clock.now(),
            )
        )
    carrier = CARRIERS.get(tradein.label_carrier)
    return {
        "tradein": tradein,
        "photo_url": photo_url,
        "photos": list(tradein.photos.all()),
        "events": list(tradein.events.all()),
        "parcel": parcel,
        "carrier_name": carrier.name if carrier else tradein.label_carrier,
        "label_url": tracking_url(tradein.label_carrier, tradein.label_tracking),
        "return_url": tracking_url(tradein.return_carrier, tradein.return_tracking) if tradein.return_tracking else "",
        "masked_iban": mask_iban(tradein.iban) if tradein.iban else "",
        "now": clock.now(),
        "State": State,
        "is_bank": tradein.payout_method == PayoutMethod.BANK,
        "definitions": CONDITION_DEFINITIONS,
    }


def photo_response(photo: TradeInPhoto) -> HttpResponse:
    """The photo's bytes, private to this response: not kept by shared caches, never sniffed, never run."""
    try:
        with photo.file.open("rb") as handle:
            content = handle.read()
    except FileNotFoundError as exc:
        raise Http404("This photo is no longer stored") from exc
    extension = PHOTO_TYPES.get(photo.content_type, "bin")
    response = HttpResponse(content, content_type=photo.content_type)
    response["Content-Disposition"] = f'inline; filename="tradein-{photo.tradein_id}-{photo.position}.{extension}"'
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    return response
