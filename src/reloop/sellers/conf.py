"""The sellers settings, read in one place (documented in settings.py and docs/seller-onboarding.md)."""

from __future__ import annotations

from django.conf import settings

from reloop.sellers.domain import CapRule


def new_seller_cap() -> CapRule:
    """``RELOOP_NEW_SELLER_DAILY_CAP`` units a day for the first ``RELOOP_NEW_SELLER_CAP_DAYS`` days."""
    return CapRule(
        daily_units=int(getattr(settings, "RELOOP_NEW_SELLER_DAILY_CAP", 5)),
        days=int(getattr(settings, "RELOOP_NEW_SELLER_CAP_DAYS", 40)),
    )
