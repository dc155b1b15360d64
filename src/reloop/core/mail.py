"""Emails leave the request: ``QueuedEmailBackend`` hands each message to a worker (task ``reloop.send_email``).

``EMAIL_BACKEND`` is this backend; the one that really sends is ``RELOOP_EMAIL_BACKEND`` (SMTP, console, file…).
A message is queued when the sender's transaction commits, so an email never announces a change that was rolled
back; the worker sends it once per message id (a redelivered task finds the id marked as sent in the cache and
sends nothing). Without a broker the task runs at once in the sending process (ADR 0025).
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend

from reloop.core.tasks import enqueue

SENT_TTL_S = 7 * 24 * 3600


def serialize(message: EmailMessage) -> dict[str, Any]:
    attachments = []
    for attachment in message.attachments:
        if isinstance(attachment, tuple | list) and len(attachment) == 3:
            name, content, mimetype = attachment
            raw = content.encode() if isinstance(content, str) else bytes(content)
            attachments.append([name, base64.b64encode(raw).decode(), mimetype])
    alternatives = [list(a) for a in getattr(message, "alternatives", [])]
    return {
        "id": message.extra_headers.get("X-Reloop-Message-Id") or uuid.uuid4().hex,
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
        headers={**data["headers"], "X-Reloop-Message-Id": data["id"]},
    )
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    for name, content, mimetype in data["attachments"]:
        message.attach(name, base64.b64decode(content), mimetype)
    return message


def _sent_key(message_id: str) -> str:
    return f"reloop:mail:sent:{message_id}"


def send_serialized_email(data: dict[str, Any]) -> bool:
    """Send through ``RELOOP_EMAIL_BACKEND`` unless this message id was sent already; True when sent now."""
    if cache.get(_sent_key(data["id"])):
        return False
    connection = get_connection(settings.RELOOP_EMAIL_BACKEND, fail_silently=False)
    connection.send_messages([deserialize(data)])
    cache.set(_sent_key(data["id"]), True, SENT_TTL_S)
    return True


class QueuedEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            enqueue("reloop.send_email", message=serialize(message))
        return len(email_messages)
