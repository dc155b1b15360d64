"""Devices: units identified by IMEI or serial, and their history, the start of the device passport.

A ``Device`` is one physical unit, known by one identifier across sales, returns and trade-ins: selling it again
adds events to the same row. ``DeviceEvent`` rows are append-only.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reloop.catalog.models import Variant
from reloop.devices.domain import IMEI, SERIAL, UNIT
from reloop.sellers.models import Seller


class IdentifierKind(models.TextChoices):
    IMEI = IMEI, "IMEI"
    SERIAL = SERIAL, _("Serial number")
    UNIT = UNIT, _("Platform unit record")


class Device(models.Model):
    kind = models.CharField(max_length=6, choices=IdentifierKind.choices)
    identifier = models.CharField(
        max_length=40,
        help_text=_("15 digits for an IMEI; normalized upper case serial; ORDER-Lline-n for a platform unit record"),
    )
    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="+")
    seller = models.ForeignKey(
        Seller, on_delete=models.PROTECT, related_name="devices", help_text=_("The seller who last sold it")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "identifier"], name="device_unique_identifier"),
            models.CheckConstraint(condition=Q(kind__in=IdentifierKind.values), name="device_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.identifier}"


class DeviceEventKind(models.TextChoices):
    TRADED_IN = "traded_in", _("Traded in")
    REFURBISHED = "refurbished", _("Refurbished")
    SOLD = "sold", _("Sold and shipped")
    RETURNED = "returned", _("Returned")


class DeviceEvent(models.Model):
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=DeviceEventKind.choices)
    seller = models.ForeignKey(Seller, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reference = models.CharField(max_length=80, help_text=_("What it belongs to, e.g. order:RL-ABC:line:12"))
    details = models.JSONField(default=dict, blank=True)
    occurred_at = models.DateTimeField()

    class Meta:
        ordering = ["occurred_at", "pk"]
        constraints = [
            # One event of a kind per thing it belongs to: recording the same sale twice is a no-op.
            models.UniqueConstraint(fields=["device", "kind", "reference"], name="device_event_once_per_reference"),
            models.CheckConstraint(condition=Q(kind__in=DeviceEventKind.values), name="device_event_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.device}: {self.kind}"


class BlockStatus(models.TextChoices):
    BLOCKLISTED = "blocklisted", _("Reported lost or stolen")
    UNPAID = "unpaid", _("Unpaid contract or finance")
    LOCKED = "locked", _("Activation lock on")


class BlockedDevice(models.Model):
    """The local blocklist the offline device check reads (``devices.checks``): edited by the operator in the admin,
    e.g. after a police request or a network's notice. Deactivate an entry rather than delete it (history)."""

    kind = models.CharField(max_length=6, choices=IdentifierKind.choices, default=IdentifierKind.IMEI)
    identifier = models.CharField(max_length=40, help_text=_("15 digits for an IMEI; upper-case serial"))
    status = models.CharField(max_length=12, choices=BlockStatus.choices)
    reason = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "identifier"], name="blocked_device_unique_identifier"),
            models.CheckConstraint(condition=Q(status__in=BlockStatus.values), name="blocked_device_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.identifier} ({self.status})"
