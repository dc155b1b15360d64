"""Request ids, structured JSON logs and per-view request latency (docs/deploy.md, "Observe").

``RequestObservabilityMiddleware`` (first in ``MIDDLEWARE``) gives every request an id — the proxy's
``X-Request-ID`` when it is a sane token, else a new one — echoes it in the response, puts it on every log record
of the request (``request_id``) and records the request's latency per view in ``reloop_request_seconds``. Workers
use the task id the same way (``reloop.ops.tasks``). ``JsonFormatter`` writes one JSON object per line.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.http import HttpRequest, HttpResponse

from reloop.core import metrics

request_id: ContextVar[str] = ContextVar("reloop_request_id", default="")

_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")


class RequestObservabilityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        rid = given if _SANE_ID.match(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        began = time.perf_counter()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response["X-Request-ID"] = rid
            return response
        finally:
            match = getattr(request, "resolver_match", None)
            view = (match.view_name or match._func_path) if match else "unresolved"
            metrics.REQUEST_SECONDS.labels(view=view, method=request.method or "", status=str(status)).observe(
                time.perf_counter() - began
            )
            request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Puts the current request's (or task's) id on every record as ``request_id``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = request_id.get()  # an extra field, as logging allows
        return True


_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, exception, and any ``extra`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if getattr(record, "request_id", ""):
            entry["request_id"] = getattr(record, "request_id", "")
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, str | int | float | bool | type(None)) else repr(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


JsonFormatter.converter = time.gmtime
