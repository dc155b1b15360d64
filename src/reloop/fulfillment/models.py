"""Fulfillment: one shipment per seller order, the units in it, and its tracking events.

A shipment is written once, when the seller ships: its carrier, tracking number and units never change afterwards
(docs/adr/0011-shipping-and-delivery.md). Tracking events are appended as the carrier reports progress.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reloop.devices.models import Device
from reloop.fulfillment.carriers import CARRIERS, tracking_url
from reloop.orders.models import OrderLine, SellerOrder


class ShipmentStatus(models.TextChoices):
    SHIPPED = "shipped", _("Handed to the carrier")
    PICKED_UP = "picked_up", _("Picked up by the carrier")
    IN_TRANSIT = "in_transit", _("In transit")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    DELIVERED = "delivered", _("Delivered")


#: The order a parcel moves through; a status never goes back.
STATUS_ORDER = [s.value for s in ShipmentStatus]


class DeliverySource(models.TextChoices):
    CARRIER = "carrier", _("Reported by the carrier")
    BUYER = "buyer", _("Confirmed by the buyer")
    AUTOMATIC = "automatic", _("Automatic, after no news from the carrier")


class Shipment(models.Model):
    seller_order = models.ForeignKey(SellerOrder, on_delete=models.PROTECT, related_name="shipments")
    carrier = models.CharField(max_length=20, help_text=_("A code of fulfillment.carriers.CARRIERS"))
    tracking_number = models.CharField(max_length=40)
    status = models.CharField(max_length=16, choices=ShipmentStatus.choices, default=ShipmentStatus.SHIPPED)
    units = models.JSONField(default=dict, help_text=_("Line id → the IMEIs or serials shipped, as recorded"))
    shipped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    shipped_at = models.DateTimeField()
    expected_delivery = models.DateField(help_text=_("The date promised to the buyer when it shipped"))
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivery_source = models.CharField(max_length=10, choices=DeliverySource.choices, blank=True)
    last_checked_at = models.DateTimeField(null=True, blank=True, help_text=_("When the carrier was last asked"))

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["seller_order"], name="shipment_one_per_seller_order"),
            models.CheckConstraint(condition=Q(status__in=ShipmentStatus.values), name="shipment_status_valid"),
            models.CheckConstraint(
                condition=~Q(carrier="") & ~Q(tracking_number=""), name="shipment_carrier_and_tracking_given"
            ),
            models.CheckConstraint(
                condition=Q(status=ShipmentStatus.DELIVERED, delivered_at__isnull=False)
                | (~Q(status=ShipmentStatus.DELIVERED) & Q(delivered_at__isnull=True)),
                name="shipment_delivered_iff_delivered_at",
            ),
        ]
        indexes = [models.Index(fields=["status", "shipped_at"])]

    def __str__(self) -> str:
        return f"{self.carrier} {self.tracking_number}"

    @property
    def carrier_name(self) -> str:
        info = CARRIERS.get(self.carrier)
        return info.name if info else self.carrier

    @property
    def tracking_url(self) -> str | None:
        return tracking_url(self.carrier, self.tracking_number)

    @property
    def on_its_way(self) -> bool:
        """Shipped, not delivered yet: its lines are ``shipped`` (they move together), so the buyer may confirm."""
        return self.delivered_at is None


class ShipmentUnit(models.Model):
    """Which device went out on which line: the link from an order line to its device passport."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="unit_rows")
    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="shipment_units")
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="shipment_units")

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["shipment", "device"], name="shipment_unit_once")]

    def __str__(self) -> str:
        return f"{self.line_id}: {self.device}"


class TrackingEvent(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(max_length=16, choices=ShipmentStatus.choices)
    description = models.CharField(max_length=200, blank=True)
    location = models.CharField(max_length=100, blank=True)
    occurred_at = models.DateTimeField()

    class Meta:
        ordering = ["occurred_at", "pk"]
        constraints = [
            # A status is reported once per parcel: asking the carrier again adds nothing.
            models.UniqueConstraint(fields=["shipment", "status"], name="tracking_event_once_per_status"),
        ]

    def __str__(self) -> str:
        return f"{self.shipment_id}: {self.status}"
