"""Pure shipping and delivery rules: tracking numbers, the delivery date promised, when no news means delivered."""

from __future__ import annotations

import datetime as dt
import re

from reloop.core.clock import add_business_days

_TRACKING = re.compile(r"^[A-Z0-9]{4,40}$")
_SEPARATORS = re.compile(r"[\s\-]")

#: Business days from shipping to the promised delivery date, by shipping method.
TRANSIT_BUSINESS_DAYS = {"standard": 3, "express": 1}


def normalize_tracking_number(raw: str) -> str | None:
    """Upper case, spaces and dashes dropped; ``None`` unless 4–40 letters and digits remain."""
    value = _SEPARATORS.sub("", raw or "").upper()
    return value if _TRACKING.match(value) else None


def expected_delivery(shipped_at: dt.datetime, shipping_method: str) -> dt.date:
    return add_business_days(shipped_at, TRANSIT_BUSINESS_DAYS.get(shipping_method, 3)).date()


def auto_delivery_cutoff(now: dt.datetime, *, days: int) -> dt.datetime:
    """Parcels shipped at or before this moment, still without delivery news, count as delivered (``days``
    calendar days: the buyer's clock, not the seller's business days)."""
    return now - dt.timedelta(days=days)
