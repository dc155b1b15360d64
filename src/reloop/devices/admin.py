from django.contrib import admin

from reloop.devices.models import BlockedDevice, Device, DeviceEvent


class DeviceEventInline(admin.TabularInline):
    model = DeviceEvent
    extra = 0
    readonly_fields = ["kind", "seller", "reference", "details", "occurred_at"]


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ["identifier", "kind", "variant", "seller", "created_at"]
    list_filter = ["kind"]
    search_fields = ["identifier"]
    readonly_fields = ["kind", "identifier", "variant", "seller", "created_at"]
    inlines = [DeviceEventInline]


@admin.register(BlockedDevice)
class BlockedDeviceAdmin(admin.ModelAdmin):
    """The operator's local blocklist, read by the offline device check (docs/trade-in.md)."""

    list_display = ["identifier", "kind", "status", "reason", "is_active", "created_at"]
    list_filter = ["status", "is_active"]
    search_fields = ["identifier"]
