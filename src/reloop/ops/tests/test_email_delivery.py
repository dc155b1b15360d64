"""Sending an email once (ADR 0039): the sender claims the email's delivery key before the mail server is called,
a redelivered task sends nothing twice, a claim left by a sender that died is taken over after its lease, and every
attempt carries the same Message-ID."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

from reloop.core import clock
from reloop.core import mail as queued_mail
from reloop.core.models import EmailDelivery, EmailDeliveryStatus
from reloop.ops import tasks

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2027, 3, 1, 9, 0, tzinfo=dt.UTC)


class WorkerKilled(BaseException):
    """SIGKILL, as far as the sender can tell: nothing after it runs, no ``except Exception`` catches it."""


class AcceptsThenDies(BaseEmailBackend):
    """The mail server accepts the message (it is in the outbox), then the sender dies before marking it sent."""

    def send_messages(self, email_messages: Sequence[Any]) -> int:
        LocmemBackend().send_messages(email_messages)
        raise WorkerKilled


class ServerDown(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[Any]) -> int:
        raise ConnectionRefusedError("SMTP server down")


def email(subject: str = "Your order") -> EmailMessage:
    return EmailMessage(subject, "Thanks", "shop@example.com", ["b@example.com"])


@pytest.fixture(autouse=True)
def _short_lease(settings):
    settings.RELOOP_EMAIL_LEASE_SECONDS = 120
    settings.DEFAULT_FROM_EMAIL = "Reloop <no-reply@shop.example>"


def test_a_second_send_of_the_same_key_sends_nothing():
    with clock.frozen_at(T0):
        assert queued_mail.send_once(email(), key="k1", connection=LocmemBackend()) is True
        assert queued_mail.send_once(email(), key="k1", connection=LocmemBackend()) is False
    assert len(mail.outbox) == 1
    row = EmailDelivery.objects.get(key="k1")
    assert (row.status, row.attempts, row.sent_at) == (EmailDeliveryStatus.SENT, 1, T0)
    assert mail.outbox[0].extra_headers["Message-ID"] == row.message_id == queued_mail.stable_message_id("k1")
    assert row.message_id.endswith(".reloop@shop.example>")


def test_the_message_id_is_stable_per_key_and_differs_between_keys():
    assert queued_mail.stable_message_id("order_confirmation:R-1") == queued_mail.stable_message_id(
        "order_confirmation:R-1"
    )
    assert queued_mail.stable_message_id("order_confirmation:R-1") != queued_mail.stable_message_id(
        "order_confirmation:R-2"
    )


def test_a_sender_that_died_after_the_server_accepted_is_taken_over_after_its_lease_with_the_same_message_id():
    # a worker claims the email, the server accepts it, the worker is killed before it marks it sent
    with clock.frozen_at(T0), pytest.raises(WorkerKilled):
        queued_mail.send_once(email(), key="k2", connection=AcceptsThenDies())
    assert len(mail.outbox) == 1
    assert EmailDelivery.objects.get(key="k2").status == EmailDeliveryStatus.SENDING
    # its task comes back to another worker while the lease runs: that worker waits, it does not send
    with clock.frozen_at(T0 + dt.timedelta(seconds=30)), pytest.raises(queued_mail.EmailBusy) as busy:
        queued_mail.send_once(email(), key="k2", connection=LocmemBackend())
    assert busy.value.retry_in == 90
    assert len(mail.outbox) == 1
    # once the lease has run out, it takes the claim over: the email is sent again (the window SMTP leaves open),
    # with the same Message-ID, so the receiving systems see the same message twice, not two messages
    with clock.frozen_at(T0 + dt.timedelta(seconds=121)):
        assert queued_mail.send_once(email(), key="k2", connection=LocmemBackend()) is True
    assert len(mail.outbox) == 2
    assert mail.outbox[0].extra_headers["Message-ID"] == mail.outbox[1].extra_headers["Message-ID"]
    row = EmailDelivery.objects.get(key="k2")
    assert (row.status, row.attempts) == (EmailDeliveryStatus.SENT, 2)
    # and never again
    with clock.frozen_at(T0 + dt.timedelta(days=1)):
        assert queued_mail.send_once(email(), key="k2", connection=LocmemBackend()) is False
    assert len(mail.outbox) == 2


def test_a_sender_that_died_before_the_server_accepted_leaves_the_email_to_be_sent_once_after_the_lease():
    class DiesFirst(BaseEmailBackend):
        def send_messages(self, email_messages: Sequence[Any]) -> int:
            raise WorkerKilled

    with clock.frozen_at(T0), pytest.raises(WorkerKilled):
        queued_mail.send_once(email(), key="k3", connection=DiesFirst())
    with clock.frozen_at(T0 + dt.timedelta(seconds=121)):
        assert queued_mail.send_once(email(), key="k3", connection=LocmemBackend()) is True
    assert len(mail.outbox) == 1


def test_a_failed_attempt_is_recorded_and_the_next_one_may_claim_at_once():
    with clock.frozen_at(T0), pytest.raises(ConnectionRefusedError):
        queued_mail.send_once(email(), key="k4", connection=ServerDown())
    row = EmailDelivery.objects.get(key="k4")
    assert (row.status, row.error) == (EmailDeliveryStatus.FAILED, "ConnectionRefusedError: SMTP server down")
    with clock.frozen_at(T0 + dt.timedelta(seconds=5)):  # the task's retry, well inside the lease
        assert queued_mail.send_once(email(), key="k4", connection=LocmemBackend()) is True
    row.refresh_from_db()
    assert (row.status, row.attempts, row.error) == (EmailDeliveryStatus.SENT, 2, "")


def test_the_task_waits_for_the_lease_of_a_claim_held_elsewhere(settings, monkeypatch):
    settings.RELOOP_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    data = queued_mail.serialize(email())
    EmailDelivery.objects.create(
        key=data["id"], status=EmailDeliveryStatus.SENDING, claimed_until=T0 + dt.timedelta(seconds=100)
    )
    retried: dict[str, Any] = {}

    def retry(**kwargs: Any) -> Exception:
        retried.update(kwargs)
        return Retry()

    task = tasks.send_email_task
    monkeypatch.setattr(task, "retry", retry)
    task.push_request(is_eager=False)  # as a worker runs it
    try:
        with clock.frozen_at(T0), pytest.raises(Retry):
            task.run(message=data)
    finally:
        task.pop_request()
    assert retried["countdown"] == 101
    assert mail.outbox == []
    # eagerly (no broker to come back later) it gives up without sending
    with clock.frozen_at(T0):
        assert task.apply(kwargs={"message": data}).get() is False
    assert mail.outbox == []


def test_old_sent_claims_are_purged_and_recent_or_unsent_ones_kept():
    with clock.frozen_at(T0):
        queued_mail.send_once(email(), key="old", connection=LocmemBackend())
    with clock.frozen_at(T0 + dt.timedelta(days=29)):
        queued_mail.send_once(email(), key="recent", connection=LocmemBackend())
    EmailDelivery.objects.create(key="stuck", status=EmailDeliveryStatus.SENDING, claimed_until=T0)
    with clock.frozen_at(T0 + dt.timedelta(days=31)):
        assert queued_mail.purge_email_deliveries() == 1
    assert set(EmailDelivery.objects.values_list("key", flat=True)) == {"recent", "stuck"}
