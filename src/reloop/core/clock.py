"""The one place that tells the time, so tests can move it (aware UTC datetimes only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils import timezone

_frozen: ContextVar[dt.datetime | None] = ContextVar("reloop_clock_frozen", default=None)


def now() -> dt.datetime:
    return _frozen.get() or timezone.now()


@contextmanager
def frozen_at(moment: dt.datetime) -> Iterator[None]:
    """Within the block, ``now()`` answers ``moment`` (in this thread or task only).

    For loaders that replay a story through the real services, such as the demo's past orders, deliveries and
    payouts: every rule reads the time here, so the services behave as they did then. Timestamps the database
    fills in itself (``auto_now_add``) keep the real time.
    """
    if timezone.is_naive(moment):
        raise ValueError("frozen_at takes an aware datetime")
    token = _frozen.set(moment)
    try:
        yield
    finally:
        _frozen.reset(token)


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
