"""Trade-in settings, read in one place from Django settings (environment variables named alike; defaults here,
documented in docs/trade-in.md)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from reloop.buyback import domain


def _int(name: str, default: int, minimum: int = 1) -> int:
    import os

    raw = getattr(settings, name, None) or os.environ.get(name) or default
    try:
        value = int(raw)
    except (TypeError, ValueError) as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def fee_rate() -> Decimal:
    """The platform's fee on a trade-in, percent of the amount paid to the customer, charged to the refurbisher
    (``RELOOP_TRADEIN_FEE_RATE``, default 10; docs/adr/0027-trade-in.md)."""
    import os

    raw = getattr(settings, "RELOOP_TRADEIN_FEE_RATE", None) or os.environ.get("RELOOP_TRADEIN_FEE_RATE") or "10"
    try:
        value = Decimal(str(raw))
    except InvalidOperation as exc:
        raise ImproperlyConfigured(f"RELOOP_TRADEIN_FEE_RATE must be a percentage, not {raw!r}") from exc
    if not value.is_finite() or not 0 <= value <= 100:
        raise ImproperlyConfigured(f"RELOOP_TRADEIN_FEE_RATE must be between 0 and 100, not {raw!r}")
    return value


def quote_valid_days() -> int:
    """``RELOOP_TRADEIN_QUOTE_DAYS`` (7): how long a quote can be accepted."""
    return _int("RELOOP_TRADEIN_QUOTE_DAYS", domain.QUOTE_VALID_DAYS)


def ship_within_days() -> int:
    """``RELOOP_TRADEIN_SHIP_DAYS`` (21): days to ship an accepted trade-in before it expires."""
    return _int("RELOOP_TRADEIN_SHIP_DAYS", domain.SHIP_WITHIN_DAYS)


def label_carrier(market: str) -> str:
    """The carrier of prepaid labels (``RELOOP_TRADEIN_CARRIER``), else the market's usual carrier."""
    from reloop.fulfillment.carriers import carrier_choices

    configured = getattr(settings, "RELOOP_TRADEIN_CARRIER", "")
    return str(configured) if configured else carrier_choices(market)[0][0]
