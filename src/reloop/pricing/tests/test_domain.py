"""Buy-box scoring as a pure function: minimal effective price wins, ineligible never wins, deterministic."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reloop.pricing.domain import Candidate, beats, buy_box, price_to_win, quality_penalty, rank

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)

candidates = st.builds(
    Candidate,
    offer_id=st.integers(1, 10_000),
    price=st.integers(1, 500_000),
    quality_score=st.integers(0, 100),
    dispatch_days=st.integers(0, 5),
    warranty_months=st.integers(12, 36),
    created_at=st.integers(0, 1000).map(lambda d: T0 + dt.timedelta(days=d)),
    eligible=st.booleans(),
)
unique_candidates = st.lists(candidates, max_size=12, unique_by=lambda c: c.offer_id)


def offer(offer_id, price, score=100, dispatch=1, warranty=12, age_days=0, eligible=True):
    return Candidate(offer_id, price, score, dispatch, warranty, T0 - dt.timedelta(days=age_days), eligible)


@given(unique_candidates)
def test_winner_has_the_minimal_effective_price_among_eligible_offers(cands):
    box = buy_box(cands)
    eligible = [c for c in cands if c.eligible]
    if not eligible:
        assert box is None
        return
    assert box.winner.eligible
    assert box.winner.effective_price == min(c.effective_price for c in eligible)
    assert box.offer_count == len(eligible)


@given(unique_candidates)
def test_ineligible_offers_never_win_and_are_not_counted(cands):
    box = buy_box(cands)
    if box is not None:
        assert box.winner.eligible
        assert box.runner_up is None or box.runner_up.eligible


@given(unique_candidates, st.randoms(use_true_random=False))
def test_result_does_not_depend_on_input_order(cands, rnd):
    shuffled = list(cands)
    rnd.shuffle(shuffled)
    assert buy_box(cands) == buy_box(shuffled)


def test_quality_penalty_is_zero_from_90_and_half_a_percent_per_point_below():
    assert [quality_penalty(s) for s in (100, 90, 89, 70, 0)] == [
        0,
        0,
        Decimal("0.005"),
        Decimal("0.1"),
        Decimal("0.45"),
    ]
    with pytest.raises(ValueError, match="between 0 and 100"):
        quality_penalty(101)


def test_a_worse_seller_must_be_cheaper_to_win():
    good = offer(1, 10_000, score=95)
    poor = offer(2, 9_500, score=70)  # 9,500 × 1.10 = 10,450 > 10,000
    assert buy_box([good, poor]).winner == good
    cheaper = offer(2, 9_000, score=70)  # 9,900 < 10,000
    assert buy_box([good, cheaper]).winner == cheaper


@pytest.mark.parametrize(
    ("a", "b", "why"),
    [
        (offer(1, 100, dispatch=1), offer(2, 100, dispatch=2), "shorter dispatch"),
        (offer(1, 100, warranty=24), offer(2, 100, warranty=12), "longer warranty"),
        (offer(1, 100, age_days=10), offer(2, 100, age_days=1), "older offer"),
        (offer(1, 100), offer(2, 100), "lower id"),
    ],
)
def test_ties_are_broken_by_dispatch_then_warranty_then_age(a, b, why):
    assert rank([b, a])[0] == a, why


def test_price_to_win_is_the_highest_price_that_wins():
    winner = offer(1, 10_000, dispatch=1)
    loser = offer(2, 12_000, dispatch=2)
    target = price_to_win(loser, [winner, loser])
    assert target == 9_999  # at 10,000 the tie goes to the shorter dispatch
    faster = offer(3, 12_000, dispatch=0)
    assert price_to_win(faster, [winner, faster]) == 10_000  # wins the tie at equal price


@given(unique_candidates, candidates)
def test_price_to_win_wins_and_one_more_minor_unit_does_not(rivals, me):
    me = Candidate(99_999, me.price, me.quality_score, me.dispatch_days, me.warranty_months, me.created_at, True)
    target = price_to_win(me, [*rivals, me])
    others = [c for c in rivals if c.eligible]
    if target is None:
        assert others
        assert not beats(Candidate(me.offer_id, 1, *_rest(me)), min(others, key=Candidate.sort_key))
        return
    moved = Candidate(me.offer_id, target, *_rest(me))
    assert buy_box([*rivals, moved]).winner == moved
    if others and target != me.price:
        assert buy_box([*rivals, Candidate(me.offer_id, target + 1, *_rest(me))]).winner != moved


def _rest(c):
    return c.quality_score, c.dispatch_days, c.warranty_months, c.created_at, True


def test_price_to_win_of_an_ineligible_offer_is_none():
    assert price_to_win(offer(1, 100, eligible=False), [offer(2, 200)]) is None


def test_many_random_offers_rank_stably():
    rnd = random.Random(7)
    cands = [offer(i, rnd.randint(100, 200), score=rnd.randint(60, 100), dispatch=rnd.randint(0, 3)) for i in range(50)]
    assert rank(cands) == rank(list(reversed(cands)))
