"""Infrastructure tables every app may use: idempotency records, rate-limit counters, the outbox, email claims.

They hold no marketplace data. ``owner`` is a string such as ``"seller:12"`` so that core, the lowest layer, does
not depend on the apps whose requests it protects.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class IdempotencyRecord(models.Model):
    """One ``Idempotency-Key`` of one owner for one method + path (docs/adr/0013-api-idempotency-and-rate-limits.md).

    The row is inserted *before* the request runs (``status_code`` null: in progress), so the unique constraint
    lets exactly one of two concurrent duplicates run; the answer is stored when it is known and replayed after.
    """

    owner = models.CharField(max_length=64, help_text="Who sent the request, e.g. seller:12")
    key = models.CharField(max_length=200)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_hash = models.CharField(max_length=64, help_text="SHA-256 of the method, full path and canonical body")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Null while the request runs")
    response_body = models.TextField(blank=True)
    created_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "method", "path", "key"], name="idempotency_key_unique"),
            models.CheckConstraint(
                condition=Q(status_code__isnull=True, completed_at__isnull=True)
                | Q(status_code__gte=100, status_code__lt=500, completed_at__isnull=False),
                name="idempotency_completed_with_stored_status",
            ),
            models.CheckConstraint(condition=Q(expires_at__gt=models.F("created_at")), name="idempotency_expires"),
        ]

    def __str__(self) -> str:
        return f"{self.owner} {self.method} {self.path} {self.key}"


class RateLimitCounter(models.Model):
    """Requests of one bucket (e.g. ``token:3f…:write``) in one fixed window starting at ``window_start`` (epoch s).

    Incremented with one ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` statement, so concurrent requests in any
    number of processes each see their own count (used when no Redis is configured).
    """

    bucket = models.CharField(max_length=200)
    window_start = models.BigIntegerField()
    hits = models.PositiveIntegerField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bucket", "window_start"], name="rate_limit_bucket_window_unique"),
            models.CheckConstraint(condition=Q(hits__gte=1), name="rate_limit_hits_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.bucket}@{self.window_start}: {self.hits}"


class OutboxEvent(models.Model):
    """A domain event written in the same transaction as the change that caused it (transactional outbox, ADR 0026).

    A relay delivers it to its handlers at least once: on commit at once (the fast path), and again from the
    ``relay_outbox`` job until every handler has run, so a process that dies between the commit and the handlers
    loses nothing. ``delivered_at`` is set when every handler subscribed to ``topic`` has run.
    """

    topic = models.CharField(max_length=200, help_text="module.Class of the event")
    payload = models.JSONField(help_text="The event's fields")
    created_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0, help_text="Deliveries that had a failing handler")
    next_attempt_at = models.DateTimeField(null=True, blank=True, help_text="No retry before (after a failure)")
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["created_at"], condition=Q(delivered_at__isnull=True), name="outbox_pending"),
            models.Index(fields=["delivered_at"], name="outbox_delivered_at"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.topic}"


class HandledEvent(models.Model):
    """One handler's claim on one outbox event: the unique pair is how each handler runs once per event.

    Claimed before the handler runs (``done_at`` null), finished after. A claim left unfinished for longer than
    ``RELOOP_OUTBOX_LEASE_SECONDS`` (its process died) may be taken over; a failed handler's claim is deleted.
    """

    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="handled")
    handler = models.CharField(max_length=200)
    claimed_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "handler"], name="handled_event_once_per_handler")]

    def __str__(self) -> str:
        return f"{self.handler} ← #{self.event_id}"


class EmailDeliveryStatus(models.TextChoices):
    SENDING = "sending", "Sending (claimed by a sender, lease running)"
    SENT = "sent", "Accepted by the mail server"
    FAILED = "failed", "The last attempt failed"


class EmailDelivery(models.Model):
    """One email's claim on being sent (ADR 0039): what makes a redelivered or duplicated send task a no-op.

    ``key`` is the email's delivery key (``X-Reloop-Message-Id``). A sender claims it before handing the email to
    the mail server (``sending`` until ``claimed_until``) and marks it ``sent`` once the server accepted it; a claim
    whose lease ran out (its sender died) or whose last attempt failed may be taken over, a sent one never.
    """

    key = models.CharField(max_length=200, unique=True)
    status = models.CharField(max_length=10, choices=EmailDeliveryStatus.choices)
    claimed_until = models.DateTimeField(help_text="Another sender may take the claim over after this moment")
    attempts = models.PositiveIntegerField(default=1)
    message_id = models.CharField(max_length=300, help_text="The Message-ID header every attempt carries")
    error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["sending", "sent", "failed"]), name="email_delivery_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="email_delivery_sent_has_sent_at"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"
