"""Reads of the email log (the operator's pages)."""

from __future__ import annotations

from django.db.models import QuerySet

from reloop.notifications.models import Message

PAGE_SIZE = 50


def recent_messages(*, to: str = "", object_id: str = "", limit: int = PAGE_SIZE) -> QuerySet[Message]:
    """The latest messages, newest first, optionally for one address or one object (an order number). One query;
    the bodies are deferred (the list shows subject, status and times)."""
    rows = Message.objects.defer("body_text", "body_html")
    if to:
        rows = rows.filter(to__iexact=to.strip())
    if object_id:
        rows = rows.filter(object_id=object_id.strip())
    return rows[:limit]


def message(*, message_id: int) -> Message | None:
    return Message.objects.filter(pk=message_id).first()
