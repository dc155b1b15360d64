"""Pure trade-in rules: the questionnaire, the quote's buy box (hypothesis), the states."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reloop.buyback import domain
from reloop.buyback.domain import Answers, BidCandidate, Body, Condition, NotAcceptable, Screen, State

BASE = Answers(True, True, Screen.FLAWLESS, Body.FLAWLESS, 95, True, True)


def answers(**changes):
    from dataclasses import replace

    return replace(BASE, **changes)


@pytest.mark.parametrize(
    ("changes", "condition"),
    [
        ({}, Condition.FLAWLESS),
        ({"battery_health": None}, Condition.FLAWLESS),
        ({"body": Body.LIGHT}, Condition.GOOD),
        ({"body": Body.HEAVY}, Condition.WORN),
        ({"screen": Screen.SCRATCHED}, Condition.WORN),
        ({"battery_health": 79}, Condition.WORN),
        ({"battery_health": 80, "body": Body.LIGHT}, Condition.GOOD),
        ({"screen": Screen.CRACKED}, Condition.CRACKED),
        ({"powers_on": False}, Condition.BROKEN),
        ({"all_functions_work": False, "body": Body.HEAVY}, Condition.BROKEN),
        ({"powers_on": False, "screen": Screen.CRACKED}, Condition.BROKEN_CRACKED),
    ],
)
def test_the_questionnaire_gives_one_condition(changes, condition):
    assert domain.condition_for(answers(**changes)) == condition


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"accounts_removed": False}, "account_lock"),
        ({"carrier_unlocked": False}, "carrier_lock"),
        ({"screen": "shattered"}, "invalid_answer"),
        ({"battery_health": 0}, "invalid_battery"),
        ({"battery_health": 101}, "invalid_battery"),
    ],
)
def test_a_locked_device_or_a_bad_answer_gets_no_condition(changes, code):
    with pytest.raises(NotAcceptable) as error:
        domain.condition_for(answers(**changes))
    assert error.value.code == code


def test_every_answer_combination_maps_to_one_of_six_conditions_four_working():
    seen = set()
    for powers, works, screen, body, battery in itertools.product(
        (True, False), (True, False), Screen.values, Body.values, (None, 50, 85)
    ):
        condition = domain.condition_for(Answers(powers, works, screen, body, battery, True, True))
        seen.add(condition)
        assert (condition in domain.WORKING) == (powers and works)
    assert seen == set(Condition.values)
    assert len(domain.WORKING) == 4
    assert len(domain.NOT_WORKING) == 2
    assert set(domain.CONDITION_DEFINITIONS) == set(Condition.values)


# --- The quote's buy box -------------------------------------------------------------------------------------

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
candidates = st.lists(
    st.builds(
        BidCandidate,
        bid_id=st.integers(1, 10_000),
        price=st.integers(1, 200_000),
        quality_score=st.integers(0, 100),
        created_at=st.integers(0, 1000).map(lambda m: T0 + dt.timedelta(minutes=m)),
        eligible=st.booleans(),
    ),
    max_size=12,
    unique_by=lambda c: c.bid_id,
)


@given(candidates, st.randoms())
def test_the_highest_eligible_effective_bid_wins_whatever_the_order(bids, rnd):
    winner = domain.winning_bid(bids)
    shuffled = list(bids)
    rnd.shuffle(shuffled)
    assert domain.winning_bid(shuffled) == winner  # deterministic
    eligible = [b for b in bids if b.eligible]
    if not eligible:
        assert winner is None
        return
    assert winner is not None
    assert winner.eligible
    assert all(winner.effective_price >= b.effective_price for b in eligible)
    assert domain.bid_rank(winner, bids) == 1


@given(candidates)
def test_the_price_to_win_wins_and_one_less_does_not(bids):
    from dataclasses import replace

    for bid in bids:
        target = domain.price_to_win_bid(bid, bids)
        if not bid.eligible:
            assert target is None
            continue
        assert target is not None
        others = [b for b in bids if b.bid_id != bid.bid_id]
        assert domain.winning_bid([*others, replace(bid, price=target)]).bid_id == bid.bid_id
        if (target > bid.price or domain.winning_bid(bids).bid_id != bid.bid_id) and target > 1:
            lower = domain.winning_bid([*others, replace(bid, price=target - 1)])
            assert lower is not None
            assert lower.bid_id != bid.bid_id


def test_quality_counts_as_in_pricing_and_ties_go_to_quality_then_age():
    good = BidCandidate(1, 10_000, 95, T0)
    poor = BidCandidate(2, 10_900, 70, T0)  # penalty 10%: 10,900 / 1.1 < 10,000
    assert domain.winning_bid([good, poor]) == good
    richer_poor = BidCandidate(2, 11_100, 70, T0)
    assert domain.winning_bid([good, richer_poor]) == richer_poor
    same = BidCandidate(3, 10_000, 90, T0)  # same effective price as good: the better score wins
    assert domain.winning_bid([same, good]) == good
    older = BidCandidate(4, 10_000, 95, T0 - dt.timedelta(days=1))
    assert domain.winning_bid([good, older]) == older
    suspended = BidCandidate(5, 99_999, 100, T0, eligible=False)
    assert domain.winning_bid([good, suspended]) == good


# --- States -------------------------------------------------------------------------------------------------

ALLOWED = {
    (State.AWAITING_SHIPMENT, State.SHIPPED),
    (State.AWAITING_SHIPMENT, State.EXPIRED),
    (State.AWAITING_SHIPMENT, State.CANCELLED),
    (State.AWAITING_SHIPMENT, State.RECEIVED),
    (State.AWAITING_SHIPMENT, State.BLOCKED),
    (State.SHIPPED, State.RECEIVED),
    (State.SHIPPED, State.BLOCKED),
    (State.RECEIVED, State.VALIDATED),
    (State.RECEIVED, State.COUNTER_OFFERED),
    (State.RECEIVED, State.BLOCKED),
    (State.BLOCKED, State.RECEIVED),
    (State.BLOCKED, State.REJECTED),
    (State.COUNTER_OFFERED, State.VALIDATED),
    (State.COUNTER_OFFERED, State.RETURNING),
    (State.VALIDATED, State.PAID),
    (State.RETURNING, State.RETURNED),
}


@pytest.mark.parametrize(("from_state", "to_state"), list(itertools.product(State.values, State.values)))
def test_every_transition_is_allowed_or_refused_as_listed(from_state, to_state):
    assert domain.allowed(from_state, to_state) == ((from_state, to_state) in ALLOWED)


def test_final_states_lead_nowhere():
    for state in domain.FINAL_STATES:
        assert not any(domain.allowed(state, other) for other in State.values)


def test_deadlines_and_fee():
    friday = dt.datetime(2026, 12, 4, 16, 0, tzinfo=dt.UTC)
    assert domain.inspect_due(friday) == dt.datetime(2026, 12, 8, 16, 0, tzinfo=dt.UTC)  # 2 business days
    assert domain.ship_by(friday) == friday + dt.timedelta(days=21)
    from decimal import Decimal

    assert domain.tradein_fee(12345, Decimal(10)) == 1235  # half-up
    assert domain.tradein_fee(0, Decimal(10)) == 0
    assert domain.mask_iban("GB82WEST12345698765432") == "GB•• •••• 5432"


def test_a_number_with_a_nul_character_is_looked_up_as_no_number():
    from reloop.buyback.domain import lookup_number

    assert lookup_number("TI-1A2B") == "TI-1A2B"
    assert lookup_number("TI-1A2B\x00") == ""
