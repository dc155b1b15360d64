"""Operations endpoints: ``/readyz`` (may this process take traffic?) and ``/metrics`` (Prometheus).

``/healthz`` (in ``web.views``) only says the process answers: a proxy restarts a process that fails it.
``/readyz`` checks what a request needs — the database, the cache and, when one is configured, the broker — and
answers 503 naming what failed, so a load balancer stops sending traffic without restarting anything.
"""

from __future__ import annotations

import datetime as dt
import hmac
import os
import time
import uuid
from collections.abc import Callable, Iterator

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from reloop.core import outbox
from reloop.orders.models import Order


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache() -> None:
    key = f"reloop:readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", 10)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not return what was just stored")
    cache.delete(key)


def _check_broker() -> None:
    from reloop.celery_app import app

    with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2, timeout=2)


CHECKS: dict[str, Callable[[], None]] = {"database": _check_database, "cache": _check_cache}


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks = dict(CHECKS)
    if settings.CELERY_BROKER_URL:
        checks["broker"] = _check_broker
    results: dict[str, str] = {}
    for name, check in checks.items():
        began = time.perf_counter()
        try:
            check()
            results[name] = f"ok ({(time.perf_counter() - began) * 1000:.0f} ms)"
        except Exception as exc:  # any failure means "not ready", reported by name, never a 500
            results[name] = f"failing: {type(exc).__name__}"
    ready = all(r.startswith("ok") for r in results.values())
    return JsonResponse({"ready": ready, "checks": results}, status=200 if ready else 503)


class DatabaseCollector(Collector):
    """Figures read from the database at scrape time (right whichever process is scraped)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield GaugeMetricFamily(
            "reloop_outbox_lag_seconds", "Age of the oldest undelivered domain event", value=outbox.lag_seconds()
        )
        yield GaugeMetricFamily(
            "reloop_outbox_undelivered",
            "Domain events not yet delivered to every handler",
            value=outbox.undelivered_count(),
        )
        outcomes = GaugeMetricFamily(
            "reloop_checkout_outcomes_15m", "Orders placed in the last 15 minutes, by outcome", labels=["outcome"]
        )
        since = timezone.now() - dt.timedelta(minutes=15)
        counted = dict(
            Order.objects.filter(created_at__gte=since).values_list("status").annotate(n=Count("pk")).order_by()
        )
        for status in Order._meta.get_field("status").choices or []:
            outcomes.add_metric([str(status[0])], counted.get(status[0], 0))
        yield outcomes


def _authorized(request: HttpRequest) -> bool:
    token = settings.RELOOP_METRICS_TOKEN
    if not token:
        return bool(settings.DEBUG)
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return hmac.compare_digest(given.encode(), token.encode())


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not _authorized(request):
        return HttpResponse("Forbidden: send Authorization: Bearer <RELOOP_METRICS_TOKEN>\n", status=403)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        processes = CollectorRegistry()
        multiprocess.MultiProcessCollector(processes)
        body = generate_latest(processes)
    else:
        body = generate_latest(REGISTRY)
    database = CollectorRegistry()
    database.register(DatabaseCollector())
    return HttpResponse(body + generate_latest(database), content_type=CONTENT_TYPE_LATEST)
