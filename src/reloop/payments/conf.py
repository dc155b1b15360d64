"""The payments settings, read in one place (documented in settings.py and docs/adr/0009-ledger.md)."""

from __future__ import annotations

import os
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from reloop.core.errors import InvalidInput
from reloop.payments.domain import check_rate, parse_payout_days


def commission_rate() -> Decimal:
    """The default commission in percent of a line's total incl. VAT and shipping (``RELOOP_COMMISSION_RATE``)."""
    return check_rate(Decimal(settings.RELOOP_COMMISSION_RATE))


def provider_name() -> str:
    """Which payment provider takes payments (``RELOOP_PAYMENT_PROVIDER``, default the offline ``test``)."""
    return str(getattr(settings, "RELOOP_PAYMENT_PROVIDER", "test"))


def webhook_secrets() -> list[str]:
    """The webhook signing secrets, current first. ``RELOOP_PAYMENT_WEBHOOK_SECRET`` may list several, separated
    by commas, while a secret is rotated: events signed with any of them are accepted; the first one signs."""
    return [secret.strip() for secret in str(settings.RELOOP_PAYMENT_WEBHOOK_SECRET).split(",") if secret.strip()]


def _setting(name: str, default: str) -> str:
    """A payouts setting: from Django settings when a deployment (or a test) sets it, else the environment."""
    value = getattr(settings, name, None)
    return str(value if value is not None else os.environ.get(name, default))


def payout_hold_days() -> int:
    """Days after a line's delivery before its money may be paid out (``RELOOP_PAYOUT_HOLD_DAYS``, default 14)."""
    raw = _setting("RELOOP_PAYOUT_HOLD_DAYS", "14")
    try:
        days = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"RELOOP_PAYOUT_HOLD_DAYS must be a number of days, not {raw!r}") from exc
    if not 0 <= days <= 365:
        raise ImproperlyConfigured(f"RELOOP_PAYOUT_HOLD_DAYS must be 0 to 365, not {days}")
    return days


def payout_days() -> tuple[int, ...]:
    """The days of the month payouts run on (``RELOOP_PAYOUT_DAYS``, default ``6,16,26``)."""
    raw = _setting("RELOOP_PAYOUT_DAYS", "6,16,26")
    try:
        return parse_payout_days(raw)
    except InvalidInput as exc:
        raise ImproperlyConfigured(f"RELOOP_PAYOUT_DAYS: {exc}") from exc


def stripe_settings() -> dict[str, str]:
    """The Stripe adapter's settings: ``STRIPE_SECRET_KEY``, ``STRIPE_PUBLISHABLE_KEY``, ``STRIPE_WEBHOOK_SECRET``,
    and for a local emulator such as localstripe ``STRIPE_API_BASE`` and ``STRIPE_JS_URL`` (docs/payments.md)."""
    return {
        "secret_key": _setting("STRIPE_SECRET_KEY", ""),
        "publishable_key": _setting("STRIPE_PUBLISHABLE_KEY", ""),
        "webhook_secret": _setting("STRIPE_WEBHOOK_SECRET", ""),
        "api_base": _setting("STRIPE_API_BASE", ""),
        "js_url": _setting("STRIPE_JS_URL", "https://js.stripe.com/v3/"),
    }


def payout_provider_name() -> str:
    """Which payout provider sends money to sellers' banks (``RELOOP_PAYOUT_PROVIDER``, default the offline
    ``test``)."""
    return _setting("RELOOP_PAYOUT_PROVIDER", "test")
