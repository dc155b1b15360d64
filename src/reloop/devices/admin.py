from django.contrib import admin

from reloop.devices.models import Device, DeviceEvent


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
