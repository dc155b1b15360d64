"""Every email Reloop sends, recorded: to whom, which template, in which language, about what, and whether it left.

Support answers "did they get it?" from here (the operator's email log), and the rendered subject, text and HTML
are kept so the message can be read again exactly as it was sent.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued (waiting for a sender)")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Accepted by the mail server")
    FAILED = "failed", _("Failed")


class Message(models.Model):
    to = models.EmailField(max_length=254)
    template = models.CharField(max_length=100, help_text=_("e.g. invoicing/order_confirmation"))
    language = models.CharField(max_length=10, help_text=_("The market code the message was rendered in"))
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    attachments = models.JSONField(default=list, help_text=_("File names attached when it was sent"))
    object_type = models.CharField(max_length=40, help_text=_("What it is about: order, seller_order, case…"))
    object_id = models.CharField(max_length=60)
    dedupe_key = models.CharField(
        max_length=200, null=True, blank=True, unique=True, help_text=_("One message per event and recipient")
    )
    status = models.CharField(max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=MessageStatus.values), name="notification_status_valid"),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="notification_sent_has_sent_at"
            ),
        ]
        indexes = [models.Index(fields=["to", "-created_at"]), models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.template} → {self.to} ({self.status})"
