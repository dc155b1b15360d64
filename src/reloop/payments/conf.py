"""The payments settings, read in one place (documented in settings.py and docs/adr/0009-ledger.md)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings

from reloop.payments.domain import check_rate


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
