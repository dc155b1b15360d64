"""The public seller scorecard (issue 16, item 7): the 90-day rates a buyer needs, each with its denominator.

Every figure is read from the seller's latest ``QualitySnapshot`` — the same counts the daily job scored, through
``quality.domain.metrics_from`` — so the page and the score can never disagree. The one figure the snapshot does not
keep apart is the "not as described" share (over-grading): it is counted here over the snapshot's own window, with
the snapshot's delivered units as its denominator. Two queries, whatever the seller's volume.

A seller is rated publicly only past the quality rules' minimum volume (``Limits.min_volume`` delivered units, the
volume at which the defect rate starts to count in the score); below it the page says so plainly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from reloop.aftersales.domain import Reason
from reloop.aftersales.models import Case
from reloop.quality import domain
from reloop.quality.models import QualitySnapshot
from reloop.sellers.models import Seller


@dataclass(frozen=True)
class PublicRate:
    """One rate as a buyer reads it: ``numerator`` of ``denominator`` (e.g. 2 of 140 delivered units)."""

    key: str  # defects, not_as_described, cancellations, late_shipments
    numerator: int
    denominator: int

    @property
    def value(self) -> Decimal | None:
        return domain.Rate(self.numerator, self.denominator).value


@dataclass(frozen=True)
class PublicScorecard:
    day: dt.date
    rated: bool  # past the minimum volume: the rates and the score are shown
    min_volume: int
    delivered_units: int
    score: int
    defects: PublicRate
    not_as_described: PublicRate
    cancellations: PublicRate
    late_shipments: PublicRate
    answer_hours: Decimal | None
    answered_cases: int
    rating: Decimal | None
    rating_count: int

    @property
    def rates(self) -> tuple[PublicRate, ...]:
        return (self.defects, self.not_as_described, self.cancellations, self.late_shipments)


def not_as_described_count(*, seller_id: int, start: dt.datetime, end: dt.datetime) -> int:
    """Returns and warranty claims opened from ``start`` to ``end`` because the unit was not as described (grade,
    battery, parts): the buyer's word for over-grading. They are a subset of the defects the score counts."""
    return Case.objects.filter(
        seller_id=seller_id, reason=Reason.NOT_AS_DESCRIBED, opened_at__gte=start, opened_at__lt=end
    ).count()


def public_scorecard(*, seller: Seller, limits: domain.Limits) -> PublicScorecard | None:
    """The seller's scorecard from its latest snapshot, ``None`` before the quality job first ran for it."""
    snapshot = QualitySnapshot.objects.filter(seller=seller).order_by("-day").first()
    if snapshot is None:
        return None
    metrics = snapshot.metrics
    rated = metrics.defect_rate.counts(limits.min_volume)
    nad = (
        not_as_described_count(seller_id=seller.pk, start=snapshot.window_start, end=snapshot.window_end)
        if rated
        else 0
    )

    def rate(key: str, source: domain.Rate) -> PublicRate:
        return PublicRate(key=key, numerator=source.numerator, denominator=source.denominator)

    return PublicScorecard(
        day=snapshot.day,
        rated=rated,
        min_volume=limits.min_volume,
        delivered_units=snapshot.delivered_units,
        score=snapshot.score,
        defects=rate("defects", metrics.defect_rate),
        not_as_described=PublicRate("not_as_described", nad, metrics.defect_rate.denominator),
        cancellations=rate("cancellations", metrics.cancellation_rate),
        late_shipments=rate("late_shipments", metrics.late_shipment_rate),
        answer_hours=metrics.answer_hours,
        answered_cases=snapshot.answered_cases,
        rating=metrics.rating,
        rating_count=metrics.rating_count,
    )
