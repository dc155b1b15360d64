from django.contrib import admin

from reloop.sellers.models import Seller, SellerApplication, SellerInvitation


@admin.register(Seller)
class SellerAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "standing", "quality_score", "approved_at", "capped_on", "created_at"]
    list_filter = ["standing", "country"]
    search_fields = ["name", "legal_name"]


@admin.register(SellerApplication)
class SellerApplicationAdmin(admin.ModelAdmin):
    """Raw data; operators decide on applications at /operator/sellers/ (approval creates the seller)."""

    list_display = ["trading_name", "country", "status", "submitted_at", "decided_at"]
    list_filter = ["status", "country"]
    search_fields = ["trading_name", "legal_name", "registration_number", "vat_number", "email"]
    readonly_fields = ["status", "decided_by", "decided_at", "seller", "self_certified_at"]


@admin.register(SellerInvitation)
class SellerInvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "seller", "role", "created_at", "expires_at", "accepted_at", "revoked_at"]
    search_fields = ["email", "seller__name"]
    exclude = ["token_hash"]
