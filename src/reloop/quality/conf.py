"""The quality thresholds, read in one place from environment variables (a Django setting of the same name wins,
which is how tests change them). Percentages are written as people say them: ``RELOOP_QUALITY_DEFECT_LIMIT=6``."""

from __future__ import annotations

import os
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from reloop.quality.domain import Limits

DEFAULTS = Limits()


def _raw(name: str) -> str | None:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name)
    return None if value in (None, "") else str(value)


def _percent(name: str, default: Decimal) -> Decimal:
    raw = _raw(name)
    if raw is None:
        return default
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:
        raise ImproperlyConfigured(f"{name} must be a percentage such as 6 or 2.5, not {raw!r}") from exc
    if not value.is_finite() or not 0 < value < 100:
        raise ImproperlyConfigured(f"{name} must be between 0 and 100 (exclusive), not {raw!r}")
    return value / 100


def _number(name: str, default: int | Decimal, *, minimum: int) -> Decimal:
    raw = _raw(name)
    if raw is None:
        return Decimal(default)
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}") from exc
    if not value.is_finite() or value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {raw!r}")
    return value


def limits() -> Limits:
    """The thresholds in force (docs/quality-and-reviews.md lists the variables and their defaults)."""
    return Limits(
        defect_rate=_percent("RELOOP_QUALITY_DEFECT_LIMIT", DEFAULTS.defect_rate),
        cancellation_rate=_percent("RELOOP_QUALITY_CANCELLATION_LIMIT", DEFAULTS.cancellation_rate),
        late_shipment_rate=_percent("RELOOP_QUALITY_LATE_SHIPMENT_LIMIT", DEFAULTS.late_shipment_rate),
        hard_factor=_number("RELOOP_QUALITY_HARD_FACTOR", DEFAULTS.hard_factor, minimum=1),
        grace_days=int(_number("RELOOP_QUALITY_GRACE_DAYS", DEFAULTS.grace_days, minimum=0)),
        min_volume=int(_number("RELOOP_QUALITY_MIN_VOLUME", DEFAULTS.min_volume, minimum=1)),
        min_ratings=int(_number("RELOOP_QUALITY_MIN_RATINGS", DEFAULTS.min_ratings, minimum=1)),
    )
