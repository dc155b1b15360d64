"""Derived pricing data: the buy-box winner per (variant, grade, market) and a per-variant summary.

Both are rebuilt from offers at any time (``reloop rebuild_buybox``); nothing else writes them.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from reloop.catalog.grading import Grade
from reloop.catalog.models import Variant
from reloop.markets.data import MARKET_CODES
from reloop.offers.models import Offer

MARKET_CHOICES = [(c, c) for c in MARKET_CODES]


class BuyBoxSnapshot(models.Model):
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="buy_boxes")
    grade = models.CharField(max_length=10, choices=Grade.choices)
    market = models.CharField(max_length=5, choices=MARKET_CHOICES)
    winner = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="+")
    price = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    offer_count = models.PositiveIntegerField()
    runner_up = models.ForeignKey(Offer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    runner_up_price = models.BigIntegerField(null=True, blank=True)
    refreshed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["variant", "grade", "market"], name="buy_box_unique_variant_grade_market"),
            models.CheckConstraint(condition=Q(price__gt=0) & Q(offer_count__gte=1), name="buy_box_price_and_count"),
        ]
        indexes = [models.Index(fields=["market", "variant"])]

    def __str__(self) -> str:
        return f"{self.variant_id}/{self.grade}/{self.market}: offer {self.winner_id} at {self.price}"


class VariantOfferSummary(models.Model):
    """Lowest buy-box price per grade of one variant in one market, for category pages and sorting."""

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="offer_summaries")
    market = models.CharField(max_length=5, choices=MARKET_CHOICES)
    currency = models.CharField(max_length=3)
    lowest_price = models.BigIntegerField()
    offer_count = models.PositiveIntegerField()
    premium_price = models.BigIntegerField(null=True, blank=True)
    excellent_price = models.BigIntegerField(null=True, blank=True)
    good_price = models.BigIntegerField(null=True, blank=True)
    fair_price = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["variant", "market"], name="variant_summary_unique_market"),
        ]
        indexes = [models.Index(fields=["market", "variant", "lowest_price"])]

    def __str__(self) -> str:
        return f"{self.variant_id}/{self.market}: from {self.lowest_price}"


class StaleBuyBox(models.Model):
    """A (variant, grade, market) buy box a deferred change may have moved, waiting for the next batch refresh
    (``pricing.services.refresh_stale_buy_boxes``, ADR 0044). ``market`` empty: every market of the pair."""

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="+")
    grade = models.CharField(max_length=10, choices=Grade.choices)
    market = models.CharField(max_length=5, blank=True)
    marked_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["variant", "grade", "market"], name="stale_buy_box_unique_key"),
        ]
        indexes = [models.Index(fields=["marked_at"])]

    def __str__(self) -> str:
        return f"{self.variant_id}/{self.grade}/{self.market or '*'} stale since {self.marked_at:%H:%M:%S}"


GRADE_PRICE_FIELDS = {g.value: f"{g.value}_price" for g in Grade}
