"""Every Celery task of Reloop, and the beat schedule (ADR 0025).

Derived, not listed: each ``Job`` of ``reloop.ops.jobs.JOBS`` is the task ``reloop.job.<name>`` with its schedule
(``Job.every``) and time limit, so a job added there is a task and is scheduled with no edit here. The other tasks
are work a request hands over: applying an offer import, sending an email, delivering an outbox event.

Every task is acknowledged late (a worker killed mid-task leaves its message to another worker), retried with
exponential backoff where a retry can help, and stopped by a time limit. Each is idempotent: a job can run twice,
an import is claimed once, an email is sent once per message id, an outbox event once per handler.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from celery import Task
from celery.signals import task_failure, task_postrun, task_prerun, task_retry
from django.db import close_old_connections

from reloop.celery_app import app
from reloop.core import metrics, outbox
from reloop.core.mail import EmailBusy, send_serialized_email
from reloop.offers.imports import apply_offer_import
from reloop.ops.jobs import JOBS, Job

logger = logging.getLogger(__name__)

#: What every task shares: late acknowledgement, a worker that dies gives its message back.
COMMON: dict[str, Any] = {"acks_late": True, "reject_on_worker_lost": True}
RETRYING: dict[str, Any] = {
    **COMMON,
    "autoretry_for": (Exception,),
    "retry_backoff": 5,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}


def _job_task(job: Job) -> Task:
    def run_job() -> int:
        return job.run()

    run_job.__name__ = job.name
    run_job.__doc__ = job.description
    return app.task(
        name=f"reloop.job.{job.name}",
        time_limit=job.time_limit,
        soft_time_limit=max(1, job.time_limit - 30),
        **RETRYING,
    )(run_job)


JOB_TASKS: dict[str, Task] = {job.name: _job_task(job) for job in JOBS}


@app.task(name="reloop.apply_offer_import", time_limit=900, soft_time_limit=870, **RETRYING)
def apply_offer_import_task(*, import_id: int) -> str:
    """Apply a queued CSV import (claimed once: a redelivered message finds nothing to claim)."""
    return str(apply_offer_import(import_id=import_id).status)


@app.task(name="reloop.send_email", bind=True, time_limit=60, soft_time_limit=50, **RETRYING)
def send_email_task(self: Task, *, message: dict[str, Any]) -> bool:
    """Send one email through the real backend, once per delivery key (ADR 0039). While another sender holds the
    email's claim (a worker that died mid-send, whose message came back here), wait for its lease to end: then the
    email is sent again unless that sender marked it sent."""
    try:
        return send_serialized_email(message)
    except EmailBusy as busy:
        if self.request.is_eager:  # no broker to come back later: the holder's process sends it or nobody does
            logger.warning("%s", busy)
            return False
        raise self.retry(countdown=busy.retry_in + 1, max_retries=None) from busy


@app.task(name="reloop.deliver_event", time_limit=300, soft_time_limit=270, **COMMON)
def deliver_event_task(*, event_id: int, database: str = "default") -> bool:
    """Run an outbox event's handlers (not retried here: the relay job retries failed events with backoff)."""
    return outbox.deliver(event_id, using=database)


def beat_schedule() -> dict[str, dict[str, Any]]:
    """The Celery beat schedule, from ``JOBS``."""
    return {
        f"reloop.job.{job.name}": {"task": f"reloop.job.{job.name}", "schedule": job.every.total_seconds()}
        for job in JOBS
    }


# --- The embedded scheduler (make demo: no broker, no beat process) ---------------------------------------


def run_due_jobs(next_run: dict[str, float], *, clock: Callable[[], float] = time.monotonic) -> list[str]:
    """Run the jobs whose time has come, in this thread, as beat would send them; returns their names.

    ``next_run`` maps a job to the monotonic time it is next due (a job not in it is due now).
    """
    ran = []
    for job in JOBS:
        now = clock()
        if next_run.get(job.name, 0.0) > now:
            continue
        next_run[job.name] = now + job.every.total_seconds()
        try:
            JOB_TASKS[job.name].apply()  # eager: the same task, retries and all, in this process
        except Exception:  # logged; the job runs again at its next time
            logger.exception("scheduled job %s failed", job.name)
        finally:
            close_old_connections()
        ran.append(job.name)
    return ran


def run_scheduler_forever(stop: Callable[[], bool] = lambda: False, tick: timedelta = timedelta(seconds=1)) -> None:
    next_run: dict[str, float] = {job.name: time.monotonic() + 5 for job in JOBS}  # let the server start first
    while not stop():
        run_due_jobs(next_run)
        time.sleep(tick.total_seconds())


# --- Metrics ----------------------------------------------------------------------------------------------

_started: dict[str, float] = {}


@task_prerun.connect
def _on_prerun(task_id: str | None = None, **_: Any) -> None:
    if task_id:
        _started[task_id] = time.perf_counter()


@task_postrun.connect
def _on_postrun(task_id: str | None = None, task: Task | None = None, state: str | None = None, **_: Any) -> None:
    began = _started.pop(task_id or "", None)
    if task is not None and began is not None:
        metrics.TASK_SECONDS.labels(task=task.name, state=state or "UNKNOWN").observe(time.perf_counter() - began)


@task_failure.connect
def _on_failure(sender: Task | None = None, **_: Any) -> None:
    metrics.TASK_FAILURES.labels(task=getattr(sender, "name", "unknown")).inc()


@task_retry.connect
def _on_retry(sender: Task | None = None, **_: Any) -> None:
    metrics.TASK_RETRIES.labels(task=getattr(sender, "name", "unknown")).inc()
