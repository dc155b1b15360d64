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


def test_the_suite_moment_reads_iso_moments_and_refuses_what_it_cannot_place():
    from reloop.conftest import suite_moment

    assert suite_moment("") is None
    assert suite_moment("2027-12-31T23:30:00Z") == dt.datetime(2027, 12, 31, 23, 30, tzinfo=UTC)
    assert suite_moment("2027-03-28T02:30:00+01:00") == dt.datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert suite_moment("2028-02-29") == dt.datetime(2028, 2, 29, 12, tzinfo=UTC)  # a date alone: noon UTC
    with pytest.raises(pytest.UsageError, match="no time zone"):
        suite_moment("2027-12-31T23:30:00")
    with pytest.raises(pytest.UsageError, match="not an ISO 8601"):
        suite_moment("31/12/2027")


def test_a_shifted_clock_starts_at_the_moment_and_runs_on_at_the_real_pace():
    from reloop.conftest import shifted_clock

    real = iter([dt.datetime(2026, 12, 6, 10, tzinfo=UTC), dt.datetime(2026, 12, 6, 10, 0, 5, tzinfo=UTC)])
    now = shifted_clock(dt.datetime(2028, 2, 29, 23, 59, 58, tzinfo=UTC), lambda: next(real))
    assert now() == dt.datetime(2028, 3, 1, 0, 0, 3, tzinfo=UTC)  # 5 s later: across the month end
