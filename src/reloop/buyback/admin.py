from django.contrib import admin

from reloop.buyback.models import Bid, Quote, TradeIn, TradeInEvent


@admin.register(Bid)
class BidAdmin(admin.ModelAdmin):
    list_display = ["seller", "variant", "condition", "market", "price", "is_active", "updated_at"]
    list_filter = ["condition", "market", "is_active"]
    raw_id_fields = ["seller", "variant"]


class TradeInEventInline(admin.TabularInline):
    model = TradeInEvent
    extra = 0
    can_delete = False
    readonly_fields = ["from_state", "to_state", "actor_kind", "actor", "note", "occurred_at"]


@admin.register(TradeIn)
class TradeInAdmin(admin.ModelAdmin):
    """Read-only: every step goes through the trade-in services (the operator acts on /operator/trade-ins/)."""

    list_display = ["number", "seller", "state", "quoted_amount", "agreed_amount", "currency", "accepted_at"]
    list_filter = ["state", "escalation", "payout_method"]
    search_fields = ["number"]
    inlines = [TradeInEventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Quote)
class QuoteAdmin(admin.ModelAdmin):
    list_display = ["pk", "variant", "condition", "market", "amount", "seller", "created_at", "expires_at"]
    raw_id_fields = ["customer", "variant", "bid", "seller"]
