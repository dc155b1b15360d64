"""A recorded message follows its send claim (ADR 0039): queued until a sender claims it, sent once the mail server
accepted it, with a Message-ID derived from its dedupe key; a message left queued by a process that died before the
hand-over is handed over again when its event is handled again, and still sent once."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction

from reloop.core.mail import KEY_HEADER, stable_message_id
from reloop.core.models import EmailDelivery, EmailDeliveryStatus
from reloop.notifications.models import Message, MessageStatus
from reloop.notifications.services import Rendered, deliver, delivery_key, queue_rendered

pytestmark = pytest.mark.django_db

HELLO = Rendered("Your order", "Thanks\n", "")


def queue(key: str = "order_confirmation:R-100") -> Message | None:
    return queue_rendered(
        to="olga@example.com", template="test/hello", rendered=HELLO, language="en-gb", about=("order", "R-100"),
        dedupe_key=key,
    )  # fmt: skip


@pytest.fixture
def through_the_queue(settings):
    """Production's path: EMAIL_BACKEND queues for a worker (eager here), RELOOP_EMAIL_BACKEND really sends."""
    settings.EMAIL_BACKEND = "reloop.core.mail.QueuedEmailBackend"
    settings.RELOOP_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_a_message_is_queued_until_a_sender_has_it_accepted_then_sent_with_its_stable_message_id(
    through_the_queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        message = queue()
    assert message is not None
    assert Message.objects.get().status == MessageStatus.QUEUED  # committed, not handed over yet
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    message.refresh_from_db()
    assert (message.status, message.sent_at is not None) == (MessageStatus.SENT, True)
    [sent] = mail.outbox
    assert sent.extra_headers["Message-ID"] == stable_message_id("order_confirmation:R-100")
    assert sent.extra_headers[KEY_HEADER] == delivery_key(message.pk)
    assert EmailDelivery.objects.get(key=delivery_key(message.pk)).status == EmailDeliveryStatus.SENT


def test_a_message_left_queued_by_a_dead_process_is_handed_over_again_and_sent_once(
    through_the_queue, django_capture_on_commit_callbacks
):
    # the handler recorded the message, then its process died before the after-commit hand-over
    with django_capture_on_commit_callbacks(execute=False):
        first = queue()
    assert first is not None
    assert mail.outbox == []
    # the outbox runs the handler again after its lease: the dedupe key is used, the waiting message goes out
    with django_capture_on_commit_callbacks(execute=True):
        assert queue() is None
    assert len(mail.outbox) == 1
    assert Message.objects.get().status == MessageStatus.SENT
    # a third run finds it sent and sends nothing
    with django_capture_on_commit_callbacks(execute=True):
        assert queue() is None
    assert len(mail.outbox) == 1
    assert Message.objects.count() == 1


def test_a_refused_message_is_recorded_failed_and_a_later_attempt_sends_it(
    settings, through_the_queue, django_capture_on_commit_callbacks
):
    settings.RELOOP_EMAIL_BACKEND = "reloop.notifications.tests.failing_backend.EmailBackend"
    settings.RELOOP_STRICT_EVENTS = False  # as in production: the failed task is logged (and retried), not raised
    with django_capture_on_commit_callbacks(execute=True):
        message = queue()
    assert message is not None
    message.refresh_from_db()
    assert (message.status, message.error) == (MessageStatus.FAILED, "ConnectionRefusedError: SMTP server down")
    assert EmailDelivery.objects.get(key=delivery_key(message.pk)).status == EmailDeliveryStatus.FAILED
    # a later attempt, once the server is back: the claim of a failed attempt is free at once
    settings.RELOOP_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(message_id=message.pk) is True
    message.refresh_from_db()
    assert (message.status, message.error) == (MessageStatus.SENT, "")
    assert len(mail.outbox) == 1
