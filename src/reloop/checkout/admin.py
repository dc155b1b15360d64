"""Raw data for the operator: orders' payments at the provider, and the payment problems reconciliation found
(``reloop run_jobs`` → ``reconcile_payments``). An issue is resolved by setting its ``resolved at``."""

from __future__ import annotations

from django.contrib import admin

from reloop.checkout.models import CheckoutPayment, PaymentIssue


@admin.register(CheckoutPayment)
class CheckoutPaymentAdmin(admin.ModelAdmin):
    list_display = ["reference", "order", "provider", "amount", "currency", "instalments", "state", "settled_by"]
    list_filter = ["provider", "state", "settled_by"]
    search_fields = ["reference", "order__number"]
    readonly_fields = [f.name for f in CheckoutPayment._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(PaymentIssue)
class PaymentIssueAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "provider", "reference", "order", "resolved_at"]
    list_filter = ["kind", "provider", ("resolved_at", admin.EmptyFieldListFilter)]
    search_fields = ["reference", "order__number", "detail"]
    readonly_fields = ["provider", "reference", "order", "kind", "detail", "created_at"]

    def has_add_permission(self, request: object) -> bool:
        return False
