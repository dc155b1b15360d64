"""The quality rules without a database: metrics, the 0-100 score, thresholds, grace period, ship-by deadline."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reloop.quality.domain import (
    Counts,
    Level,
    Limits,
    Metric,
    is_late,
    levels,
    median,
    metrics_from,
    score,
    ship_by,
    verdict,
)

LIMITS = Limits()
TODAY = dt.date(2026, 12, 1)
UTC = dt.UTC


def counts(**kw):
    base = {"delivered_units": 100, "lines": 100, "shipped_lines": 100}
    return Counts(**{**base, **kw})


class TestScore:
    def test_a_perfect_record_scores_100(self):
        assert score(metrics_from(counts(rating_sum=50, rating_count=10, answer_hours=(Decimal(2),))), LIMITS) == 100

    def test_no_sales_scores_100(self):
        assert score(metrics_from(Counts()), LIMITS) == 100

    def test_at_the_defect_threshold_half_the_defect_weight_is_lost(self):
        # 6 defects / 100 units = 6% = half of the 12% hard limit → 40 × 0.5 = 20 points
        assert score(metrics_from(counts(defects=6)), LIMITS) == 80

    def test_worked_example_from_the_adr(self):
        # defects 3% (−10), cancellations 1% (−4), late 2% (−5), answer 48 h (−5), rating 4.0 over 10 (−2.5)
        m = metrics_from(
            counts(
                defects=3,
                cancellations=1,
                late_shipments=2,
                answer_hours=(Decimal(40), Decimal(56)),
                rating_sum=40,
                rating_count=10,
            )
        )
        assert score(m, LIMITS) == 74  # 100 − 26.5 = 73.5, rounded half up

    def test_below_the_minimum_volume_rates_cost_nothing(self):
        small = Counts(delivered_units=3, defects=3, lines=3, cancellations=3, shipped_lines=3, late_shipments=3)
        assert score(metrics_from(small), LIMITS) == 100
        assert set(levels(metrics_from(small), LIMITS).values()) == {Level.OK}

    @given(
        units=st.integers(min_value=0, max_value=500),
        defects=st.integers(min_value=0, max_value=500),
        lines=st.integers(min_value=0, max_value=500),
        cancellations=st.integers(min_value=0, max_value=500),
        late=st.integers(min_value=0, max_value=500),
        hours=st.lists(st.decimals(min_value=0, max_value=1000, places=1), max_size=20),
        ratings=st.lists(st.integers(min_value=1, max_value=5), max_size=30),
    )
    def test_the_score_is_between_0_and_100_and_never_rises_with_more_defects(
        self, units, defects, lines, cancellations, late, hours, ratings
    ):
        c = Counts(
            delivered_units=units,
            defects=min(defects, units),
            lines=lines,
            cancellations=min(cancellations, lines),
            shipped_lines=lines,
            late_shipments=min(late, lines),
            answer_hours=tuple(hours),
            rating_sum=sum(ratings),
            rating_count=len(ratings),
        )
        value = score(metrics_from(c), LIMITS)
        assert 0 <= value <= 100
        worse = Counts(**{**c.__dict__, "defects": min(c.defects + 1, units)})
        assert score(metrics_from(worse), LIMITS) <= value


class TestThresholds:
    @pytest.mark.parametrize(
        ("defects", "level"), [(6, Level.OK), (7, Level.WARNING), (12, Level.WARNING), (13, Level.HARD)]
    )
    def test_defect_levels_are_strictly_over_the_threshold(self, defects, level):
        assert levels(metrics_from(counts(defects=defects)), LIMITS)[Metric.DEFECT_RATE] is level

    def test_crossing_a_threshold_warns_once(self):
        m = metrics_from(counts(cancellations=3))  # 3% > 2.5%
        first = verdict(m, LIMITS, open_warnings={}, today=TODAY)
        assert (first.warn, first.suspend) == ((Metric.CANCELLATION_RATE,), False)
        again = verdict(m, LIMITS, open_warnings={Metric.CANCELLATION_RATE: TODAY}, today=TODAY)
        assert (again.warn, again.resolve, again.suspend) == ((), (), False)

    def test_still_over_after_the_grace_period_suspends(self):
        m = metrics_from(counts(late_shipments=5))
        opened = TODAY - dt.timedelta(days=LIMITS.grace_days)
        assert verdict(m, LIMITS, open_warnings={Metric.LATE_SHIPMENT_RATE: opened}, today=TODAY).suspend_for == (
            Metric.LATE_SHIPMENT_RATE,
        )
        day_before = opened + dt.timedelta(days=1)
        assert not verdict(m, LIMITS, open_warnings={Metric.LATE_SHIPMENT_RATE: day_before}, today=TODAY).suspend

    def test_the_hard_limit_suspends_at_once(self):
        v = verdict(metrics_from(counts(defects=13)), LIMITS, open_warnings={}, today=TODAY)
        assert (v.warn, v.suspend_for) == ((Metric.DEFECT_RATE,), (Metric.DEFECT_RATE,))

    def test_back_under_resolves_the_warning(self):
        v = verdict(metrics_from(counts()), LIMITS, open_warnings={Metric.DEFECT_RATE: TODAY}, today=TODAY)
        assert (v.warn, v.resolve, v.suspend) == ((), (Metric.DEFECT_RATE,), False)

    def test_limits_are_configurable(self):
        strict = Limits(defect_rate=Decimal("0.08"), min_volume=5)
        m = metrics_from(Counts(delivered_units=10, defects=1))
        assert levels(m, strict)[Metric.DEFECT_RATE] is Level.WARNING
        assert levels(m, LIMITS)[Metric.DEFECT_RATE] is Level.OK


class TestShipBy:
    def test_friday_payment_with_one_dispatch_day_ships_by_monday_same_time(self):
        friday = dt.datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
        assert ship_by(friday, 1) == dt.datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
        assert not is_late(paid_at=friday, dispatch_days=1, shipped_at=dt.datetime(2026, 11, 30, 15, 0, tzinfo=UTC))
        assert is_late(paid_at=friday, dispatch_days=1, shipped_at=dt.datetime(2026, 11, 30, 15, 1, tzinfo=UTC))

    def test_zero_dispatch_days_still_gives_one_business_day(self):
        monday = dt.datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
        assert ship_by(monday, 0) == ship_by(monday, 1) == dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_median():
    assert median([]) is None
    assert median([Decimal(3), Decimal(1), Decimal(2)]) == Decimal(2)
    assert median([Decimal(1), Decimal(4)]) == Decimal("2.5")
