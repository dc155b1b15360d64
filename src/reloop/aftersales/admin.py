"""Raw after-sales data for staff, read-only: every change goes through the services (the operator decides at
/operator/cases/)."""

from django.contrib import admin
from django.http import HttpRequest

from reloop.aftersales.models import Case, CaseEvent, CaseMessage, CasePhoto


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class CasePhotoInline(ReadOnlyInline):
    model = CasePhoto
    fields = readonly_fields = (
        "position",
        "content_type",
        "size",
        "uploaded_at",
    )  # the file: only on case pages


class CaseMessageInline(ReadOnlyInline):
    model = CaseMessage
    fields = readonly_fields = (
        "role",
        "author",
        "body",
        "created_at",
    )


class CaseEventInline(ReadOnlyInline):
    model = CaseEvent
    fields = readonly_fields = (
        "role",
        "actor",
        "from_state",
        "to_state",
        "reason",
        "created_at",
    )


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["pk", "kind", "reason", "state", "seller", "order", "opened_at", "escalated_at"]
    list_filter = ["state", "kind", "reason"]
    search_fields = ["order__number", "buyer__email", "seller__name"]
    inlines = [CasePhotoInline, CaseMessageInline, CaseEventInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
