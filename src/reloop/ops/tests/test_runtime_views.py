"""/readyz, /metrics, request ids and JSON logs."""

from __future__ import annotations

import json
import logging

import pytest
from django.test import Client

from reloop.core.observability import JsonFormatter, RequestIdFilter, request_id

pytestmark = pytest.mark.django_db


def test_readyz_checks_database_and_cache(client: Client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["ready"] is True
    assert set(body["checks"]) == {"database", "cache"}  # no broker configured: not checked


def test_readyz_is_503_naming_what_fails(client: Client, settings, monkeypatch):
    settings.CELERY_BROKER_URL = "amqp://guest:guest@127.0.0.1:1//"  # nothing listens on port 1

    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("failing")
    assert response.json()["checks"]["database"].startswith("ok")


def test_metrics_need_the_token_outside_debug(client: Client, settings):
    settings.DEBUG = False
    settings.RELOOP_METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 403
    settings.RELOOP_METRICS_TOKEN = "s3cret-token"
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    client.get("/readyz")  # one request to measure
    response = client.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
    assert response.status_code == 200
    text = response.content.decode()
    assert 'reloop_request_seconds_count{method="GET",status="200",view="readyz"}' in text
    assert "reloop_outbox_lag_seconds 0.0" in text
    assert 'reloop_checkout_outcomes_15m{outcome="paid"} 0.0' in text


def test_every_response_carries_a_request_id_and_a_sane_given_one_is_kept(client: Client):
    first = client.get("/healthz")["X-Request-ID"]
    assert len(first) == 32
    assert client.get("/healthz", headers={"X-Request-ID": "proxy-abc-12345"})["X-Request-ID"] == "proxy-abc-12345"
    injected = client.get("/healthz", headers={"X-Request-ID": "bad id\nwith newline"})["X-Request-ID"]
    assert injected != "bad id\nwith newline"
    assert len(injected) == 32


def test_json_logs_carry_the_request_id_and_extras():
    record = logging.LogRecord("reloop.test", logging.WARNING, __file__, 1, "paid %s", ("order 7",), None)
    record.order_id = 7
    token = request_id.set("rid-123456")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id.reset(token)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "paid order 7"
    assert entry["level"] == "WARNING"
    assert entry["request_id"] == "rid-123456"
    assert entry["order_id"] == 7
    assert entry["time"].endswith("Z")


def test_reloop_serve_runs_gunicorn_with_the_documented_worker_formula():
    from reloop.ops.management.commands.serve import default_workers, gunicorn_argv

    assert [default_workers(n) for n in (1, 2, 16)] == [3, 5, 33]
    argv = gunicorn_argv(bind="127.0.0.1:8140", workers=5, timeout=30, max_requests=2000, access_log=False)
    assert argv[1:4] == ["-m", "gunicorn", "reloop.wsgi"]
    assert "--workers=5" in argv
    assert "--worker-class=sync" in argv
    assert "--config=python:reloop.ops.gunicorn_conf" in argv


def test_the_scheduler_lists_every_job_and_worker_and_scheduler_need_a_broker(settings, monkeypatch):
    from io import StringIO

    from django.core.management import CommandError, call_command

    from reloop.ops.jobs import JOBS

    out = StringIO()
    call_command("scheduler", "--list", stdout=out)
    listed = out.getvalue().splitlines()
    assert len(listed) == len(JOBS)
    assert "reloop.job.relay_outbox: every 10 s" in listed
    settings.CELERY_BROKER_URL = ""
    with pytest.raises(CommandError, match="CELERY_BROKER_URL"):
        call_command("worker")
    with pytest.raises(CommandError, match="CELERY_BROKER_URL"):
        call_command("scheduler")
    settings.CELERY_BROKER_URL = "amqp://guest:guest@127.0.0.1:1//"
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    with pytest.raises(CommandError, match="PROMETHEUS_MULTIPROC_DIR"):
        call_command("worker", "--metrics-port=8144")
