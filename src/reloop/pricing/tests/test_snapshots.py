"""The snapshots follow the offers: after any sequence of changes through the services, they equal a recompute."""

from __future__ import annotations

import contextlib
import random

import pytest

from reloop.catalog.grading import BatteryTier, Grade, PartsProvenance
from reloop.catalog.tests.factories import VariantFactory
from reloop.core.money import Money
from reloop.offers.errors import InsufficientStock
from reloop.offers.models import Offer
from reloop.offers.services import adjust_stock, set_offer_active, set_offer_prices, set_stock
from reloop.offers.tests.factories import make_offer
from reloop.pricing.models import BuyBoxSnapshot, VariantOfferSummary
from reloop.pricing.selectors import competition
from reloop.pricing.services import compute, rebuild_all_buy_boxes
from reloop.sellers.models import Standing
from reloop.sellers.services import set_quality_score, set_seller_standing
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db

MARKETS = {"en-gb": "GBP", "fr-fr": "EUR", "ja-jp": "JPY"}


def stored_state():
    snaps = {
        (s.variant_id, s.grade, s.market): (s.winner_id, s.price, s.offer_count, s.runner_up_id, s.runner_up_price)
        for s in BuyBoxSnapshot.objects.all()
    }
    sums = {
        (s.variant_id, s.market): (
            s.lowest_price,
            s.offer_count,
            s.premium_price,
            s.excellent_price,
            s.good_price,
            s.fair_price,
        )
        for s in VariantOfferSummary.objects.all()
    }
    return snaps, sums


def recomputed_state(variant_ids):
    snapshots, summaries = compute(list(variant_ids))
    return (
        {k: (s.winner_id, s.price, s.offer_count, s.runner_up_id, s.runner_up_price) for k, s in snapshots.items()},
        {
            k: (s.lowest_price, s.offer_count, s.premium_price, s.excellent_price, s.good_price, s.fair_price)
            for k, s in summaries.items()
        },
    )


@pytest.mark.parametrize("seed", range(6))
def test_after_random_changes_the_snapshots_equal_a_full_recompute(seed, django_capture_on_commit_callbacks):
    rng = random.Random(seed)
    variants = [VariantFactory() for _ in range(3)]
    sellers = [SellerFactory() for _ in range(4)]
    offers: list[Offer] = []
    with django_capture_on_commit_callbacks(execute=True):
        for seller in sellers:
            for variant in variants:
                for grade in rng.sample([Grade.EXCELLENT, Grade.GOOD, Grade.FAIR], 2):
                    offers.append(  # noqa: PERF401  # one offer per iteration reads better than a comprehension
                        make_offer(
                            seller=seller,
                            variant=variant,
                            grade=grade,
                            battery=rng.choice([BatteryTier.STANDARD, BatteryTier.NEW]),
                            parts=PartsProvenance.ALL_ORIGINAL,
                            stock=rng.randint(0, 3),
                            dispatch_days=rng.randint(0, 3),
                            prices={
                                m: Money(rng.randint(100, 200) * (1 if c == "JPY" else 100), c)
                                for m, c in MARKETS.items()
                                if rng.random() < 0.8
                            },
                        )
                    )
    for _ in range(60):
        offer = rng.choice(offers)
        seller = offer.seller
        action = rng.randrange(7)
        with django_capture_on_commit_callbacks(execute=True):
            if action == 0:
                market = rng.choice(list(MARKETS))
                amount = rng.randint(90, 210) * (1 if MARKETS[market] == "JPY" else 100)
                set_offer_prices(seller=seller, offer_id=offer.pk, prices={market: Money(amount, MARKETS[market])})
            elif action == 1:
                set_offer_prices(seller=seller, offer_id=offer.pk, prices={}, remove=[rng.choice(list(MARKETS))])
            elif action == 2:
                set_stock(seller=seller, offer_id=offer.pk, stock=rng.randint(0, 3))
            elif action == 3:
                with contextlib.suppress(InsufficientStock):  # taking more than is left is refused: fine here
                    adjust_stock(offer_id=offer.pk, delta=rng.choice([-2, -1, 1, 2]))
            elif action == 4:
                set_offer_active(seller=seller, offer_id=offer.pk, active=rng.random() < 0.6)
            elif action == 5:
                set_seller_standing(
                    seller=seller, standing=rng.choice([Standing.ACTIVE, Standing.ACTIVE, Standing.SUSPENDED])
                )
            else:
                set_quality_score(seller=seller, score=rng.randint(40, 100))
        assert stored_state() == recomputed_state(v.pk for v in variants)
    assert rebuild_all_buy_boxes().differences == 0


