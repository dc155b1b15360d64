"""Business days: weekends are skipped, the time of day is kept."""

from __future__ import annotations

import datetime as dt

import pytest

from reloop.core.clock import add_business_days

UTC = dt.UTC


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (dt.datetime(2026, 12, 1, 10, tzinfo=UTC), 1, dt.datetime(2026, 12, 2, 10, tzinfo=UTC)),  # Tue → Wed
        (dt.datetime(2026, 12, 4, 10, tzinfo=UTC), 1, dt.datetime(2026, 12, 7, 10, tzinfo=UTC)),  # Fri → Mon
        (dt.datetime(2026, 12, 5, 10, tzinfo=UTC), 1, dt.datetime(2026, 12, 8, 10, tzinfo=UTC)),  # Sat → Tue
        (dt.datetime(2026, 12, 6, 10, tzinfo=UTC), 0, dt.datetime(2026, 12, 7, 10, tzinfo=UTC)),  # Sun → Mon
        (dt.datetime(2026, 12, 1, 10, tzinfo=UTC), 5, dt.datetime(2026, 12, 8, 10, tzinfo=UTC)),  # a week
    ],
)
def test_business_days_skip_weekends(start, days, expected):
    assert add_business_days(start, days) == expected


def test_negative_days_are_refused():
    with pytest.raises(ValueError, match="non-negative"):
        add_business_days(dt.datetime(2026, 12, 1, tzinfo=UTC), -1)


def test_frozen_at_moves_now_inside_the_block_only():
    from reloop.core import clock

    moment = dt.datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
    with clock.frozen_at(moment):
        assert clock.now() == moment
        assert clock.today() == dt.date(2026, 1, 2)
    assert clock.now() != moment


def test_frozen_at_refuses_a_naive_datetime():
    from reloop.core import clock

    with pytest.raises(ValueError, match="aware"), clock.frozen_at(dt.datetime(2026, 1, 2)):  # noqa: DTZ001
        pass
