from django.contrib import admin

from reloop.sellers.models import Seller


@admin.register(Seller)
class SellerAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "standing", "quality_score", "created_at"]
    list_filter = ["standing", "country"]
    search_fields = ["name", "legal_name"]
