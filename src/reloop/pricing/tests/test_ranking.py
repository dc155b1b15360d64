"""The SQL ranking (``pricing.ranking``, PostgreSQL) agrees with the Python reference (``pricing.domain``).

Given random offers (ties on price, dispatch, warranty and creation time; sellers of every score, standing and
cap; offers out of stock or off sale; offers listing units with passports, available, reserved, sold or withdrawn —
only an available one counts for the tie-break, ADR 0041), the snapshots and summaries ranked by the database
equal the ones ``pricing.services.compute_states`` ranks in Python; and a refresh through ``refresh_buy_boxes``
(the SQL path on PostgreSQL) leaves exactly what a Python recompute calls for.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reloop.catalog.grading import BatteryTier, Grade, PartsProvenance
from reloop.catalog.tests.factories import VariantFactory
from reloop.core.clock import frozen_at
from reloop.offers.models import Offer, OfferPrice
from reloop.passports.models import OfferUnit, UnitStatus
from reloop.pricing.models import BuyBoxSnapshot, VariantOfferSummary
from reloop.pricing.ranking import compute_states_sql
from reloop.pricing.services import (
    SNAPSHOT_FIELDS,
    SUMMARY_FIELDS,
    compute_snapshot_states,
    compute_states,
    refresh_buy_boxes,
)
from reloop.sellers.models import Seller, Standing

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

MARKETS = {"en-gb": "GBP", "fr-fr": "EUR", "ja-jp": "JPY"}
TODAY = dt.date(2026, 3, 10)
BASE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
CONDITIONS = [(b, p) for b in BatteryTier for p in PartsProvenance]  # one per offer of an example

sellers_st = st.lists(
    st.tuples(
        st.sampled_from([100, 95, 90, 89, 80, 70, 33, 0]),  # quality score: penalty-free and penalised
        st.sampled_from([Standing.ACTIVE, Standing.ACTIVE, Standing.ACTIVE, Standing.SUSPENDED]),
        st.sampled_from([None, None, TODAY, TODAY - dt.timedelta(days=1)]),  # capped today: out; yesterday: in
    ),
    min_size=1,
    max_size=5,
)
offer_st = st.fixed_dictionaries(
    {
        "seller": st.integers(0, 4),
        "variant": st.integers(0, 1),
        "grade": st.sampled_from([Grade.GOOD, Grade.FAIR, Grade.EXCELLENT]),
        "stock": st.sampled_from([0, 1, 5]),
        "active": st.sampled_from([True, True, True, False]),
        "dispatch": st.sampled_from([1, 2]),
        "warranty": st.sampled_from([12, 24]),
        "created": st.integers(0, 2),  # few distinct moments: ties go down to the offer id
        # the status of a unit the offer lists (None: lists no unit); only "available" wins the passport tie-break
        "unit": st.sampled_from(
            [
                None,
                None,
                UnitStatus.AVAILABLE,
                UnitStatus.AVAILABLE,
                UnitStatus.RESERVED,
                UnitStatus.SOLD,
                UnitStatus.WITHDRAWN,
            ]
        ),
        "prices": st.dictionaries(
            st.sampled_from(list(MARKETS)), st.sampled_from([9_950, 10_000, 10_050, 10_500, 11_000]), min_size=1
        ),
    }
)


def _make(sellers_spec, offers_spec):
    variants = [VariantFactory(), VariantFactory()]
    sellers = [
        Seller.objects.create(
            name=f"S{n}",
            slug=f"ranking-s{n}",
            legal_name="S Ltd",
            country="GB",
            standing=standing,
            quality_score=score,
            capped_on=capped,
        )
        for n, (score, standing, capped) in enumerate(sellers_spec)
    ]
    offers = []
    for n, spec in enumerate(offers_spec):
        offer = Offer.objects.create(
            seller=sellers[spec["seller"] % len(sellers)],
            variant=variants[spec["variant"]],
            sku=f"R-{n}",
            grade=spec["grade"],
            # one seller may list a variant and grade more than once (another battery or parts)
            battery_tier=CONDITIONS[n][0],
            parts_provenance=CONDITIONS[n][1],
            stock=spec["stock"],
            is_active=spec["active"],
            dispatch_days=spec["dispatch"],
            warranty_months=spec["warranty"],
        )
        Offer.objects.filter(pk=offer.pk).update(created_at=BASE + dt.timedelta(hours=spec["created"]))
        if spec["unit"] is not None:
            OfferUnit.objects.create(
                seller=offer.seller,
                offer=offer,
                kind="serial",
                identifier=f"RANKUNIT{n:04d}",
                battery_health=90,
                status=spec["unit"],
                order_line_ref=n + 1 if spec["unit"] in (UnitStatus.RESERVED, UnitStatus.SOLD) else None,
            )
        OfferPrice.objects.bulk_create(
            [OfferPrice(offer=offer, market=m, amount=a, currency=MARKETS[m]) for m, a in spec["prices"].items()]
        )
        offers.append(offer)
    return [v.pk for v in variants]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    sellers_spec=sellers_st,
    offers_spec=st.lists(offer_st, min_size=1, max_size=len(CONDITIONS)),
    only=st.booleans(),
    pairs=st.one_of(
        st.none(),
        st.sets(st.tuples(st.integers(0, 1), st.sampled_from([Grade.GOOD, Grade.FAIR, Grade.EXCELLENT])), max_size=4),
    ),
)
def test_sql_and_python_rank_random_offers_alike(sellers_spec, offers_spec, only, pairs):
    """Every grade of the variants, or only some (variant, grade) pairs (the narrowed refresh)."""
    with transaction.atomic():
        variant_ids = _make(sellers_spec, offers_spec)
        markets = {"en-gb", "ja-jp"} if only else None
        variant_grades = None if pairs is None else sorted((variant_ids[v], g) for v, g in pairs)
        with frozen_at(dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)):
            in_python = compute_snapshot_states(variant_ids, markets, variant_grades)
            in_sql, _ = compute_states_sql(variant_ids, markets, today=TODAY, variant_grades=variant_grades)
            if pairs is None:
                assert (
                    compute_states_sql(variant_ids, markets, today=TODAY)[1] == compute_states(variant_ids, markets)[1]
                )
        assert in_sql == in_python
        if variant_grades is not None:  # nothing outside the pairs is ranked
            assert {(v, g) for v, g, _m in in_sql} <= set(variant_grades)
        transaction.set_rollback(True)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sellers_spec=sellers_st, offers_spec=st.lists(offer_st, min_size=1, max_size=len(CONDITIONS)))
def test_a_refresh_in_sql_writes_what_the_python_ranking_calls_for_and_prunes_the_rest(sellers_spec, offers_spec):
    with transaction.atomic(), frozen_at(dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)):
        variant_ids = _make(sellers_spec, offers_spec)
        refresh_buy_boxes(variant_ids=variant_ids)
        OfferPrice.objects.filter(offer__sku="R-0").delete()  # one offer leaves every market: stale rows go
        Offer.objects.filter(sku="R-1").update(stock=0)
        report = refresh_buy_boxes(variant_ids=variant_ids)
        wanted_snapshots, wanted_summaries = compute_states(variant_ids)
        stored_snapshots = {
            (r[0], r[1], r[2]): tuple(r[3:])
            for r in BuyBoxSnapshot.objects.values_list("variant_id", "grade", "market", *SNAPSHOT_FIELDS)
        }
        stored_summaries = {
            (r[0], r[1]): tuple(r[2:])
            for r in VariantOfferSummary.objects.values_list("variant_id", "market", *SUMMARY_FIELDS)
        }
        assert stored_snapshots == wanted_snapshots
        assert stored_summaries == wanted_summaries
        assert refresh_buy_boxes(variant_ids=variant_ids).differences == 0  # nothing left to write
        assert report.variants == 2
        transaction.set_rollback(True)


def test_among_otherwise_equal_offers_the_one_with_a_passport_wins_in_sql_and_in_python():
    """The tie-break itself, which random offers rarely reach: same price, seller score, dispatch and warranty; the
    older offer would win, but the newer one lists an available unit (a reserved one would not count)."""
    with transaction.atomic():
        spec = {"stock": 5, "active": True, "dispatch": 1, "warranty": 12, "grade": Grade.GOOD, "variant": 0}
        offers = [
            {**spec, "seller": 0, "created": 0, "unit": UnitStatus.RESERVED, "prices": {"en-gb": 10_000}},
            {**spec, "seller": 1, "created": 1, "unit": UnitStatus.AVAILABLE, "prices": {"en-gb": 10_000}},
        ]
        variant_ids = _make([(95, Standing.ACTIVE, None), (100, Standing.ACTIVE, None)], offers)
        with frozen_at(dt.datetime(2026, 3, 10, 12, tzinfo=dt.UTC)):
            in_python, _ = compute_states(variant_ids)
            in_sql, _ = compute_states_sql(variant_ids, today=TODAY)
        newer = Offer.objects.get(sku="R-1").pk
        key = (variant_ids[0], Grade.GOOD, "en-gb")
        assert in_python[key][0] == newer
        assert in_sql[key][0] == newer
        transaction.set_rollback(True)
