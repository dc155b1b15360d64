"""gunicorn settings that ``reloop serve`` adds (``--config python:reloop.ops.gunicorn_conf``)."""

from __future__ import annotations

import os
from typing import Any


def child_exit(server: Any, worker: Any) -> None:
    """A gunicorn worker exited: its Prometheus figures stop counting as live (multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