def test_suspended_seller_loses_the_buy_box_on_commit(django_capture_on_commit_callbacks):
    variant = VariantFactory()
    cheap_seller, other = SellerFactory(), SellerFactory()
    with django_capture_on_commit_callbacks(execute=True):
        make_offer(seller=cheap_seller, variant=variant, price=10000)
        runner = make_offer(seller=other, variant=variant, price=12000)
        set_seller_standing(seller=cheap_seller, standing=Standing.SUSPENDED)
    assert BuyBoxSnapshot.objects.get(variant=variant).winner_id == runner.pk


def test_price_to_win_for_every_losing_offer_in_every_market(django_capture_on_commit_callbacks):
    variant = VariantFactory()
    winner_seller, me = SellerFactory(), SellerFactory()
    with django_capture_on_commit_callbacks(execute=True):
        make_offer(
            seller=winner_seller,
            variant=variant,
            prices={"en-gb": Money(20000, "GBP"), "fr-fr": Money(23000, "EUR")},
            dispatch_days=1,
        )
        mine = make_offer(
            seller=me,
            variant=variant,
            prices={"en-gb": Money(21000, "GBP"), "fr-fr": Money(22000, "EUR")},
            dispatch_days=2,
        )
    rows = {r.market: r for r in competition(seller=me)}
    assert (rows["en-gb"].is_winning, rows["en-gb"].price_to_win, rows["en-gb"].winner_price) == (False, 19999, 20000)
    assert (rows["fr-fr"].is_winning, rows["fr-fr"].price_to_win) == (True, 22000)
    assert {r.offer_id for r in rows.values()} == {mine.pk}
    assert competition(seller=SellerFactory()) == []  # another seller sees nothing of these offers


def test_offer_changes_refresh_the_buy_box_on_commit(django_capture_on_commit_callbacks):
    seller, variant = SellerFactory(), VariantFactory()
    with django_capture_on_commit_callbacks(execute=True):
        cheap = make_offer(seller=seller, variant=variant, price=20000)
        make_offer(seller=SellerFactory(), variant=variant, price=25000)
    box = BuyBoxSnapshot.objects.get(variant=variant, grade=Grade.GOOD, market="en-gb")
    assert (box.winner_id, box.price, box.offer_count) == (cheap.pk, 20000, 2)

    with django_capture_on_commit_callbacks(execute=True):
        adjust_stock(offer_id=cheap.pk, delta=-5)  # sold out: the other offer takes the buy box
    box.refresh_from_db()
    assert (box.price, box.offer_count) == (25000, 1)


def test_price_to_win_command_lists_a_sellers_losing_offers(django_capture_on_commit_callbacks):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    variant = VariantFactory()
    me = SellerFactory(slug="me")
    with django_capture_on_commit_callbacks(execute=True):
        make_offer(seller=SellerFactory(), variant=variant, price=20000, dispatch_days=1)
        mine = make_offer(seller=me, variant=variant, price=21000, dispatch_days=2)
    out = StringIO()
    call_command("price_to_win", "--seller", "me", "--losing", stdout=out)
    assert "1 offer prices, 0 winning the buy box" in out.getvalue()
    assert f"{mine.pk:>8}  en-gb     210.00 GBP    200.00 GBP    199.99 GBP  2" in out.getvalue()
    with pytest.raises(CommandError, match="No seller 'nobody'"):
        call_command("price_to_win", "--seller", "nobody")
