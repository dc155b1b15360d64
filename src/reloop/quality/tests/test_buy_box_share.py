"""The seller's buy-box share kept day by day (issue 17 item 2): the daily quality job writes, per seller and market,
how many of the buy boxes it competes in it holds, equal to the live buy boxes, once per day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError

from reloop.catalog.grading import Grade
from reloop.catalog.tests.factories import VariantFactory
from reloop.core.money import Money
from reloop.offers.tests.factories import make_offer
from reloop.pricing.services import refresh_buy_boxes
from reloop.quality import selectors, services
from reloop.quality.models import BuyBoxShareSnapshot
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db

DAY = dt.date(2027, 3, 1)


@pytest.fixture
def market_of_two():
    """In the UK, ``cheap`` wins one buy box and loses the other to ``rival``; in France it alone competes."""
    cheap, rival = SellerFactory(quality_score=100), SellerFactory(quality_score=100)
    won, lost = VariantFactory(), VariantFactory()
    uk_and_france = {"en-gb": Money(20000, "GBP"), "fr-fr": Money(20000, "EUR")}
    make_offer(seller=cheap, variant=won, grade=Grade.GOOD, prices=uk_and_france)
    make_offer(seller=rival, variant=won, grade=Grade.GOOD, price=25000)
    make_offer(seller=cheap, variant=lost, grade=Grade.GOOD, price=30000)
    make_offer(seller=rival, variant=lost, grade=Grade.GOOD, price=21000)
    refresh_buy_boxes(variant_ids=[won.pk, lost.pk])
    return cheap, rival


def shares(seller):
    return {
        (s.market, s.held, s.competing) for s in selectors.buy_box_share_history(seller=seller, first=DAY, last=DAY)
    }


def test_the_daily_job_keeps_each_sellers_share_per_market(market_of_two):
    cheap, rival = market_of_two
    services.compute_quality_scores(day=DAY)
    assert shares(cheap) == {("en-gb", 1, 2), ("fr-fr", 1, 1)}
    assert shares(rival) == {("en-gb", 1, 2)}
    # equal to what the buy boxes say now
    assert {(m, h, c) for m, h, c in selectors.buy_box_share_now(seller_id=cheap.pk)} == shares(cheap)


def test_a_second_run_the_same_day_writes_nothing_and_the_database_refuses_a_double(market_of_two):
    cheap, _rival = market_of_two
    services.compute_quality_scores(day=DAY)
    count = BuyBoxShareSnapshot.objects.count()
    services.compute_quality_scores(day=DAY)
    assert services.record_buy_box_share(seller_id=cheap.pk, day=DAY) == 0
    assert BuyBoxShareSnapshot.objects.count() == count
    with pytest.raises(IntegrityError):
        BuyBoxShareSnapshot.objects.create(seller=cheap, market="en-gb", day=DAY, held=0, competing=1)


def test_held_can_never_exceed_competing():
    seller = SellerFactory()
    with pytest.raises(IntegrityError):
        BuyBoxShareSnapshot.objects.create(seller=seller, market="en-gb", day=DAY, held=3, competing=2)


def test_history_is_one_query_and_oldest_first(market_of_two, django_assert_num_queries):
    cheap, _rival = market_of_two
    for offset in range(3):
        services.record_buy_box_share(seller_id=cheap.pk, day=DAY + dt.timedelta(days=offset))
    with django_assert_num_queries(1):
        history = selectors.buy_box_share_history(seller=cheap, first=DAY, last=DAY + dt.timedelta(days=2))
    assert [h.day for h in history] == sorted(h.day for h in history)
    assert len(history) == 6  # two markets × three days
