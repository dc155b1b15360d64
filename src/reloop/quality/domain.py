"""Seller quality as pure rules (DESIGN.md §2 "Seller quality", docs/adr/0016-seller-quality-score.md).

From a seller's counts over the last 90 days: the metrics (defect, cancellation and late-shipment rates, the
median first-answer time on after-sales cases, the average seller rating), the 0-100 score that feeds the buy-box
penalty, and the verdict: which thresholds are crossed (warn), which stayed crossed past the grace period or went
past the hard limit (suspend). No database here; ``quality.services`` stores and acts on the result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from reloop.core.clock import add_business_days

WINDOW_DAYS = 90

#: Points each metric can cost out of 100 (they sum to 100).
WEIGHTS: Mapping[str, int] = {
    "defect_rate": 40,
    "cancellation_rate": 20,
    "late_shipment_rate": 20,
    "answer_time": 10,
    "rating": 10,
}
#: Answering after-sales cases: no points lost up to this median, all of the metric's points at ``ANSWER_WORST``.
ANSWER_TARGET_HOURS = Decimal(24)
ANSWER_WORST_HOURS = Decimal(72)
#: Ratings: no points lost at ``RATING_GOOD`` or above, all of them at ``RATING_POOR`` or below.
RATING_GOOD = Decimal("4.5")
RATING_POOR = Decimal("2.5")

ONE = Decimal(1)
ZERO = Decimal(0)


class Metric(StrEnum):
    DEFECT_RATE = "defect_rate"
    CANCELLATION_RATE = "cancellation_rate"
    LATE_SHIPMENT_RATE = "late_shipment_rate"


@dataclass(frozen=True)
class Limits:
    """Warning thresholds as fractions (0.06 = 6%); ``hard_factor`` × a threshold suspends at once."""

    defect_rate: Decimal = Decimal("0.06")
    cancellation_rate: Decimal = Decimal("0.025")
    late_shipment_rate: Decimal = Decimal("0.04")
    hard_factor: Decimal = Decimal(2)
    grace_days: int = 14
    min_volume: int = 20  # units (defects) or lines (cancellations, late shipments) before a rate counts
    min_ratings: int = 5

    def warning(self, metric: Metric) -> Decimal:
        return {
            Metric.DEFECT_RATE: self.defect_rate,
            Metric.CANCELLATION_RATE: self.cancellation_rate,
            Metric.LATE_SHIPMENT_RATE: self.late_shipment_rate,
        }[metric]

    def hard(self, metric: Metric) -> Decimal:
        return self.warning(metric) * self.hard_factor


@dataclass(frozen=True)
class Counts:
    """What happened to one seller's sales in the window."""

    delivered_units: int = 0
    defects: int = 0  # warranty claims + returns for not-as-described or defective units
    lines: int = 0  # lines paid in the window
    cancellations: int = 0  # of those, cancelled by the seller or automatically for not accepting / shipping
    shipped_lines: int = 0
    late_shipments: int = 0
    answer_hours: Sequence[Decimal] = field(default_factory=tuple)  # first seller answer per case, in hours
    rating_sum: int = 0
    rating_count: int = 0


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def value(self) -> Decimal | None:
        """The rate as a fraction with 4 decimals (0.0625 = 6.25%), ``None`` when nothing happened."""
        if self.denominator <= 0:
            return None
        return (Decimal(self.numerator) / Decimal(self.denominator)).quantize(Decimal("0.0001"), ROUND_HALF_UP)

    def counts(self, min_volume: int) -> bool:
        """A rate counts (in the score and the thresholds) only past the minimum volume: one bad sale out of
        three does not suspend a small seller."""
        return self.denominator >= max(min_volume, 1)


@dataclass(frozen=True)
class Metrics:
    defect_rate: Rate
    cancellation_rate: Rate
    late_shipment_rate: Rate
    answer_hours: Decimal | None
    rating: Decimal | None
    rating_count: int

    def rate(self, metric: Metric) -> Rate:
        rate: Rate = getattr(self, metric.value)
        return rate

    @property
    def on_time_rate(self) -> Decimal | None:
        """Share of shipments on time (for buyers: “ships on time 98%”)."""
        late = self.late_shipment_rate.value
        return None if late is None else ONE - late


def median(values: Sequence[Decimal]) -> Decimal | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def metrics_from(counts: Counts) -> Metrics:
    answer = median(counts.answer_hours)
    return Metrics(
        defect_rate=Rate(counts.defects, counts.delivered_units),
        cancellation_rate=Rate(counts.cancellations, counts.lines),
        late_shipment_rate=Rate(counts.late_shipments, counts.shipped_lines),
        answer_hours=None if answer is None else answer.quantize(Decimal("0.1"), ROUND_HALF_UP),
        rating=(Decimal(counts.rating_sum) / counts.rating_count).quantize(Decimal("0.01"), ROUND_HALF_UP)
        if counts.rating_count
        else None,
        rating_count=counts.rating_count,
    )


