"""Fixed-window request counters that hold under concurrency and across processes (ADR 0013).

``hit(bucket, limit=..., window_seconds=...)`` counts one request and says whether it is within the limit. The
count is one atomic operation: Redis ``INCR`` through the Django cache when ``REDIS_URL`` is set, otherwise one
``INSERT … ON CONFLICT DO UPDATE … RETURNING`` statement on the database (SQLite ≥ 3.35 and PostgreSQL). Never a
read followed by a write, so N concurrent requests are counted N times.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from reloop.core import clock
from reloop.core.models import RateLimitCounter


@dataclass(frozen=True)
class Hit:
    limit: int
    count: int  # this request's position in the window, 1 for the first
    reset_in: int  # whole seconds until the window ends (at least 1)

    @property
    def allowed(self) -> bool:
        return self.count <= self.limit

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.count)


def _increment_database(bucket: str, window_start: int, expires_at: dt.datetime) -> int:
    table = connection.ops.quote_name(RateLimitCounter._meta.db_table)
    sql = (
        f"INSERT INTO {table} (bucket, window_start, hits, expires_at) VALUES (%s, %s, 1, %s) "  # noqa: S608  # table name from the model, values bound
        f"ON CONFLICT (bucket, window_start) DO UPDATE SET hits = {table}.hits + 1 RETURNING hits"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [bucket, window_start, expires_at])
        row = cursor.fetchone()
    return int(row[0])


def _increment_cache(bucket: str, window_start: int, timeout: int) -> int:
    key = f"reloop:rl:{bucket}:{window_start}"
    for _attempt in range(3):
        cache.add(key, 0, timeout=timeout)  # creates the counter once per window; a no-op when it exists
        try:
            return int(cache.incr(key))  # Redis INCR: atomic across processes
        except ValueError:  # expired between add and incr: create it again
            continue
    raise RuntimeError(f"could not count a request for {bucket}")


def uses_cache() -> bool:
    """Redis is shared by every process; a local-memory cache is not, so without Redis the database counts."""
    return bool(getattr(settings, "REDIS_URL", ""))


def hit(bucket: str, *, limit: int, window_seconds: int = 60) -> Hit:
    """Count one request of ``bucket`` in the current fixed window."""
    now = clock.now().timestamp()
    window_start = int(now // window_seconds) * window_seconds
    reset_in = max(1, math.ceil(window_start + window_seconds - now))
    if uses_cache():
        count = _increment_cache(bucket, window_start, timeout=window_seconds + 5)
    else:
        expires_at = dt.datetime.fromtimestamp(window_start + window_seconds, tz=dt.UTC)
        count = _increment_database(bucket, window_start, expires_at)
    return Hit(limit=limit, count=count, reset_in=reset_in)


def purge_rate_limit_counters() -> int:
    """Delete the database counters of windows that have ended (scheduled job, idempotent). Returns how many."""
    deleted, _ = RateLimitCounter.objects.filter(expires_at__lte=clock.now()).delete()
    return deleted
