"""A refresh limited to some markets (``OffersChanged.markets``, sent by the bulk import when only prices of those
markets changed) recomputes exactly those markets, and after random bulk repricings the snapshots still equal a full
recompute."""

from __future__ import annotations

import random

import pytest

from reloop.catalog.grading import Grade
from reloop.catalog.tests.factories import VariantFactory
from reloop.core.money import Money
from reloop.offers.bulk import apply_changes
from reloop.offers.csv_io import OfferChange
from reloop.offers.models import OfferPrice
from reloop.offers.tests.factories import make_offer
from reloop.pricing.models import BuyBoxSnapshot, VariantOfferSummary
from reloop.pricing.services import rebuild_all_buy_boxes, refresh_buy_boxes
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db

MARKETS = {"en-gb": "GBP", "fr-fr": "EUR", "de-de": "EUR"}


def prices(amount: int) -> dict[str, Money]:
    return {m: Money(amount, c) for m, c in MARKETS.items()}


def test_a_refresh_of_one_market_leaves_the_others_alone(django_capture_on_commit_callbacks):
    variant = VariantFactory()
    with django_capture_on_commit_callbacks(execute=True):
        offer = make_offer(seller=SellerFactory(), variant=variant, prices=prices(30000))
    # prices change behind the services' back, in two markets
    OfferPrice.objects.filter(offer=offer).update(amount=25000)
    report = refresh_buy_boxes(variant_ids=[variant.pk], markets={"en-gb"})
    assert report.snapshots_written == 1
    assert dict(BuyBoxSnapshot.objects.values_list("market", "price")) == {
        "en-gb": 25000,
        "fr-fr": 30000,
        "de-de": 30000,
    }
    assert VariantOfferSummary.objects.get(variant=variant, market="en-gb").lowest_price == 25000
    assert VariantOfferSummary.objects.get(variant=variant, market="fr-fr").lowest_price == 30000


@pytest.mark.parametrize("seed", range(4))
def test_after_bulk_repricings_the_snapshots_equal_a_full_recompute(seed, django_capture_on_commit_callbacks):
    rng = random.Random(seed)
    variants = [VariantFactory() for _ in range(3)]
    sellers = [SellerFactory() for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        offers = [
            make_offer(
                seller=s, variant=v, grade=g, prices=prices(rng.randrange(10_000, 40_000)), stock=rng.randrange(3)
            )
            for s in sellers
            for v in variants
            for g in (Grade.GOOD, Grade.FAIR)
        ]
    for _ in range(4):
        for seller in sellers:
            mine = [o for o in offers if o.seller_id == seller.pk]
            changes = [
                OfferChange(
                    line=n,
                    sku=o.sku,
                    stock=rng.choice([None, 0, 1, 5]),
                    prices={
                        m: rng.choice([None, Money(rng.randrange(10_000, 40_000), c)])
                        for m, c in rng.sample(sorted(MARKETS.items()), 2)
                    },
                )
                for n, o in enumerate(rng.sample(mine, 4))
            ]
            with django_capture_on_commit_callbacks(execute=True):
                apply_changes(seller=seller, changes=changes)
    # a full recompute finds nothing that the market-scoped refreshes missed
    assert rebuild_all_buy_boxes().differences == 0
