"""Emails leave the request: ``QueuedEmailBackend`` hands each message to a worker (task ``reloop.send_email``),
and every email that reaches a mail server goes through ``send_once`` (ADR 0039).

``EMAIL_BACKEND`` is this backend; the one that really sends is ``RELOOP_EMAIL_BACKEND`` (SMTP, console, file…).
A message is queued when the sender's transaction commits, so an email never announces a change that was rolled
back. ``send_once`` makes a redelivered or duplicated task a no-op: the sender claims the email's delivery key in
the database (``EmailDelivery``: ``sending`` with a lease) before the mail server is called and marks it ``sent``
once the server accepted it; a claim whose lease ran out (the sender died mid-send) is taken over and the email
sent again, a sent one never. Every attempt carries the same ``Message-ID`` (derived from the key), so the one
duplicate left possible — the server accepted, the sender died before marking it — is recognisable as the same
message by the receiving systems. Without a broker the task runs at once in the sending process (ADR 0025).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import uuid
from collections.abc import Sequence
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.dispatch import Signal

from reloop.core import clock
from reloop.core.models import EmailDelivery, EmailDeliveryStatus
from reloop.core.tasks import enqueue

#: The header carrying an email's delivery key (the claim's key); set by the sender or drawn when queued.
KEY_HEADER = "X-Reloop-Message-Id"

#: Sent with ``key`` (and ``error`` for a failure) as an email's claim changes: the app that recorded the email
#: (``notifications.Message``) keeps its own status in step.
email_claimed = Signal()
email_sent = Signal()
email_failed = Signal()


class EmailBusy(Exception):  # a state, not an error: the task retries once the lease runs out
    """Another sender holds the email's claim; its lease ends in ``retry_in`` seconds."""

    def __init__(self, key: str, retry_in: float) -> None:
        super().__init__(f"email {key} is being sent elsewhere; lease ends in {retry_in:.0f} s")
        self.retry_in = retry_in


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "RELOOP_EMAIL_LEASE_SECONDS", 120)))


def stable_message_id(key: str) -> str:
    """The ``Message-ID`` of every attempt to send the email ``key``: ``<digest.reloop@domain>``, the domain of
    ``DEFAULT_FROM_EMAIL``."""
    domain = parseaddr(str(settings.DEFAULT_FROM_EMAIL))[1].rpartition("@")[2] or "reloop.localhost"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}.reloop@{domain}>"


def _claim(key: str, message_id: str) -> bool:
    """True when this caller now holds ``key``'s claim; False when the email was sent already. Raises ``EmailBusy``
    while another sender's lease runs."""
    now = clock.now()
    until = now + lease()
    try:
        with transaction.atomic():
            EmailDelivery.objects.create(
                key=key, status=EmailDeliveryStatus.SENDING, claimed_until=until, message_id=message_id
            )
        return True
    except IntegrityError:
        pass
    taken = (
        EmailDelivery.objects.filter(key=key)
        .filter(Q(status=EmailDeliveryStatus.FAILED) | Q(status=EmailDeliveryStatus.SENDING, claimed_until__lt=now))
        .update(status=EmailDeliveryStatus.SENDING, claimed_until=until, attempts=F("attempts") + 1, error="")
    )
    if taken:
        return True
    row = EmailDelivery.objects.get(key=key)
    if row.status == EmailDeliveryStatus.SENT:
        return False
    raise EmailBusy(key, max(0.0, (row.claimed_until - now).total_seconds()))


def send_once(message: EmailMessage, *, key: str, connection: BaseEmailBackend | None = None) -> bool:
    """Send ``message`` through ``connection`` (``RELOOP_EMAIL_BACKEND`` by default) unless the email ``key`` was
    sent already; True when sent now. The claim is taken (and committed) before the mail server is called; a
    failure marks it failed, tells the recording app and is raised, so the task retries."""
    message.extra_headers.setdefault("Message-ID", stable_message_id(key))
    message.extra_headers[KEY_HEADER] = key
    if not _claim(key, message.extra_headers["Message-ID"]):
        return False
    email_claimed.send(sender=EmailDelivery, key=key)
    connection = connection or get_connection(settings.RELOOP_EMAIL_BACKEND, fail_silently=False)
    try:
        connection.send_messages([message])
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
        EmailDelivery.objects.filter(key=key, status=EmailDeliveryStatus.SENDING).update(
            status=EmailDeliveryStatus.FAILED, error=error
        )
        email_failed.send(sender=EmailDelivery, key=key, error=error)
        raise
    EmailDelivery.objects.filter(key=key).exclude(status=EmailDeliveryStatus.SENT).update(
        status=EmailDeliveryStatus.SENT, sent_at=clock.now(), error=""
    )
    email_sent.send(sender=EmailDelivery, key=key)
    return True


def hand_over(message: EmailMessage, *, key: str) -> None:
    """Give ``message`` to ``EMAIL_BACKEND`` under the delivery key ``key``: queued for a worker (the queued
    backend), else sent once here (a test's or a direct backend)."""
    message.extra_headers.setdefault("Message-ID", stable_message_id(key))
    message.extra_headers[KEY_HEADER] = key
    connection = get_connection(fail_silently=False)
    if isinstance(connection, QueuedEmailBackend):
        connection.send_messages([message])
    else:
        send_once(message, key=key, connection=connection)


def serialize(message: EmailMessage) -> dict[str, Any]:
    attachments = []
    for attachment in message.attachments:
        if isinstance(attachment, tuple | list) and len(attachment) == 3:
            name, content, mimetype = attachment
            raw = content.encode() if isinstance(content, str) else bytes(content)
            attachments.append([name, base64.b64encode(raw).decode(), mimetype])
    alternatives = [list(a) for a in getattr(message, "alternatives", [])]
    return {
        "id": message.extra_headers.get(KEY_HEADER) or uuid.uuid4().hex,
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": {k: str(v) for k, v in message.extra_headers.items()},
        "alternatives": [[str(c), m] for c, m in alternatives],
        "attachments": attachments,
    }


def deserialize(data: dict[str, Any]) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers={**data["headers"], KEY_HEADER: data["id"]},
    )
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    for name, content, mimetype in data["attachments"]:
        message.attach(name, base64.b64decode(content), mimetype)
    return message


def purge_email_deliveries(*, older_than: dt.timedelta = dt.timedelta(days=30)) -> int:
    """Forget the claims of emails sent more than ``older_than`` ago (no broker holds their task that long).
    Scheduled job; returns how many."""
    cutoff = clock.now() - older_than
    deleted, _ = EmailDelivery.objects.filter(status=EmailDeliveryStatus.SENT, sent_at__lt=cutoff).delete()
    return deleted


def send_serialized_email(data: dict[str, Any]) -> bool:
    """The worker's side: send through ``RELOOP_EMAIL_BACKEND`` once per delivery key; True when sent now."""
    return send_once(deserialize(data), key=data["id"])


class QueuedEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            enqueue("reloop.send_email", message=serialize(message))
        return len(email_messages)
