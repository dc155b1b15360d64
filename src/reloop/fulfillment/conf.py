"""Fulfillment settings, read in one place (from environment variables in settings.py; documented in README and
docs/fulfillment.md). Tests override them in Django settings."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _positive(name: str, default: int) -> int:
    value = int(getattr(settings, name, default))
    if value < 1:
        raise ImproperlyConfigured(f"{name} must be at least 1, not {value}")
    return value


def carrier_tracking() -> str:
    """Where tracking news comes from (``RELOOP_CARRIER_TRACKING``): ``simulated`` (offline, the default) or
    ``none`` (no carrier is asked; parcels are delivered by the buyer's confirmation or automatically)."""
    return str(getattr(settings, "RELOOP_CARRIER_TRACKING", "simulated"))


def simulated_carrier_hours() -> int:
    """Hours the simulated carrier takes from shipping to delivery (``RELOOP_SIMULATED_CARRIER_HOURS``, 48)."""
    return _positive("RELOOP_SIMULATED_CARRIER_HOURS", 48)


def auto_delivery_days() -> int:
    """Days after shipping when a parcel without news counts as delivered (``RELOOP_AUTO_DELIVERY_DAYS``, 10)."""
    return _positive("RELOOP_AUTO_DELIVERY_DAYS", 10)
