"""Raw data of the legal pages for staff. Published versions are read-only here as everywhere; edit a draft, or
start one from /operator/legal/."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from reloop.legal.models import LegalVersion, NoticeReport, TermsAcceptance, VersionStatus


@admin.register(LegalVersion)
class LegalVersionAdmin(admin.ModelAdmin):
    list_display = ["market", "kind", "number", "status", "from_template", "published_at"]
    list_filter = ["status", "kind", "market", "from_template"]
    search_fields = ["title", "body"]
    readonly_fields = ["status", "published_at", "published_by", "created_at", "created_by", "from_template"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # versions are numbered by the services: start a draft from /operator/legal/

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None and obj.status == VersionStatus.PUBLISHED:
            return [f.name for f in self.model._meta.fields]
        return [*self.readonly_fields, "market", "kind", "number", "language"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is not None and obj.status == VersionStatus.DRAFT and super().has_delete_permission(request, obj)


@admin.register(TermsAcceptance)
class TermsAcceptanceAdmin(admin.ModelAdmin):
    list_display = ["user", "version", "context", "reference", "accepted_at"]
    list_filter = ["context", "version__kind", "version__market"]
    search_fields = ["user__email", "reference"]
    list_select_related = ["user", "version"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(NoticeReport)
class NoticeReportAdmin(admin.ModelAdmin):
    list_display = ["reference", "market", "category", "status", "decision", "received_at"]
    list_filter = ["status", "category", "market"]
    search_fields = ["reference", "listing_url", "reporter_email"]
    readonly_fields = [
        "reference",
        "submission_key",
        "market",
        "category",
        "listing_url",
        "offer",
        "explanation",
        "reporter_name",
        "reporter_email",
        "reporter",
        "good_faith",
        "status",
        "received_at",
        "decision",
        "decision_reason",
        "decided_at",
        "decided_by",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # notices come from the public form; decisions from /operator/notices/
