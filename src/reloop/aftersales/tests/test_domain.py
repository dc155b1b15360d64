"""The pure after-sales rules: windows (incl. the holiday season and the year boundary), SLA timers, the case
state machine and photo sniffing."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reloop.aftersales import domain
from reloop.aftersales.domain import CaseKind, CaseState, Escalation

UTC = dt.UTC


def at(y, m, d, h=12, minute=0):
    return dt.datetime(y, m, d, h, minute, tzinfo=UTC)


def end_of(y, m, d):
    return dt.datetime.combine(dt.date(y, m, d), dt.time.max, tzinfo=UTC)


# Hypothesis takes naive bounds and adds the time zone itself.
moments = st.datetimes(
    min_value=dt.datetime(2020, 1, 1),  # noqa: DTZ001
    max_value=dt.datetime(2035, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)


class TestReturnWindow:
    def test_thirty_days_from_delivery_to_the_end_of_that_day(self):
        # Delivered Tuesday 3 March 2026: day 30 is Thursday 2 April.
        assert domain.return_deadline(delivered_at=at(2026, 3, 3), paid_at=at(2026, 3, 1)) == end_of(2026, 4, 2)

    def test_a_deadline_on_a_weekend_moves_to_the_next_monday(self):
        # Delivered Friday 6 March 2026: day 30 is Sunday 5 April → Monday 6 April.
        assert domain.return_deadline(delivered_at=at(2026, 3, 6), paid_at=at(2026, 3, 2)) == end_of(2026, 4, 6)

    @pytest.mark.parametrize(
        ("paid", "delivered", "deadline"),
        [
            (
                at(2026, 11, 24, 0, 0),
                at(2026, 11, 26),
                end_of(2027, 2, 1),
            ),  # first day of the season; 31 Jan 2027 is a Sunday
            (at(2026, 12, 31, 23, 59), at(2027, 1, 4), end_of(2027, 2, 3)),  # last day: 30 days later is later
            (at(2026, 12, 10), at(2026, 12, 12), end_of(2027, 2, 1)),  # across the year boundary
            (at(2025, 12, 1), at(2025, 12, 3), end_of(2026, 2, 2)),  # 31 Jan 2026 is a Saturday
            (at(2027, 11, 30), at(2027, 12, 2), end_of(2028, 1, 31)),  # a Monday: no move
        ],
    )
    def test_holiday_season_purchases_are_returnable_until_31_january(self, paid, delivered, deadline):
        assert domain.return_deadline(delivered_at=delivered, paid_at=paid) == deadline

    def test_a_purchase_the_day_before_the_season_has_the_plain_thirty_days(self):
        # Paid 23 November 2026, delivered 25 November: day 30 is Friday 25 December.
        assert domain.return_deadline(delivered_at=at(2026, 11, 25), paid_at=at(2026, 11, 23, 23, 59)) == end_of(
            2026, 12, 25
        )

    def test_a_purchase_on_1_january_is_not_in_the_season(self):
        assert not domain.in_holiday_season(at(2027, 1, 1, 0, 0))
        assert domain.in_holiday_season(at(2026, 12, 31, 23, 59))

    @given(delivered=moments, paid_before=st.integers(min_value=0, max_value=20))
    def test_never_shorter_than_thirty_days_and_never_more_than_three_days_later_than_the_rule(
        self, delivered, paid_before
    ):
        paid = delivered - dt.timedelta(days=paid_before)
        deadline = domain.return_deadline(delivered_at=delivered, paid_at=paid)
        plain = delivered.date() + dt.timedelta(days=30)
        assert deadline.date() >= plain
        assert deadline.weekday() < 5
        assert deadline.time() == dt.time.max
        if not domain.in_holiday_season(paid):
            assert (deadline.date() - plain).days <= 2  # only a weekend moves it
        else:
            assert deadline.date() >= dt.date(paid.year + 1, 1, 31)

    def test_naive_datetimes_are_refused(self):
        with pytest.raises(ValueError, match="aware"):
            domain.return_deadline(delivered_at=dt.datetime(2026, 3, 3), paid_at=None)  # noqa: DTZ001


class TestWarrantyWindow:
    @pytest.mark.parametrize(
        ("delivered", "months", "deadline"),
        [
            (at(2026, 3, 3), 12, end_of(2027, 3, 3)),
            (at(2026, 1, 31), 1, end_of(2026, 2, 28)),  # clamped to the month's end
            (at(2027, 1, 31), 13, end_of(2028, 2, 29)),  # leap year
            (at(2026, 12, 15), 24, end_of(2028, 12, 15)),
        ],
    )
    def test_warranty_months_from_delivery(self, delivered, months, deadline):
        assert domain.warranty_deadline(delivered_at=delivered, warranty_months=months) == deadline

    @given(day=st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2040, 1, 1)), months=st.integers(0, 60))
    def test_add_months_lands_in_the_right_month_never_past_the_day(self, day, months):
        result = domain.add_months(day, months)
        assert (result.year - day.year) * 12 + result.month - day.month == months
        assert result.day <= day.day


DELIVERED, NOW = at(2026, 3, 3), at(2026, 3, 10)


class TestAllowedKinds:
    def kinds(self, *, state="delivered", delivered=DELIVERED, now=NOW, months=12, open_case=False):
        return domain.allowed_kinds(
            line_state=state,
            delivered_at=delivered,
            paid_at=at(2026, 3, 1),
            warranty_months=months,
            now=now,
            has_open_case=open_case,
        )

    def test_a_fresh_delivery_allows_a_return_and_a_warranty_claim(self):
        assert self.kinds() == {CaseKind.RETURN, CaseKind.WARRANTY}

    def test_after_the_return_window_only_the_warranty_is_left(self):
        assert self.kinds(now=at(2026, 4, 3, 0, 0)) == {CaseKind.WARRANTY}
        assert self.kinds(now=end_of(2026, 4, 2)) == {CaseKind.RETURN, CaseKind.WARRANTY}

    def test_after_the_warranty_nothing_is_left(self):
        assert self.kinds(now=at(2027, 3, 4, 0, 0)) == set()

    def test_a_completed_line_may_still_claim_the_warranty_but_not_return(self):
        assert self.kinds(state="completed") == {CaseKind.WARRANTY}

    @pytest.mark.parametrize("state", ["paid", "shipped", "return_requested", "refunded", "cancelled"])
    def test_other_line_states_allow_nothing(self, state):
        assert self.kinds(state=state) == set()

    def test_nothing_while_a_case_is_open_or_without_a_delivery_date(self):
        assert self.kinds(open_case=True) == set()
        assert self.kinds(delivered=None) == set()

    def test_warranty_reasons_exclude_a_change_of_mind(self):
        assert "change_of_mind" not in domain.reasons_for(CaseKind.WARRANTY)
        assert "change_of_mind" in domain.reasons_for(CaseKind.RETURN)


class TestSlaTimers:
    def test_the_seller_answers_within_one_business_day(self):
        assert domain.answer_due(at(2026, 12, 4, 15)) == at(2026, 12, 7, 15)  # Friday → Monday
        assert domain.answer_due(at(2026, 12, 1, 9)) == at(2026, 12, 2, 9)

    def test_repair_replace_or_refund_within_five_business_days_of_receipt(self):
        assert domain.resolution_due(at(2026, 12, 2, 10)) == at(2026, 12, 9, 10)  # Wednesday → next Wednesday

    def test_overdue_steps(self):
        due = at(2026, 12, 2, 9)
        assert domain.overdue(state=CaseState.OPENED, answer_due_at=due, resolve_due_at=None, now=due) is None
        assert (
            domain.overdue(
                state=CaseState.OPENED, answer_due_at=due, resolve_due_at=None, now=due + dt.timedelta(seconds=1)
            )
            == Escalation.ANSWER_OVERDUE
        )
        assert (
            domain.overdue(state=CaseState.RECEIVED, answer_due_at=due, resolve_due_at=due, now=at(2026, 12, 3))
            == Escalation.RESOLUTION_OVERDUE
        )
        for state in (CaseState.AWAITING_RETURN, CaseState.SHIPPED_BACK, CaseState.ESCALATED, CaseState.RESOLVED):
            assert domain.overdue(state=state, answer_due_at=due, resolve_due_at=due, now=at(2027, 1, 1)) is None


class TestStateMachine:
    def test_the_happy_path_of_a_return(self):
        path = [
            CaseState.OPENED,
            CaseState.AWAITING_RETURN,
            CaseState.SHIPPED_BACK,
            CaseState.RECEIVED,
            CaseState.RESOLVED,
        ]
        assert all(domain.allowed(a, b) for a, b in itertools.pairwise(path))

    def test_a_refusal_goes_nowhere_but_to_the_operator(self):
        assert domain.TRANSITIONS[CaseState.REFUSED] == {CaseState.ESCALATED}
        assert domain.TRANSITIONS[CaseState.ESCALATED] == {CaseState.RESOLVED, CaseState.CLOSED}

    @pytest.mark.parametrize("state", sorted(domain.OPEN_STATES - {CaseState.ESCALATED}))
    def test_every_open_step_may_be_escalated(self, state):
        assert domain.allowed(state, CaseState.ESCALATED)

    @pytest.mark.parametrize("state", sorted(domain.FINAL_STATES))
    def test_final_states_are_final(self, state):
        assert domain.TRANSITIONS[state] == frozenset()
        assert "final state" in domain.check_transition(state, CaseState.OPENED)

    def test_skipping_a_step_is_refused_with_the_reason(self):
        assert domain.check_transition(CaseState.OPENED, CaseState.RECEIVED) == (
            "a case opened cannot become received; allowed: awaiting_return, escalated, refused, resolved"
        )
        assert domain.check_transition(CaseState.OPENED, "lost") is not None

    def test_every_state_is_either_open_refused_or_final(self):
        assert domain.OPEN_STATES | domain.FINAL_STATES | {CaseState.REFUSED} == set(CaseState.values)


class TestPhotos:
    @pytest.mark.parametrize(
        ("head", "kind"),
        [
            (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
            (b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0d", "image/png"),
            (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp"),
            (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3", None),
            (b"GIF89a\x01\x00\x01\x00", None),
            (b"RIFF\x24\x00\x00\x00WAVEfmt ", None),
            (b"", None),
        ],
    )
    def test_the_type_comes_from_the_first_bytes(self, head, kind):
        assert domain.sniff_image_type(head) == kind

    @given(st.binary(max_size=64))
    def test_anything_not_starting_like_an_image_is_refused(self, data):
        kind = domain.sniff_image_type(data)
        if kind is not None:
            assert data[:3] == b"\xff\xd8\xff" or data[:8] == b"\x89PNG\r\n\x1a\n" or data[8:12] == b"WEBP"


class TestRefundable:
    @given(total=st.integers(1, 10**9), refunds=st.lists(st.integers(0, 10**8), max_size=5))
    def test_what_is_left_is_never_negative_and_never_more_than_the_total(self, total, refunds):
        left = domain.refundable_left(line_total=total, refunded=refunds)
        assert 0 <= left <= total
        assert left == max(0, total - sum(refunds))
