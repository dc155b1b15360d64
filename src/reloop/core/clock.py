"""The one place that tells the time, so tests can move it (aware UTC datetimes only)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    return timezone.now()


def today() -> dt.date:
    return now().date()


def add_business_days(moment: dt.datetime, days: int) -> dt.datetime:
    """``moment`` plus ``days`` working days (Monday to Friday), same time of day. A moment on a weekend counts
    from the next Monday's start of the same time: a Saturday order accepted "within 1 business day" has until
    Tuesday. Public holidays are not counted (they differ per country); the SLA timers are generous for that."""
    if days < 0:
        raise ValueError("add_business_days takes a non-negative number of days")
    result = moment
    while result.weekday() >= 5:  # Saturday, Sunday
        result += dt.timedelta(days=1)
    added = 0
    while added < days:
        result += dt.timedelta(days=1)
        if result.weekday() < 5:
            added += 1
    return result
