"""Read-only admin for the ledger and the provider records: the ledger is append-only, the rest is evidence."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from reloop.payments.models import (
    LedgerAccount,
    LedgerTransaction,
    LineRefund,
    LineRelease,
    Payout,
    PayoutRun,
    Posting,
    TestCharge,
    TestRefund,
    WebhookEvent,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LedgerAccount)
class LedgerAccountAdmin(ReadOnlyAdmin):
    list_display = ["code", "currency", "kind", "name", "seller", "created_at"]
    list_filter = ["currency", "kind"]
    list_select_related = ["seller"]
    search_fields = ["code", "name"]


class PostingInline(ReadOnlyInline):
    model = Posting
    fields = readonly_fields = ("account", "amount", "currency")


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyAdmin):
    list_display = ["id", "created_at", "kind", "reference", "idempotency_key", "memo"]
    list_filter = ["kind"]
    search_fields = ["reference", "idempotency_key"]
    date_hierarchy = "created_at"
    inlines = [PostingInline]


@admin.register(Posting)
class PostingAdmin(ReadOnlyAdmin):
    list_display = ["id", "transaction", "account", "amount", "currency"]
    list_filter = ["currency"]
    list_select_related = ["transaction", "account"]
    search_fields = ["account__code", "transaction__reference"]


class TestRefundInline(ReadOnlyInline):
    model = TestRefund
    fields = readonly_fields = ("reference", "idempotency_key", "amount", "created_at")


@admin.register(TestCharge)
class TestChargeAdmin(ReadOnlyAdmin):
    list_display = ["reference", "status", "amount", "currency", "captured_amount", "refunded_amount", "created_at"]
    list_filter = ["status", "currency"]
    search_fields = ["reference", "idempotency_key"]
    inlines = [TestRefundInline]


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ["event_id", "provider", "type", "outcome", "received_at"]
    list_filter = ["provider", "type", "outcome"]
    search_fields = ["event_id"]


# --- Payouts: raw data, read-only (the operator report is /operator/payouts/) -------------------------------


@admin.register(Payout)
class PayoutAdmin(ReadOnlyAdmin):
    list_display = ["id", "run_date", "seller", "currency", "amount", "status", "destination", "transaction"]
    list_filter = ["status", "currency", "run_date"]
    list_select_related = ["seller"]
    search_fields = ["seller__name", "provider_reference"]
    date_hierarchy = "run_date"


@admin.register(PayoutRun)
class PayoutRunAdmin(ReadOnlyAdmin):
    list_display = ["run_date", "started_at", "finished_at", "payouts"]


@admin.register(LineRelease)
class LineReleaseAdmin(ReadOnlyAdmin):
    list_display = ["id", "line", "seller", "currency", "amount", "released_on", "transaction"]
    list_filter = ["currency", "released_on"]
    list_select_related = ["line", "seller"]
    raw_id_fields = ["line", "seller_order", "transaction"]


@admin.register(LineRefund)
class LineRefundAdmin(ReadOnlyAdmin):
    list_display = ["id", "line", "seller", "currency", "gross", "amount", "from_available", "transaction"]
    list_filter = ["currency", "from_available"]
    list_select_related = ["line", "seller"]
    raw_id_fields = ["line", "seller_order", "transaction"]
