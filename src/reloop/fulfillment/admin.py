from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from reloop.fulfillment.models import Shipment, ShipmentUnit, TrackingEvent


class TrackingEventInline(admin.TabularInline):
    model = TrackingEvent
    extra = 0
    readonly_fields = ["status", "description", "location", "occurred_at"]


class ShipmentUnitInline(admin.TabularInline):
    model = ShipmentUnit
    extra = 0
    readonly_fields = ["line", "device"]


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin):
    """Read-only: a shipment is final once written (docs/adr/0011-shipping-and-delivery.md)."""

    list_display = ["seller_order", "carrier", "tracking_number", "status", "shipped_at", "delivered_at"]
    list_filter = ["status", "carrier", "delivery_source"]
    search_fields = ["tracking_number", "seller_order__order__number"]
    readonly_fields = [f.name for f in Shipment._meta.fields]
    inlines = [ShipmentUnitInline, TrackingEventInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
