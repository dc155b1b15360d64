"""Prometheus metrics (prometheus-client): what every process records; served at ``/metrics`` (ADR 0025).

With several processes per node set ``PROMETHEUS_MULTIPROC_DIR`` to a directory they all share (emptied at start):
``/metrics`` then sums every web and worker process of the node. Figures read from the database (outbox lag,
orders by state) are computed when ``/metrics`` is scraped, so they are right whichever process answers.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

REQUEST_SECONDS = Histogram(
    "reloop_request_seconds",
    "Time to answer an HTTP request, per view",
    ["view", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
TASK_SECONDS = Histogram(
    "reloop_task_seconds",
    "Time a task ran, per task and final state",
    ["task", "state"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900),
)
TASK_FAILURES = Counter("reloop_task_failures", "Tasks that raised", ["task"])
TASK_RETRIES = Counter("reloop_task_retries", "Tasks retried after a failure", ["task"])
