"""After-sales: returns and warranty claims (``Case``), their photos, message thread and history.

Every write goes through ``aftersales.services``; the constraints below hold the invariants even against a bug
there: one open case per line, valid states and reasons, a final state always with its resolution, refunds
positive with their commission inside them, at most five photos of at most 5 MB in an allowed type.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from reloop.aftersales.domain import (
    FINAL_STATES,
    MAX_PHOTO_BYTES,
    MAX_PHOTOS,
    OPEN_STATES,
    PHOTO_TYPES,
    CaseKind,
    CaseState,
    Escalation,
    Reason,
    Remedy,
    Resolution,
)
from reloop.orders.models import Order, OrderLine
from reloop.sellers.models import Seller


class Case(models.Model):
    """One return or warranty claim on one order line, between its buyer and its seller (the operator watches)."""

    kind = models.CharField(max_length=10, choices=CaseKind.choices)
    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="cases")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="cases")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cases")
    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="cases")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    description = models.TextField()
    battery_reading = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("Battery state of health the buyer's device shows, in percent")
    )
    battery_floor = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("The floor the line's battery tier guaranteed, in percent")
    )
    state = models.CharField(max_length=16, choices=CaseState.choices, default=CaseState.OPENED)
    currency = models.CharField(max_length=3)

    opened_at = models.DateTimeField()
    answer_due_at = models.DateTimeField(help_text=_("The seller answers by then (1 business day)"))
    answered_at = models.DateTimeField(null=True, blank=True)
    remedy = models.CharField(max_length=10, choices=Remedy.choices, blank=True)
    return_instructions = models.TextField(blank=True)
    refusal_reason = models.TextField(blank=True)

    return_carrier = models.CharField(max_length=40, blank=True)
    return_tracking = models.CharField(max_length=60, blank=True)
    shipped_back_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    resolve_due_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Repair, replacement or refund by then (5 business days of receipt)")
    )

    escalated_at = models.DateTimeField(null=True, blank=True)
    escalation_reason = models.CharField(max_length=20, choices=Escalation.choices, blank=True)

    resolution = models.CharField(max_length=10, choices=Resolution.choices, blank=True)
    resolution_note = models.TextField(blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    refund_amount = models.BigIntegerField(null=True, blank=True, help_text=_("Minor units, claimed before paying"))
    refund_commission = models.BigIntegerField(null=True, blank=True, help_text=_("Commission given back with it"))
    refund_tax = models.BigIntegerField(
        default=0, help_text=_("US sales tax given back with it (minor units, on top of the refund amount)")
    )
    refunded_at = models.DateTimeField(null=True, blank=True, help_text=_("Paid back and in the ledger"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=CaseKind.values), name="case_kind_valid"),
            models.CheckConstraint(condition=Q(state__in=CaseState.values), name="case_state_valid"),
            models.CheckConstraint(condition=Q(reason__in=Reason.values), name="case_reason_valid"),
            # A battery-floor claim records the reading under the floor it was opened against; no other case does.
            models.CheckConstraint(
                condition=(
                    Q(reason=Reason.BATTERY_BELOW_FLOOR, kind=CaseKind.WARRANTY)
                    & Q(battery_reading__isnull=False, battery_floor__isnull=False)
                    & Q(battery_reading__lt=F("battery_floor"))
                )
                | (~Q(reason=Reason.BATTERY_BELOW_FLOOR) & Q(battery_reading__isnull=True, battery_floor__isnull=True)),
                name="case_battery_floor_claim",
            ),
            models.CheckConstraint(condition=Q(remedy__in=["", *Remedy.values]), name="case_remedy_valid"),
            models.CheckConstraint(condition=Q(resolution__in=["", *Resolution.values]), name="case_resolution_valid"),
            models.CheckConstraint(
                condition=Q(escalation_reason__in=["", *Escalation.values]), name="case_escalation_reason_valid"
            ),
            # A final case always says how it ended, and only a final case does.
            models.CheckConstraint(
                condition=(Q(state__in=FINAL_STATES) & ~Q(resolution="") & Q(resolved_at__isnull=False))
                | (~Q(state__in=FINAL_STATES) & Q(resolution="")),
                name="case_final_has_resolution",
            ),
            models.CheckConstraint(
                condition=~Q(resolution=Resolution.REFUNDED) | Q(refunded_at__isnull=False),
                name="case_refunded_has_refund",
            ),
            models.CheckConstraint(
                condition=(Q(refund_amount__isnull=True) & Q(refund_commission__isnull=True))
                | Q(refund_amount__gt=0, refund_commission__gte=0, refund_commission__lte=models.F("refund_amount")),
                name="case_refund_amounts_valid",
            ),
            models.CheckConstraint(
                condition=Q(refund_tax=0) | Q(refund_tax__gt=0, refund_amount__isnull=False),
                name="case_refund_tax_valid",
            ),
            models.CheckConstraint(
                condition=Q(refunded_at__isnull=True) | Q(refund_amount__isnull=False),
                name="case_refunded_at_needs_amount",
            ),
            models.CheckConstraint(
                condition=~Q(state=CaseState.ESCALATED) | Q(escalated_at__isnull=False),
                name="case_escalated_has_time",
            ),
            models.UniqueConstraint(
                fields=["line"], condition=Q(state__in=OPEN_STATES), name="case_one_open_case_per_line"
            ),
        ]
        indexes = [
            models.Index(fields=["seller", "state"]),
            models.Index(fields=["state", "answer_due_at"]),
            models.Index(fields=["state", "resolve_due_at"]),
        ]

    def __str__(self) -> str:
        return f"case {self.pk} ({self.kind}, {self.state})"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def refund_pending(self) -> bool:
        return self.refund_amount is not None and self.refunded_at is None

    @property
    def refund_total(self) -> int | None:
        """What the buyer is paid back: the goods refunded and the sales tax on them (minor units)."""
        return None if self.refund_amount is None else self.refund_amount + self.refund_tax


def _photo_path(instance: CasePhoto, filename: str) -> str:
    # A random name: the stored file never keeps the uploader's name, and its path cannot be guessed.
    return f"aftersales/{instance.case_id}/{uuid.uuid4().hex}.{PHOTO_TYPES.get(instance.content_type, 'bin')}"


class CasePhoto(models.Model):
    """A photo the buyer attached. Stored under MEDIA_ROOT, served only to the case's participants by a view."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    position = models.PositiveSmallIntegerField()
    file = models.FileField(upload_to=_photo_path, max_length=200)
    content_type = models.CharField(max_length=20)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["case", "position"], name="case_photo_unique_position"),
            models.CheckConstraint(
                condition=Q(position__gte=1, position__lte=MAX_PHOTOS), name="case_photo_at_most_five"
            ),
            models.CheckConstraint(condition=Q(size__gte=1, size__lte=MAX_PHOTO_BYTES), name="case_photo_size"),
            models.CheckConstraint(condition=Q(content_type__in=list(PHOTO_TYPES)), name="case_photo_type"),
        ]

    def __str__(self) -> str:
        return f"photo {self.position} of case {self.case_id}"


class Role(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    SELLER = "seller", _("Seller")
    OPERATOR = "operator", _("Reloop customer care")
    SYSTEM = "system", _("Reloop")


class CaseMessage(models.Model):
    """One message of the case's thread; buyer, seller and operator all see every message."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    role = models.CharField(max_length=10, choices=Role.choices)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="case_message_role_valid"),
            models.CheckConstraint(condition=~Q(body=""), name="case_message_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.role} on case {self.case_id}"


class CaseEvent(models.Model):
    """Who moved a case from one state to another, when and why. Written only by the services."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    role = models.CharField(max_length=10, choices=Role.choices)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16)
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.CheckConstraint(condition=Q(role__in=Role.values), name="case_event_role_valid")]

    def __str__(self) -> str:
        return f"case {self.case_id}: {self.from_state} → {self.to_state}"
