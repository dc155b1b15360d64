from django.contrib import admin

from reloop.reviews.models import ProductRatingSummary, Review, SellerRatingSummary


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    """Read-only: reviews change through the services (moderation at /operator/reviews/), so summaries follow."""

    list_display = ["pk", "seller", "product_model", "product_rating", "seller_rating", "created_at", "hidden_at"]
    list_filter = ["hidden_at"]
    search_fields = ["text", "seller__name"]

    readonly_fields = [f.name for f in Review._meta.fields]


admin.site.register([ProductRatingSummary, SellerRatingSummary])
