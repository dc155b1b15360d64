"""The battery-tier facet: counts of models per tier that tell the truth (every other filter applied, the price band
judged on that tier's price), the card's price the lowest offer of the chosen tier, constant queries, and no facet
where devices have no battery."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from reloop.catalog.grading import BatteryTier, Grade
from reloop.catalog.tests.factories import BrandFactory, CategoryFactory, ProductModelFactory, VariantFactory
from reloop.markets.registry import get_market
from reloop.offers.tests.factories import make_offer
from reloop.pricing.eligibility import eligible_prices
from reloop.pricing.services import refresh_buy_boxes
from reloop.search import browse
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db

TIERS = [t.value for t in BatteryTier]
GRADES = [Grade.EXCELLENT.value, Grade.GOOD.value, Grade.FAIR.value]  # premium needs a high or new battery
MARKET = "en-gb"


def _models(n, *, category=None, prefix="Phone"):
    category = category or CategoryFactory(slug="smartphones", name="Smartphones", battery_min_health=80)
    brand = BrandFactory(name="Acme", slug="acme")
    models = []
    for i in range(n):
        pm = ProductModelFactory(category=category, brand=brand, name=f"{prefix} {i}", slug=f"acme-{prefix}-{i}")
        for storage in (128, 256):
            VariantFactory(product_model=pm, storage_gb=storage, colour="Black", slug=f"{storage}gb-black")
        models.append(pm)
    return category, models


def _matching(pm_ids, *, tier="", grade="", storage=(), band=None):
    """The eligible prices matching the filters, straight from the offers (the independent oracle)."""
    rows = eligible_prices(MARKET).filter(offer__variant__product_model_id__in=pm_ids).select_related("offer__variant")
    return [
        p
        for p in rows
        if (not tier or p.offer.battery_tier == tier)
        and (not grade or p.offer.grade == grade)
        and (not storage or p.offer.variant.storage_gb in storage)
    ]


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # each example builds rows: no slow shrinking
)
@given(
    offers=st.lists(
        st.tuples(
            st.integers(0, 2),
            st.integers(0, 1),
            st.sampled_from(GRADES),
            st.sampled_from(TIERS),
            st.integers(5000, 60000),
        ),
        min_size=1,
        max_size=8,
    ),
    tier=st.sampled_from(["", *TIERS]),
    grade=st.sampled_from(["", *GRADES]),
    storage=st.sets(st.sampled_from([128, 256])),
    band=st.sampled_from(["", "0-100", "100-200", "200-400", "400-800"]),
)
def test_tier_counts_and_card_prices_match_the_offers(offers, tier, grade, storage, band):
    with transaction.atomic(), translation.override(MARKET):
        # Given three models with random offers in random tiers, one seller per offer
        _, models = _models(3)
        variants = [list(pm.variants.order_by("pk")) for pm in models]
        for model_index, variant_index, g, t, price in offers:
            make_offer(
                seller=SellerFactory(quality_score=100),
                variant=variants[model_index][variant_index],
                grade=g,
                battery=t,
                price=price,
            )
        refresh_buy_boxes(variant_ids=[v.pk for vs in variants for v in vs])
        market = get_market(MARKET)
        filters = browse.BrowseFilters(battery=tier, grade=grade, storage_gb=tuple(storage), band=band)
        low, high = (
            next((lo, hi) for key, lo, hi in browse.price_bands(market) if key == band) if band else (None, None)
        )

        def in_band(amount):
            return (low is None or amount >= low) and (high is None or amount < high)

        # Then each tier's count is the number of models whose lowest offer of that tier (all other filters) is in
        # the band
        facet = {f.value: f for f in browse.facets(filters=filters, market=market).batteries}
        expected = {}
        for t in TIERS:
            n = 0
            for pm in models:
                prices = [p.amount for p in _matching([pm.pk], tier=t, grade=grade, storage=storage)]
                if prices and (not band or in_band(min(prices))):
                    n += 1
            expected[t] = n
        if any(expected.values()) or tier:
            assert {t: facet[t].count for t in TIERS} == expected
            assert [t for t in TIERS if facet[t].selected] == ([tier] if tier else [])
        else:
            assert facet == {}
        # And with a tier chosen, every card shows the lowest offer of that tier and links to it
        if tier:
            cards = {c.pk: c for c in browse.browse(filters=filters, market=market).object_list}
            for pm in models:
                matching = _matching([pm.pk], tier=tier, grade=grade, storage=storage)
                lowest = min((p.amount for p in matching), default=None)
                if lowest is None or (band and not in_band(lowest)):
                    assert pm.pk not in cards
                    continue
                card = cards[pm.pk]
                assert card.price_from == lowest
                cheapest = {(p.offer.variant.slug, p.offer.grade) for p in matching if p.amount == lowest}
                assert (card.best_variant, card.best_grade) in cheapest
                assert card.best_battery == tier
        transaction.set_rollback(True)


def test_no_battery_facet_for_games_and_games_leave_a_tier_filter():
    games = CategoryFactory(slug="video-games", name="Video games", battery_min_health=None)
    _, (game,) = _models(1, category=games, prefix="Game")
    _, (phone,) = _models(1, prefix="Phone")
    seller = SellerFactory(quality_score=100)
    for pm in (game, phone):
        make_offer(seller=seller, variant=pm.variants.first(), grade=Grade.GOOD)  # standard tier
    refresh_buy_boxes(variant_ids=[game.variants.first().pk, phone.variants.first().pk])
    market = get_market(MARKET)
    assert browse.facets(filters=browse.BrowseFilters(category_ids=[games.pk]), market=market).batteries == []
    everything = browse.facets(filters=browse.BrowseFilters(), market=market).batteries
    assert {f.value: f.count for f in everything} == {"standard": 1, "high": 0, "new": 0}
    listed = browse.browse(filters=browse.BrowseFilters(battery="standard"), market=market).object_list
    assert [c.pk for c in listed] == [phone.pk]


def _queries(filters, market):
    with CaptureQueriesContext(connection) as ctx:
        browse.facets(filters=filters, market=market)
        list(browse.browse(filters=filters, market=market).object_list)
    return len(ctx.captured_queries)


def test_battery_filtered_listing_and_facets_read_in_constant_queries():
    one, models_one = _models(1, prefix="Solo")
    ten, models_ten = _models(10, category=CategoryFactory(slug="tablets", battery_min_health=85), prefix="Tab")
    seller = SellerFactory(quality_score=100)
    ids = []
    for pm in models_one + models_ten:
        for v in pm.variants.all():
            make_offer(seller=seller, variant=v, grade=Grade.GOOD, battery=BatteryTier.HIGH, price=20000 + v.pk)
            ids.append(v.pk)
    refresh_buy_boxes(variant_ids=ids)
    market = get_market(MARKET)
    kwargs = {"battery": "high", "grade": "good", "storage_gb": (256,), "band": "200-400"}
    n_one = _queries(browse.BrowseFilters(category_ids=[one.pk], **kwargs), market)
    n_ten = _queries(browse.BrowseFilters(category_ids=[ten.pk], **kwargs), market)
    assert n_one == n_ten
