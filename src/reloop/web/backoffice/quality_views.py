"""The seller's quality scorecard in the back office: each metric against its thresholds, with advice.
Views parse, call selectors and render; what counts and how much is ``quality.domain``."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from reloop.quality import conf
from reloop.quality import selectors as quality
from reloop.quality.domain import ANSWER_TARGET_HOURS, Level, Limits, Metric, levels
from reloop.quality.models import METRIC_LABELS, QualitySnapshot
from reloop.web.backoffice.shell import seller_of, seller_required

ADVICE: dict[Metric, Promise] = {
    Metric.DEFECT_RATE: _(
        "Test every unit against the grade standard before listing it, describe battery and replaced parts "
        "exactly, and pack so nothing moves. Warranty claims and returns for a defect count here."
    ),
    Metric.CANCELLATION_RATE: _(
        "Keep stock in step with what is on the shelf (CSV or API), accept orders within one business day and "
        "ship within your dispatch days: the automatic cancellations count against you too."
    ),
    Metric.LATE_SHIPMENT_RATE: _(
        "Ship within the dispatch days your offers promise, or promise more days. A line shipped after its "
        "ship-by time counts as late."
    ),
}


@dataclass(frozen=True)
class MetricRow:
    metric: Metric
    label: Promise
    value: Decimal | None
    numerator: int
    denominator: int
    limit: Decimal
    hard: Decimal
    level: str  # ok, warning, hard or "volume" (not enough sales to count yet)
    advice: Promise


def metric_rows(snapshot: QualitySnapshot, limits: Limits) -> list[MetricRow]:
    metrics = snapshot.metrics
    found = levels(metrics, limits)
    rows = []
    for metric in Metric:
        rate = metrics.rate(metric)
        level = found[metric].value if rate.counts(limits.min_volume) else "volume"
        rows.append(
            MetricRow(
                metric=metric,
                label=METRIC_LABELS[metric],
                value=rate.value,
                numerator=rate.numerator,
                denominator=rate.denominator,
                limit=limits.warning(metric),
                hard=limits.hard(metric),
                level=level,
                advice=ADVICE[metric],
            )
        )
    return rows


@seller_required
@require_safe
def scorecard(request: HttpRequest) -> HttpResponse:
    """Each metric of the last 90 days against its threshold, the score's trend, warnings and what to do."""
    seller = seller_of(request)
    card = quality.scorecard(seller=seller)
    limits = conf.limits()
    return render(
        request,
        "web/backoffice/quality/scorecard.html",
        {
            "seller": seller,
            "card": card,
            "rows": metric_rows(card.latest, limits) if card.latest else [],
            "limits": limits,
            "answer_target": ANSWER_TARGET_HOURS,
            "levels": Level,
        },
    )
