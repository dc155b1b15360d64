"""When a worse grade costs more than a better one (issue 16, item 6): find it, explain it, point to the deal.

Grade prices are buy-box prices (``BuyBoxSnapshot``), one per (variant, grade, market). A worse grade costing more
is an *inversion*. It is usually explained by what the grade does not say: the worse grade's buy-box offer has a
new or high-capacity battery, or the better grade's offer has compatible or harvested parts. The grade picker says
which better grade is no dearer, at what price, and why the worse one costs more when the offers say why.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import QuerySet

from reloop.catalog.grading import GRADE_ORDER, BatteryTier, Grade, PartsProvenance
from reloop.offers.models import Offer
from reloop.pricing.models import BuyBoxSnapshot

#: Why a worse grade's buy box may cost more than a better one's, best explanation first.
NEW_BATTERY = "new_battery"  # the worse grade's offer has a new battery
HIGH_BATTERY = "high_battery"  # … a battery at 90% or more
COMPATIBLE_PARTS = "compatible_parts"  # the better grade's offer has compatible (non-original) parts
HARVESTED_PARTS = "harvested_parts"  # … original parts taken from other devices


def _rank(grade: str) -> int:
    return GRADE_ORDER.index(Grade(grade))


def inversions(prices: Mapping[str, int | None]) -> list[tuple[Grade, Grade]]:
    """Every (worse, better) pair of grades where the worse grade's price is higher. Grades without a price are
    not compared."""
    priced = [(Grade(g), p) for g, p in prices.items() if p is not None]
    return sorted(
        (worse, better)
        for worse, worse_price in priced
        for better, better_price in priced
        if _rank(worse) > _rank(better) and worse_price > better_price
    )


def better_grade_for(prices: Mapping[str, int | None], chosen: str) -> Grade | None:
    """The best grade, better than ``chosen``, whose price is at most ``chosen``'s; ``None`` when none is."""
    own = prices.get(chosen)
    if own is None:
        return None
    for grade in GRADE_ORDER:  # best first
        if _rank(grade) >= _rank(chosen):
            return None
        price = prices.get(grade)
        if price is not None and price <= own:
            return grade
    return None


def reasons(*, worse: Offer, better: Offer) -> tuple[str, ...]:
    """What the two buy-box offers say about the worse grade costing more (possibly nothing)."""
    found = []
    if worse.battery_tier == BatteryTier.NEW and better.battery_tier != BatteryTier.NEW:
        found.append(NEW_BATTERY)
    elif worse.battery_tier == BatteryTier.HIGH and better.battery_tier == BatteryTier.STANDARD:
        found.append(HIGH_BATTERY)
    if better.parts_provenance == PartsProvenance.COMPATIBLE and worse.parts_provenance != PartsProvenance.COMPATIBLE:
        found.append(COMPATIBLE_PARTS)
    elif better.parts_provenance == PartsProvenance.OEM_HARVESTED and worse.parts_provenance == (
        PartsProvenance.ALL_ORIGINAL
    ):
        found.append(HARVESTED_PARTS)
    return tuple(found)


@dataclass(frozen=True, slots=True)
class BetterDeal:
    """A better grade the buyer can have for no more than the grade they chose."""

    chosen: Grade
    grade: Grade
    price: int
    currency: str
    cheaper: bool  # strictly cheaper (else the same price)
    reasons: tuple[str, ...]  # why the chosen grade costs more, from the two buy-box offers


def better_deal(snapshots: Mapping[str, BuyBoxSnapshot], chosen: str | None) -> BetterDeal | None:
    """For the grade picker: reads the snapshots of one variant in one market, with their ``winner`` loaded."""
    if chosen is None or chosen not in snapshots:
        return None
    grade = better_grade_for({g: s.price for g, s in snapshots.items()}, chosen)
    if grade is None:
        return None
    mine, theirs = snapshots[chosen], snapshots[grade]
    return BetterDeal(
        chosen=Grade(chosen),
        grade=grade,
        price=theirs.price,
        currency=theirs.currency,
        cheaper=theirs.price < mine.price,
        reasons=reasons(worse=mine.winner, better=theirs.winner),
    )


@dataclass(frozen=True, slots=True)
class InversionCount:
    market: str
    models: int  # models with at least one priced grade in the market
    inverted: int  # models where, for some variant, a worse grade's buy box costs more than a better one's
    explained: int  # of those, models whose every inversion the battery or parts explain

    @property
    def unexplained(self) -> int:
        return self.inverted - self.explained


def _count(rows: Iterable[BuyBoxSnapshot], market: str) -> InversionCount:
    by_variant: dict[tuple[int, int], dict[str, BuyBoxSnapshot]] = defaultdict(dict)
    for snapshot in rows:
        by_variant[(snapshot.variant.product_model_id, snapshot.variant_id)][snapshot.grade] = snapshot
    models: set[int] = set()
    inverted: set[int] = set()
    unexplained: set[int] = set()
    for (model_id, _variant_id), snapshots in by_variant.items():
        models.add(model_id)
        pairs = inversions({g: s.price for g, s in snapshots.items()})
        if not pairs:
            continue
        inverted.add(model_id)
        if any(not reasons(worse=snapshots[w].winner, better=snapshots[b].winner) for w, b in pairs):
            unexplained.add(model_id)
    return InversionCount(market, len(models), len(inverted), len(inverted - unexplained))


def _snapshots(market: str) -> QuerySet[BuyBoxSnapshot]:
    return (
        BuyBoxSnapshot.objects.filter(market=market)
        .select_related("variant", "winner")
        .only(
            "variant__product_model_id",
            "variant_id",
            "grade",
            "price",
            "currency",
            "winner__battery_tier",
            "winner__parts_provenance",
        )
    )


def count_inversions(*, market: str) -> InversionCount:
    """How many models of ``market`` have a grade inversion, and how many of those the offers explain (one
    query, streamed)."""
    return _count(_snapshots(market).iterator(chunk_size=5_000), market)
