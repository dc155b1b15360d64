"""Fulfillment settings, read in one place (environment variables, documented in README and docs/fulfillment.md).

Each may also be set in Django settings (tests override them there).
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _int(name: str, default: int, minimum: int) -> int:
    raw = getattr(settings, name, None)
    if raw is None:
        raw = os.environ.get(name) or default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def carrier_tracking() -> str:
    """Where tracking news comes from (``RELOOP_CARRIER_TRACKING``): ``simulated`` (offline, the default) or
    ``none`` (no carrier is asked; parcels are delivered by the buyer's confirmation or automatically)."""
    return str(
        getattr(settings, "RELOOP_CARRIER_TRACKING", None) or os.environ.get("RELOOP_CARRIER_TRACKING") or "simulated"
    )


def simulated_carrier_hours() -> int:
    """Hours the simulated carrier takes from pick-up to delivery (``RELOOP_SIMULATED_CARRIER_HOURS``, 48)."""
    return _int("RELOOP_SIMULATED_CARRIER_HOURS", 48, 1)


def auto_delivery_days() -> int:
    """Days after shipping when a parcel without news counts as delivered (``RELOOP_AUTO_DELIVERY_DAYS``, 10)."""
    return _int("RELOOP_AUTO_DELIVERY_DAYS", 10, 1)
