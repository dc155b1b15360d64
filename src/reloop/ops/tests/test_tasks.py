"""Celery tasks (ADR 0025): every job is a task with its schedule from ``JOBS``; imports, emails and outbox events
go through the queue after commit, and run at once in the embedded default (no broker)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.mail import EmailMessage, send_mail
from django.db import transaction

from reloop.catalog.tests.factories import VariantFactory
from reloop.celery_app import app
from reloop.core import mail as queued_mail
from reloop.offers.imports import queue_offer_import, start_offer_import, validate_offer_import
from reloop.offers.models import ImportStatus, OfferImport
from reloop.offers.tests.factories import make_offer
from reloop.ops import tasks
from reloop.ops.jobs import JOBS
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db


def test_every_job_is_a_late_acknowledged_retried_time_limited_task_on_the_one_schedule():
    schedule = tasks.beat_schedule()
    assert set(schedule) == {f"reloop.job.{job.name}" for job in JOBS}
    for job in JOBS:
        task = app.tasks[f"reloop.job.{job.name}"]
        assert task.acks_late
        assert task.reject_on_worker_lost
        assert task.time_limit == job.time_limit
        assert task.soft_time_limit < task.time_limit
        assert task.autoretry_for == (Exception,)
        assert task.max_retries == 5
        assert task.retry_backoff
        assert schedule[f"reloop.job.{job.name}"]["schedule"] == job.every.total_seconds()
    assert schedule["reloop.job.relay_outbox"]["schedule"] == 10
    for name in ("reloop.apply_offer_import", "reloop.send_email", "reloop.deliver_event"):
        assert app.tasks[name].acks_late
        assert app.tasks[name].time_limit


def test_the_embedded_scheduler_runs_each_job_at_its_own_interval(monkeypatch):
    ran: list[str] = []
    for name, task in tasks.JOB_TASKS.items():
        monkeypatch.setattr(task, "apply", lambda name=name: ran.append(name))
    clock = [1000.0]
    next_run: dict[str, float] = {}
    # at first every job is due
    tasks.run_due_jobs(next_run, clock=lambda: clock[0])
    assert sorted(ran) == sorted(job.name for job in JOBS)
    # 11 s later only the 10-second jobs are due again; 61 s later the one-minute jobs too, not the hourly ones
    ran.clear()
    clock[0] += 11
    tasks.run_due_jobs(next_run, clock=lambda: clock[0])
    assert sorted(ran) == ["refresh_stale_buy_boxes", "relay_outbox"]
    ran.clear()
    clock[0] += 50
    tasks.run_due_jobs(next_run, clock=lambda: clock[0])
    hourly = {job.name for job in JOBS if job.every >= dt.timedelta(hours=1)}
    assert "relay_outbox" in ran
    assert "expire_reservations" in ran
    assert not hourly & set(ran)


def test_a_failing_job_does_not_stop_the_embedded_scheduler(monkeypatch):
    def boom() -> None:
        raise RuntimeError("database away")

    first = JOBS[0].name
    monkeypatch.setattr(tasks.JOB_TASKS[first], "apply", boom)
    for name, task in tasks.JOB_TASKS.items():
        if name != first:
            monkeypatch.setattr(task, "apply", lambda: None)
    assert first in tasks.run_due_jobs({}, clock=lambda: 0.0)


def test_an_import_is_sent_to_a_worker_after_commit_and_applied_once(settings, django_capture_on_commit_callbacks):
    settings.RELOOP_IMPORT_APPLY = "task"
    seller = SellerFactory()
    offer = make_offer(seller=seller, variant=VariantFactory(), stock=1)
    offer_import = validate_offer_import(
        actor=None, seller=seller, filename="o.csv", data=f"sku,stock\n{offer.sku},6\n".encode()
    )
    queue_offer_import(actor=None, seller=seller, import_id=offer_import.pk, skip_invalid=False)
    # when the web asks for it inside a transaction that has not committed yet, nothing runs
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        start_offer_import(import_id=offer_import.pk)
    assert OfferImport.objects.get(pk=offer_import.pk).status == ImportStatus.QUEUED
    # once it commits the task runs (eagerly: no broker), and a redelivered message changes nothing
    for callback in callbacks:
        callback()
    assert OfferImport.objects.get(pk=offer_import.pk).status == ImportStatus.APPLIED
    assert tasks.apply_offer_import_task.apply(kwargs={"import_id": offer_import.pk}).get() == ImportStatus.APPLIED
    offer.refresh_from_db()
    assert offer.stock == 6


def test_an_email_leaves_on_commit_through_the_queue_and_is_sent_once(settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "reloop.core.mail.QueuedEmailBackend"
    settings.RELOOP_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    # an email sent in a transaction that rolls back is never sent
    def send_then_fail() -> None:
        with transaction.atomic():
            send_mail("Rolled back", "no", None, ["a@example.com"])
            raise ZeroDivisionError

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ZeroDivisionError):
        send_then_fail()
    assert mail.outbox == []
    # one that commits is sent once, with what it carried
    message = EmailMessage("Your order", "Thanks", "shop@example.com", ["b@example.com"], reply_to=["c@example.com"])
    message.attach("receipt.txt", b"paid 10.00", "text/plain")
    data = queued_mail.serialize(message)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        queued_mail.QueuedEmailBackend().send_messages([queued_mail.deserialize(data)])
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert (sent.subject, sent.body, sent.to, sent.reply_to) == (
        "Your order",
        "Thanks",
        ["b@example.com"],
        ["c@example.com"],
    )
    assert sent.attachments[0][0] == "receipt.txt"
    assert sent.attachments[0][1] in (b"paid 10.00", "paid 10.00")
    # a redelivered task (same message id) sends nothing
    assert (
        tasks.send_email_task.apply(kwargs={"message": {**data, "id": sent.extra_headers["X-Reloop-Message-Id"]}}).get()
        is False
    )
    assert len(mail.outbox) == 1


def test_enqueue_refuses_what_a_broker_could_not_carry():
    from reloop.core.tasks import enqueue

    with pytest.raises(TypeError):
        enqueue("reloop.send_email", message={"when": dt.datetime(2027, 1, 1, tzinfo=dt.UTC)})
