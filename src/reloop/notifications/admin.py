from django.contrib import admin

from reloop.notifications.models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "to", "template", "language", "object_type", "object_id", "status")
    list_filter = ("status", "template", "language")
    search_fields = ("to", "object_id", "subject")
    readonly_fields = [f.name for f in Message._meta.fields]

    def has_add_permission(self, request):  # the log is written by queue_email only
        return False

    def has_change_permission(self, request, obj=None):
        return False
