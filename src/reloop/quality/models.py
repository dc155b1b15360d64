"""Seller quality: rolling 90-day metrics, the 0-100 score, warnings and suspensions.

``QualitySnapshot`` is one seller's counts and score for one day (the job's unit of work: one per seller per day,
so running it twice is running it once). Rates are derived from the stored counts by ``quality.domain``.
``QualityWarning`` records each threshold crossed and each suspension it led to.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reloop.quality.domain import Counts, Metric, Metrics, metrics_from
from reloop.sellers.models import Seller


class QualitySnapshot(models.Model):
    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="quality_snapshots")
    day = models.DateField()
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    delivered_units = models.PositiveIntegerField(default=0)
    defects = models.PositiveIntegerField(default=0)
    lines = models.PositiveIntegerField(default=0)
    cancellations = models.PositiveIntegerField(default=0)
    shipped_lines = models.PositiveIntegerField(default=0)
    late_shipments = models.PositiveIntegerField(default=0)
    answered_cases = models.PositiveIntegerField(default=0)
    answer_hours = models.DecimalField(
        max_digits=7, decimal_places=1, null=True, blank=True, help_text=_("Median hours to the first answer")
    )
    rating_sum = models.PositiveIntegerField(default=0)
    rating_count = models.PositiveIntegerField(default=0)
    score = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["seller", "-day"]
        constraints = [
            models.UniqueConstraint(fields=["seller", "day"], name="quality_snapshot_one_per_seller_per_day"),
            models.CheckConstraint(condition=Q(score__lte=100), name="quality_snapshot_score_max_100"),
        ]

    def __str__(self) -> str:
        return f"{self.seller_id} {self.day}: {self.score}"

    @property
    def metrics(self) -> Metrics:
        m = metrics_from(
            Counts(
                delivered_units=self.delivered_units,
                defects=self.defects,
                lines=self.lines,
                cancellations=self.cancellations,
                shipped_lines=self.shipped_lines,
                late_shipments=self.late_shipments,
                rating_sum=self.rating_sum,
                rating_count=self.rating_count,
            )
        )
        return Metrics(
            defect_rate=m.defect_rate,
            cancellation_rate=m.cancellation_rate,
            late_shipment_rate=m.late_shipment_rate,
            answer_hours=self.answer_hours,
            rating=m.rating,
            rating_count=m.rating_count,
        )


class WarningKind(models.TextChoices):
    WARNING = "warning", _("Warning")
    SUSPENSION = "suspension", _("Suspension")


METRIC_LABELS = {
    Metric.DEFECT_RATE: _("Defect rate"),
    Metric.CANCELLATION_RATE: _("Cancellation rate"),
    Metric.LATE_SHIPMENT_RATE: _("Late-shipment rate"),
}


class QualityWarning(models.Model):
    """A threshold crossed (``warning``, open until the rate is back under or the seller is suspended for it) or
    the suspension it caused. Closing warnings at suspension means a seller an operator reinstates starts a
    new grace period if it is still over a threshold (at once suspended again only over a hard limit)."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="quality_warnings")
    snapshot = models.ForeignKey(QualitySnapshot, on_delete=models.PROTECT, related_name="warnings")
    kind = models.CharField(max_length=10, choices=WarningKind.choices)
    metric = models.CharField(max_length=20, choices=[(m.value, label) for m, label in METRIC_LABELS.items()])
    value = models.DecimalField(max_digits=5, decimal_places=4, help_text=_("The rate, as a fraction"))
    limit = models.DecimalField(max_digits=5, decimal_places=4)
    opened_on = models.DateField()
    resolved_on = models.DateField(null=True, blank=True)
    ended_in_suspension = models.BooleanField(
        default=False, help_text=_("Closed because the seller was suspended for it, not because the rate recovered")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opened_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["seller", "metric"],
                condition=Q(kind="warning", resolved_on__isnull=True),
                name="quality_warning_one_open_per_metric",
            ),
            models.UniqueConstraint(
                fields=["seller", "metric", "kind", "opened_on"], name="quality_warning_once_a_day"
            ),
            models.CheckConstraint(condition=Q(kind__in=WarningKind.values), name="quality_warning_kind_valid"),
            models.CheckConstraint(
                condition=Q(metric__in=[m.value for m in Metric]), name="quality_warning_metric_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.metric} {self.seller_id} {self.opened_on}"

    @property
    def is_open(self) -> bool:
        return self.kind == WarningKind.WARNING and self.resolved_on is None


class BuyBoxShareSnapshot(models.Model):
    """Of the buy boxes (product variant, grade, market) a seller competes in with a priced offer, how many it held
    on ``day``: one row per seller and market, written by the daily quality job, for the seller's chart of its
    buy-box share over time (the buy boxes themselves keep only the present: ``pricing.BuyBoxSnapshot``)."""

    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="buy_box_shares")
    market = models.CharField(max_length=5)
    day = models.DateField()
    held = models.PositiveIntegerField()
    competing = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["seller", "day", "market"]
        constraints = [
            models.UniqueConstraint(fields=["seller", "market", "day"], name="buy_box_share_one_per_seller_market_day"),
            models.CheckConstraint(
                condition=Q(held__lte=models.F("competing")), name="buy_box_share_held_le_competing"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.seller_id} {self.market} {self.day}: {self.held}/{self.competing}"
