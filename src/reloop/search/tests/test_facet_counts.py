"""Facet counts tell the truth: a value's count is the number of models its click lists (docs/search.md).

The facets count in Python from one read of the matching models and one of their variants (ADR 0032, update of
2026-12-07); this checks them against the listing itself, over random catalogues, offers and selections. Without
a price band selected, every facet's count equals the listing's count once that value is the facet's selection
(each facet ignores its own selection, so the click replaces it); a price band changes which variants set a card's
price, so the variant facets do not promise that under a band.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from django.db import transaction
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reloop.catalog.grading import BatteryTier, Grade
from reloop.catalog.tests.factories import BrandFactory, CategoryFactory, ProductModelFactory, VariantFactory
from reloop.markets.registry import get_market
from reloop.offers.tests.factories import make_offer
from reloop.pricing.services import refresh_buy_boxes
from reloop.search import browse
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db

GRADES = [g.value for g in Grade]
MODELS = 4  # two brands, two release years, one in two with 5G
VARIANTS = [(128, "Black"), (128, "Blue"), (256, "Black"), (512, "Green")]


def _listed(filters: browse.BrowseFilters) -> int:
    return browse.browse(filters=filters, market=get_market("en-gb")).paginator.count


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    offers=st.lists(
        st.tuples(st.integers(0, MODELS * len(VARIANTS) - 1), st.sampled_from(GRADES), st.integers(5_000, 150_000)),
        min_size=1,
        max_size=10,
    ),
    brands=st.sets(st.sampled_from(["acme", "zeta"])),
    storage=st.sets(st.sampled_from([128, 256, 512])),
    colours=st.sets(st.sampled_from(["Black", "Blue", "Green"])),
    years=st.sets(st.sampled_from([2021, 2023])),
    network=st.booleans(),
    grade=st.sampled_from(["", *GRADES]),
)
def test_every_facet_count_is_what_its_click_lists(offers, brands, storage, colours, years, network, grade):
    with transaction.atomic(), translation.override("en-gb"):
        # Given a category of four models (two brands, two years, some with 5G), four variants each, random offers
        category = CategoryFactory(slug="smartphones", name="Smartphones")
        makers = [BrandFactory(name="Acme", slug="acme"), BrandFactory(name="Zeta", slug="zeta")]
        variants = []
        for i in range(MODELS):
            pm = ProductModelFactory(
                category=category,
                brand=makers[i % 2],
                name=f"Phone {i}",
                release_date=dt.date(2021 if i < 2 else 2023, 3, 1),
                specs={"5g": i % 2 == 0},
            )
            for gb, colour in VARIANTS:
                variants.append(
                    VariantFactory(product_model=pm, storage_gb=gb, colour=colour, slug=f"{gb}gb-{colour.lower()}")
                )
        for index, g, price in offers:  # one seller per offer: a seller lists a variant × grade once
            battery = BatteryTier.HIGH if g == Grade.PREMIUM else BatteryTier.STANDARD  # premium needs ≥ 90%
            make_offer(seller=SellerFactory(quality_score=100), variant=variants[index], grade=g, price=price,
                       battery=battery)  # fmt: skip
        refresh_buy_boxes(variant_ids=[v.pk for v in variants])
        filters = browse.BrowseFilters(
            category_ids=[category.pk],
            brands=tuple(sorted(brands)),
            storage_gb=tuple(sorted(storage)),
            colours=tuple(sorted(colours)),
            years=tuple(sorted(years)),
            network_5g=network,
            grade=grade,
        )
        # When the facets are read under random selections
        found = browse.facets(filters=filters, market=get_market("en-gb"))
        # Then each value's count is the number of models listed once that value is the facet's selection
        for v in found.brands:
            assert v.count == _listed(replace(filters, brands=(v.value,))), ("brand", v)
        for v in found.years:
            assert v.count == _listed(replace(filters, years=(int(v.value),))), ("year", v)
        for v in found.storage:
            assert v.count == _listed(replace(filters, storage_gb=(int(v.value),))), ("storage", v)
        for v in found.colours:
            assert v.count == _listed(replace(filters, colours=(v.value,))), ("colour", v)
        for v in found.grades:
            assert v.count == _listed(replace(filters, grade=v.value)), ("grade", v)
        for v in found.bands:
            assert v.count == _listed(replace(filters, band=v.value)), ("band", v)
        with_5g = _listed(replace(filters, network_5g=True))
        assert (found.network_5g.count if found.network_5g else 0) == with_5g
        # and values nobody can click to a result are not offered (storage, colour) or say 0 (brand, year)
        assert all(v.count > 0 for v in [*found.storage, *found.colours])
        transaction.set_rollback(True)
