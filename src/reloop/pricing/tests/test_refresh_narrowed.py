"""The narrowed refresh: a bulk change re-ranks only the (variant, grade) pairs whose buy boxes can move
(``OffersChanged.variant_grades``) and re-aggregates the variants' summaries from the stored buy boxes.

Given random offers and random feeds through ``offers.bulk`` (prices set and removed, stock crossing zero, offers
taken off sale, grades and dispatch changed), after every feed the buy boxes equal a full rebuild (a refresh of every
grade and market of the variants finds nothing to write, as ``reloop rebuild_buybox`` would) and the Python reference
(``compute_states``). Runs on SQLite (Python ranking) and PostgreSQL (SQL ranking).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reloop.catalog.grading import BatteryTier, Grade, PartsProvenance
from reloop.catalog.tests.factories import VariantFactory
from reloop.core.money import Money
from reloop.offers.bulk import apply_changes
from reloop.offers.csv_io import OfferChange
from reloop.offers.events import OffersChanged
from reloop.offers.models import Offer
from reloop.pricing.models import BuyBoxSnapshot, VariantOfferSummary
from reloop.pricing.services import SNAPSHOT_FIELDS, SUMMARY_FIELDS, compute_states, refresh_buy_boxes
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db

MARKETS = {"en-gb": "GBP", "fr-fr": "EUR", "de-de": "EUR"}
GRADES = (Grade.EXCELLENT, Grade.GOOD, Grade.FAIR)
#: One condition per offer of a seller on a variant, so a grade change never clashes with its own other offers.
CONDITIONS = [(BatteryTier.STANDARD, PartsProvenance.COMPATIBLE), (BatteryTier.HIGH, PartsProvenance.OEM_HARVESTED)]
AMOUNTS = (9_900, 10_000, 10_100, 12_000)

price_st = st.one_of(st.none(), st.sampled_from(AMOUNTS))  # None: stop selling in that market
change_st = st.fixed_dictionaries(
    {
        "stock": st.sampled_from([None, None, 0, 1, 4]),
        "prices": st.dictionaries(st.sampled_from(sorted(MARKETS)), price_st, max_size=2),
        "grade": st.sampled_from([None, None, None, *GRADES]),
        "dispatch": st.sampled_from([None, None, None, 1, 3]),
        "active": st.sampled_from([None, None, None, False, True]),
    }
)


def _stored(variant_ids):
    snapshots = {
        (r[0], r[1], r[2]): tuple(r[3:])
        for r in BuyBoxSnapshot.objects.filter(variant_id__in=variant_ids).values_list(
            "variant_id", "grade", "market", *SNAPSHOT_FIELDS
        )
    }
    summaries = {
        (r[0], r[1]): tuple(r[2:])
        for r in VariantOfferSummary.objects.filter(variant_id__in=variant_ids).values_list(
            "variant_id", "market", *SUMMARY_FIELDS
        )
    }
    return snapshots, summaries


def _seed_offers(capture, data):
    variants = [VariantFactory(), VariantFactory()]
    sellers = [SellerFactory() for _ in range(3)]
    for n, seller in enumerate(sellers):
        changes = [
            OfferChange(
                line=i,
                sku=f"N{n}-{variant.pk}-{c}",
                variant_id=variant.pk,
                grade=data.draw(st.sampled_from(GRADES)),
                battery_tier=battery,
                parts_provenance=parts,
                replaced_parts=("screen",),
                warranty_months=12,
                dispatch_days=data.draw(st.sampled_from([1, 2])),
                vat_scheme="margin",
                stock=data.draw(st.sampled_from([0, 2])),
                prices={
                    m: Money(data.draw(st.sampled_from(AMOUNTS)), currency)
                    for m, currency in MARKETS.items()
                    if data.draw(st.booleans())
                }
                or {"en-gb": Money(10_000, "GBP")},
            )
            for i, (variant, (c, (battery, parts))) in enumerate(
                (v, cond) for v in variants for cond in enumerate(CONDITIONS)
            )
        ]
        with capture(execute=True):
            plan = apply_changes(seller=seller, changes=changes)
        assert not plan.errors
    return [v.pk for v in variants], sellers


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_after_random_feeds_the_narrowed_refreshes_leave_what_a_full_rebuild_would(
    data, django_capture_on_commit_callbacks
):
    variant_ids, sellers = _seed_offers(django_capture_on_commit_callbacks, data)
    for _feed in range(3):
        seller = data.draw(st.sampled_from(sellers))
        skus = list(Offer.objects.filter(seller=seller).order_by("pk").values_list("sku", flat=True))
        chosen = data.draw(st.lists(st.sampled_from(skus), min_size=1, max_size=len(skus), unique=True))
        changes = []
        for line, sku in enumerate(chosen):
            spec = data.draw(change_st)
            changes.append(
                OfferChange(
                    line=line,
                    sku=sku,
                    stock=spec["stock"],
                    grade=spec["grade"],
                    dispatch_days=spec["dispatch"],
                    active=spec["active"],
                    prices={m: None if a is None else Money(a, MARKETS[m]) for m, a in spec["prices"].items()},
                )
            )
        with django_capture_on_commit_callbacks(execute=True):
            plan = apply_changes(seller=seller, changes=changes)
        assert not plan.errors
        # then a full refresh of every grade and market finds nothing to write, and the Python reference agrees
        assert _stored(variant_ids) == compute_states(variant_ids)
        assert refresh_buy_boxes(variant_ids=variant_ids).differences == 0


def test_a_stock_crossing_zero_re_ranks_its_grade_only_and_the_summary_is_aggregated_from_stored_buy_boxes(
    django_capture_on_commit_callbacks,
):
    """Proof that the refresh is narrowed: a buy box of another grade, deliberately drifted, is left as stored (a
    whole-variant refresh would correct it) and the summary reads it; a full rebuild then corrects both."""
    variant = VariantFactory()
    seller, rival = SellerFactory(), SellerFactory()

    def offer(sku: str, grade: str, amount: int, battery: str = BatteryTier.STANDARD) -> OfferChange:
        return OfferChange(
            line=0,
            sku=sku,
            variant_id=variant.pk,
            grade=grade,
            battery_tier=battery,
            parts_provenance=PartsProvenance.ALL_ORIGINAL,
            warranty_months=12,
            dispatch_days=1,
            vat_scheme="margin",
            stock=3,
            prices={"en-gb": Money(amount, "GBP")},
        )

    with django_capture_on_commit_callbacks(execute=True):
        apply_changes(seller=seller, changes=[offer("G", Grade.GOOD, 20_000), offer("F", Grade.FAIR, 15_000)])
        apply_changes(seller=rival, changes=[offer("RG", Grade.GOOD, 21_000)])
    fair = BuyBoxSnapshot.objects.get(variant=variant, grade=Grade.FAIR, market="en-gb")
    BuyBoxSnapshot.objects.filter(pk=fair.pk).update(price=14_000)  # drift, behind the services' back

    # when the good offer sells out through a feed
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        apply_changes(seller=seller, changes=[OfferChange(line=0, sku="G", stock=0)])

    assert len(callbacks) >= 1
    good = BuyBoxSnapshot.objects.get(variant=variant, grade=Grade.GOOD, market="en-gb")
    assert good.winner.sku == "RG"  # its grade re-ranked: the rival wins
    assert BuyBoxSnapshot.objects.get(pk=fair.pk).price == 14_000  # the other grade not re-ranked
    summary = VariantOfferSummary.objects.get(variant=variant, market="en-gb")
    assert (summary.lowest_price, summary.good_price, summary.fair_price, summary.offer_count) == (
        14_000,
        21_000,
        14_000,
        2,
    )
    # and a full rebuild corrects the drifted grade and its summary
    assert refresh_buy_boxes(variant_ids=[variant.pk]).differences == 2
    summary.refresh_from_db()
    assert (summary.lowest_price, summary.fair_price) == (15_000, 15_000)


def test_a_feed_names_the_grades_that_can_move(monkeypatch, django_capture_on_commit_callbacks):
    """Given an offer changing grade and another repriced, the events name the old and new grade of the first
    (every market) and the grade of the second (its market only)."""
    published: list[OffersChanged] = []
    monkeypatch.setattr("reloop.offers.bulk.publish", published.append)
    variant = VariantFactory()
    seller = SellerFactory()
    base = {
        "variant_id": variant.pk,
        "parts_provenance": PartsProvenance.ALL_ORIGINAL,
        "warranty_months": 12,
        "dispatch_days": 1,
        "vat_scheme": "margin",
        "stock": 3,
        "prices": {"en-gb": Money(20_000, "GBP")},
    }
    apply_changes(
        seller=seller,
        changes=[
            OfferChange(line=0, sku="A", grade=Grade.GOOD, battery_tier=BatteryTier.STANDARD, **base),
            OfferChange(line=1, sku="B", grade=Grade.EXCELLENT, battery_tier=BatteryTier.HIGH, **base),
        ],
    )
    published.clear()

    apply_changes(
        seller=seller,
        changes=[
            OfferChange(line=0, sku="A", grade=Grade.FAIR),
            OfferChange(line=1, sku="B", prices={"fr-fr": Money(18_000, "EUR")}),
        ],
    )

    changed = [e for e in published if isinstance(e, OffersChanged)]
    assert {(e.markets, e.variant_grades) for e in changed} == {
        (None, frozenset({(variant.pk, Grade.GOOD), (variant.pk, Grade.FAIR)})),
        (frozenset({"fr-fr"}), frozenset({(variant.pk, Grade.EXCELLENT)})),
    }
