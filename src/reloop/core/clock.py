"""The one place that tells the time, so tests can move it (aware UTC datetimes only)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    return timezone.now()


def today() -> dt.date:
    return now().date()