def _clamp(value: Decimal) -> Decimal:
    return max(ZERO, min(ONE, value))


def points_lost(metrics: Metrics, limits: Limits) -> dict[str, Decimal]:
    """What each metric costs: a rate loses its weight in proportion to how far it is towards the hard limit
    (half the weight at the warning threshold, all of it at the hard limit); answer time and rating lose theirs
    between a target and a worst value. Metrics without enough volume cost nothing."""
    lost: dict[str, Decimal] = {}
    for metric in Metric:
        rate = metrics.rate(metric)
        value = rate.value
        if value is None or not rate.counts(limits.min_volume):
            lost[metric.value] = ZERO
            continue
        lost[metric.value] = WEIGHTS[metric.value] * _clamp(value / limits.hard(metric))
    if metrics.answer_hours is None:
        lost["answer_time"] = ZERO
    else:
        span = ANSWER_WORST_HOURS - ANSWER_TARGET_HOURS
        lost["answer_time"] = WEIGHTS["answer_time"] * _clamp((metrics.answer_hours - ANSWER_TARGET_HOURS) / span)
    if metrics.rating is None or metrics.rating_count < limits.min_ratings:
        lost["rating"] = ZERO
    else:
        lost["rating"] = WEIGHTS["rating"] * _clamp((RATING_GOOD - metrics.rating) / (RATING_GOOD - RATING_POOR))
    return lost


def score(metrics: Metrics, limits: Limits) -> int:
    """100 minus the points lost, rounded half up, between 0 and 100."""
    total = Decimal(100) - sum(points_lost(metrics, limits).values(), ZERO)
    return int(max(ZERO, min(Decimal(100), total)).quantize(ONE, ROUND_HALF_UP))


class Level(StrEnum):
    OK = "ok"
    WARNING = "warning"
    HARD = "hard"


def levels(metrics: Metrics, limits: Limits) -> dict[Metric, Level]:
    """Each rate against its thresholds: over the warning threshold (strictly) → warning, over the hard limit →
    hard; a rate without enough volume is always ok."""
    found: dict[Metric, Level] = {}
    for metric in Metric:
        rate = metrics.rate(metric)
        value = rate.value
        if value is None or not rate.counts(limits.min_volume) or value <= limits.warning(metric):
            found[metric] = Level.OK
        elif value > limits.hard(metric):
            found[metric] = Level.HARD
        else:
            found[metric] = Level.WARNING
    return found


@dataclass(frozen=True)
class Verdict:
    warn: tuple[Metric, ...]  # newly over a threshold: record a warning, tell the seller
    resolve: tuple[Metric, ...]  # back under: close the open warning
    suspend_for: tuple[Metric, ...]  # over the hard limit, or still over after the grace period

    @property
    def suspend(self) -> bool:
        return bool(self.suspend_for)


def verdict(metrics: Metrics, limits: Limits, *, open_warnings: Mapping[Metric, dt.date], today: dt.date) -> Verdict:
    """What to do today, given the warnings still open (metric → the day it was first crossed)."""
    current = levels(metrics, limits)
    over = [m for m in Metric if current[m] is not Level.OK]
    warn = tuple(m for m in over if m not in open_warnings)
    resolve = tuple(m for m in Metric if m in open_warnings and current[m] is Level.OK)
    grace = dt.timedelta(days=limits.grace_days)
    suspend_for = tuple(
        m for m in over if current[m] is Level.HARD or (m in open_warnings and today - open_warnings[m] >= grace)
    )
    return Verdict(warn=warn, resolve=resolve, suspend_for=suspend_for)


def ship_by(paid_at: dt.datetime, dispatch_days: int) -> dt.datetime:
    """The moment a line must be shipped by: ``dispatch_days`` business days after payment, at least one — the
    same deadline after which the automatic cancellation takes the line back (``checkout.auto_cancel``)."""
    return add_business_days(paid_at, max(dispatch_days, 1))


def is_late(*, paid_at: dt.datetime, dispatch_days: int, shipped_at: dt.datetime) -> bool:
    return shipped_at > ship_by(paid_at, dispatch_days)


def percent(fraction: Decimal) -> str:
    """A fraction as people read it: 0.0625 → "6.3%", 0.06 → "6%"."""
    value = (fraction * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"{value.normalize():f}%" if value == value.to_integral() else f"{value}%"
