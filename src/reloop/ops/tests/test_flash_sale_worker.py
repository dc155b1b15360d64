"""The flash sale's production topology: the `reloop worker` the bench starts beside the server when a broker is
set answers on the run's queue, and is stopped however the run ends."""

from __future__ import annotations

import contextlib
import os
import socket
from pathlib import Path

import pytest

from reloop.celery_app import app
from reloop.ops import flash_sale_http
from reloop.ops.tests.processes import base_env
from reloop.ops.tests.services import amqp_url
from reloop.ops.tests.test_topology import use_celery_conf


class RunFailed(Exception):
    """The run failing mid-way, raised inside the worker's block."""


def test_the_runs_worker_answers_on_its_queue_and_is_stopped_when_the_run_fails(tmp_path: Path) -> None:
    amqp = amqp_url()  # skipped without RabbitMQ (required in CI)
    queue = f"reloop-flash-test-{os.getpid()}"
    hostname = f"flash-bench-{os.getpid()}@{socket.gethostname()}"
    (tmp_path / "var").mkdir()
    env = base_env(tmp_path, CELERY_BROKER_URL=amqp, RELOOP_TASK_QUEUE=queue)
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager", "task_default_queue")}
    try:
        use_celery_conf(broker_url=amqp, task_always_eager=False, task_default_queue=queue)  # this process pings
        seen: list[object] = []

        def run_that_fails() -> None:
            with flash_sale_http.task_worker(env=env, base_dir=tmp_path, concurrency=1) as description:
                seen.append(description)
                seen.append(bool(app.control.ping(destination=[hostname], timeout=2.0)))  # up and consuming
                raise RunFailed  # the run fails mid-way

        with pytest.raises(RunFailed):
            run_that_fails()

        assert seen == [f"on `reloop worker` (1 processes, queue {queue})", True]
        assert app.control.ping(destination=[hostname], timeout=2.0) == []  # stopped all the same
    finally:
        use_celery_conf(**saved)
        with contextlib.suppress(Exception), app.connection_for_write(amqp) as conn:  # a queue left is harmless
            conn.default_channel.queue_delete(queue)
