"""Verified reviews of delivered lines: product and seller ratings, seller replies, moderation.

A review belongs to one order line (one review per line, enforced by the database). The seller, product model and
author name are copied from the line when it is written, so lists never join through orders. Averages are kept in
two small summary tables, recomputed by the service that changed a review, never per page view.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reloop.catalog.models import ProductModel, Variant
from reloop.orders.models import OrderLine
from reloop.reviews.domain import average_rating
from reloop.sellers.models import Seller

RATING_RANGE = Q(product_rating__gte=1) & Q(product_rating__lte=5) & Q(seller_rating__gte=1) & Q(seller_rating__lte=5)


class Review(models.Model):
    line = models.OneToOneField(OrderLine, on_delete=models.PROTECT, related_name="review")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews")
    seller = models.ForeignKey(Seller, on_delete=models.PROTECT, related_name="reviews")
    product_model = models.ForeignKey(ProductModel, on_delete=models.PROTECT, related_name="reviews")
    variant = models.ForeignKey(Variant, on_delete=models.PROTECT, related_name="+")
    author_name = models.CharField(max_length=60, blank=True, help_text=_("As shown publicly, e.g. “Ada L.”"))
    variant_label = models.CharField(max_length=200)
    grade = models.CharField(max_length=10)
    product_rating = models.PositiveSmallIntegerField(_("product rating"))
    seller_rating = models.PositiveSmallIntegerField(_("seller rating"))
    text = models.TextField(_("review"))
    created_at = models.DateTimeField()
    reply_text = models.TextField(_("seller reply"), blank=True)
    replied_at = models.DateTimeField(null=True, blank=True, help_text=_("When the seller first replied"))
    reply_updated_at = models.DateTimeField(null=True, blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.CharField(max_length=300, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("moderate_review", "Can hide and restore reviews")]
        constraints = [
            models.CheckConstraint(condition=RATING_RANGE, name="review_ratings_1_to_5"),
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True) | ~Q(hidden_reason=""), name="review_hidden_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(replied_at__isnull=True, reply_text="") | (Q(replied_at__isnull=False) & ~Q(reply_text="")),
                name="review_reply_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["seller", "-created_at"]),
            models.Index(fields=["product_model", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"Review of line {self.line_id} ({self.product_rating}/{self.seller_rating})"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class RatingSummary(models.Model):
    """Count and sum of visible ratings; the average is sum / count. Abstract: one table per subject."""

    review_count = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    @property
    def average(self) -> Decimal | None:
        return average_rating(self.rating_sum, self.review_count)


class ProductRatingSummary(RatingSummary):
    product_model = models.OneToOneField(
        ProductModel, on_delete=models.CASCADE, primary_key=True, related_name="rating_summary"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(rating_sum__gte=models.F("review_count")) & Q(rating_sum__lte=models.F("review_count") * 5),
                name="product_rating_summary_in_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.product_model_id}: {self.average} ({self.review_count})"


class SellerRatingSummary(RatingSummary):
    seller = models.OneToOneField(Seller, on_delete=models.CASCADE, primary_key=True, related_name="rating_summary")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(rating_sum__gte=models.F("review_count")) & Q(rating_sum__lte=models.F("review_count") * 5),
                name="seller_rating_summary_in_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.seller_id}: {self.average} ({self.review_count})"
