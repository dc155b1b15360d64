"""Grade inversions (issue 16, item 6): found, explained by battery or parts, and the picker's better deal."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from reloop.catalog.grading import GRADE_ORDER, BatteryTier, Grade, PartsProvenance
from reloop.catalog.tests.factories import VariantFactory
from reloop.offers.models import Offer
from reloop.offers.tests.factories import make_offer
from reloop.pricing.grades import (
    COMPATIBLE_PARTS,
    HIGH_BATTERY,
    NEW_BATTERY,
    better_deal,
    better_grade_for,
    count_inversions,
    inversions,
    reasons,
)
from reloop.pricing.models import BuyBoxSnapshot
from reloop.pricing.selectors import product_offers
from reloop.pricing.services import refresh_buy_boxes
from reloop.sellers.tests.factories import SellerFactory

prices = st.fixed_dictionaries({g.value: st.one_of(st.none(), st.integers(1, 10_000)) for g in GRADE_ORDER})


@given(prices=prices)
def test_an_inversion_is_a_worse_grade_priced_above_a_better_one(prices):
    for worse, better in inversions(prices):
        assert GRADE_ORDER.index(worse) > GRADE_ORDER.index(better)
        assert prices[worse] > prices[better]
    priced = [prices[g] for g in GRADE_ORDER if prices[g] is not None]
    assert (not inversions(prices)) == (priced == sorted(priced, reverse=True))


@given(prices=prices, chosen=st.sampled_from(GRADE_ORDER))
def test_the_better_grade_offered_is_better_and_no_dearer(prices, chosen):
    grade = better_grade_for(prices, chosen)
    if grade is None:
        assert prices[chosen] is None or all(
            prices[g] is None or prices[g] > prices[chosen] for g in GRADE_ORDER[: GRADE_ORDER.index(chosen)]
        )
    else:
        assert GRADE_ORDER.index(grade) < GRADE_ORDER.index(chosen)
        assert prices[grade] <= prices[chosen]
        # and it is the best such grade
        assert all(prices[g] is None or prices[g] > prices[chosen] for g in GRADE_ORDER[: GRADE_ORDER.index(grade)])


def test_the_issue_example():
    # iPhone 13 Pro Max: Excellent 396 €, Fair 409 €
    assert inversions({"excellent": 39600, "good": None, "fair": 40900}) == [(Grade.FAIR, Grade.EXCELLENT)]
    assert better_grade_for({"excellent": 39600, "fair": 40900}, "fair") == Grade.EXCELLENT
    assert better_grade_for({"excellent": 39600, "fair": 40900}, "excellent") is None


def _offer(battery=BatteryTier.STANDARD, parts=PartsProvenance.ALL_ORIGINAL):
    return Offer(battery_tier=battery, parts_provenance=parts)


def test_reasons_come_from_the_two_offers():
    assert reasons(worse=_offer(BatteryTier.NEW), better=_offer()) == (NEW_BATTERY,)
    assert reasons(worse=_offer(BatteryTier.HIGH), better=_offer()) == (HIGH_BATTERY,)
    assert reasons(worse=_offer(), better=_offer(parts=PartsProvenance.COMPATIBLE)) == (COMPATIBLE_PARTS,)
    assert reasons(worse=_offer(BatteryTier.NEW), better=_offer(BatteryTier.NEW)) == ()
    assert reasons(worse=_offer(), better=_offer()) == ()


@pytest.mark.django_db
def test_the_picker_points_to_the_cheaper_better_grade_and_says_why():
    variant = VariantFactory()
    seller = SellerFactory()
    make_offer(seller=seller, variant=variant, grade=Grade.EXCELLENT, price=39600, market="fr-fr", currency="EUR")
    make_offer(seller=seller, variant=variant, grade=Grade.FAIR, price=40900, market="fr-fr", currency="EUR",
               battery=BatteryTier.NEW)  # fmt: skip
    make_offer(seller=seller, variant=variant, grade=Grade.GOOD, price=35000, market="fr-fr", currency="EUR")
    refresh_buy_boxes(variant_ids=[variant.pk])
    snapshots = {
        s.grade: s for s in BuyBoxSnapshot.objects.filter(variant=variant, market="fr-fr").select_related("winner")
    }
    deal = better_deal(snapshots, Grade.FAIR)
    # the best grade no dearer than Fair: Excellent (Good is cheaper still, but Excellent is the better grade)
    assert (deal.grade, deal.price, deal.cheaper, deal.reasons) == (Grade.EXCELLENT, 39600, True, (NEW_BATTERY,))
    assert better_deal(snapshots, Grade.GOOD) is None
    assert better_deal(snapshots, None) is None
    # the product page reads the same pointer from the snapshots its grade picker reads: no query of its own
    with CaptureQueriesContext(connection) as ctx:
        offers = product_offers(variant_id=variant.pk, market="fr-fr", grade=Grade.FAIR)
    assert len(ctx.captured_queries) == 2
    assert offers.better_deal == deal
    assert product_offers(variant_id=variant.pk, market="fr-fr", grade=Grade.GOOD).better_deal is None
    count = count_inversions(market="fr-fr")
    assert (count.models, count.inverted, count.explained) == (1, 1, 1)
    out = StringIO()
    call_command("grade_inversions", "--market", "fr-fr", stdout=out)
    assert "fr-fr: 1 of 1 models have a worse grade costing more than a better one (1 explained" in out.getvalue()
    with pytest.raises(CommandError, match="Unknown market xx-xx"):
        call_command("grade_inversions", "--market", "xx-xx")
