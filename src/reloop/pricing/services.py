"""Keeping the buy-box snapshots and variant summaries equal to what the offers say.

``refresh_buy_boxes`` recomputes every (variant, grade, market) of the given variants from the offers and writes
only what changed. It runs after each offer change commits (``pricing.handlers``) and, over every variant, in
``reloop rebuild_buybox``. Refreshes of one variant are serialized by locking its row first (PostgreSQL; SQLite
serializes all writers anyway), so a slower refresh can never write an older state over a newer one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import transaction

from reloop.catalog.models import Variant
from reloop.catalog.services import touch_categories, touch_variants
from reloop.pricing.domain import BuyBox, Candidate, buy_box
from reloop.pricing.eligibility import eligible_prices
from reloop.pricing.models import GRADE_PRICE_FIELDS, BuyBoxSnapshot, VariantOfferSummary

CHUNK = 400

SnapshotKey = tuple[int, str, str]  # variant, grade, market
SummaryKey = tuple[int, str]  # variant, market


@dataclass
class RefreshReport:
    variants: int = 0
    snapshots_written: int = 0
    snapshots_deleted: int = 0
    summaries_written: int = 0
    summaries_deleted: int = 0

    @property
    def differences(self) -> int:
        return self.snapshots_written + self.snapshots_deleted + self.summaries_written + self.summaries_deleted

    def add(self, other: RefreshReport) -> None:
        self.variants += other.variants
        self.snapshots_written += other.snapshots_written
        self.snapshots_deleted += other.snapshots_deleted
        self.summaries_written += other.summaries_written
        self.summaries_deleted += other.summaries_deleted


def _chunks(ids: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def eligible_candidates(variant_ids: list[int]) -> dict[SnapshotKey, list[tuple[Candidate, str]]]:
    """Candidates (with their currency) per (variant, grade, market): one query.

    Eligibility is decided in SQL (``pricing.eligibility``): active offer, stock above zero, active seller.
    """
    rows = (
        eligible_prices()
        .filter(offer__variant_id__in=variant_ids)
        .values_list(
            "offer_id",
            "market",
            "amount",
            "currency",
            "offer__variant_id",
            "offer__grade",
            "offer__dispatch_days",
            "offer__warranty_months",
            "offer__created_at",
            "offer__seller__quality_score",
        )
        .order_by()
    )
    grouped: dict[SnapshotKey, list[tuple[Candidate, str]]] = defaultdict(list)
    for offer_id, market, amount, currency, variant_id, grade, dispatch, warranty, created, score in rows:
        candidate = Candidate(offer_id, amount, score, dispatch, warranty, created)
        grouped[(variant_id, grade, market)].append((candidate, currency))
    return grouped


def compute(variant_ids: list[int]) -> tuple[dict[SnapshotKey, BuyBoxSnapshot], dict[SummaryKey, VariantOfferSummary]]:
    """The snapshots and summaries the offers of ``variant_ids`` call for (unsaved objects)."""
    snapshots: dict[SnapshotKey, BuyBoxSnapshot] = {}
    for key, entries in eligible_candidates(variant_ids).items():
        box: BuyBox | None = buy_box(c for c, _ in entries)
        if box is None:
            continue
        variant_id, grade, market = key
        snapshots[key] = BuyBoxSnapshot(
            variant_id=variant_id,
            grade=grade,
            market=market,
            winner_id=box.winner.offer_id,
            price=box.winner.price,
            currency=entries[0][1],
            offer_count=box.offer_count,
            runner_up_id=box.runner_up.offer_id if box.runner_up else None,
            runner_up_price=box.runner_up.price if box.runner_up else None,
        )
    summaries: dict[SummaryKey, VariantOfferSummary] = {}
    for (variant_id, grade, market), snap in snapshots.items():
        summary = summaries.get((variant_id, market))
        if summary is None:
            summary = summaries[(variant_id, market)] = VariantOfferSummary(
                variant_id=variant_id, market=market, currency=snap.currency, lowest_price=snap.price, offer_count=0
            )
        summary.lowest_price = min(summary.lowest_price, snap.price)
        summary.offer_count += snap.offer_count
        setattr(summary, GRADE_PRICE_FIELDS[grade], snap.price)
    return snapshots, summaries


SNAPSHOT_FIELDS = ("winner_id", "price", "currency", "offer_count", "runner_up_id", "runner_up_price")
SUMMARY_FIELDS = ("currency", "lowest_price", "offer_count", *GRADE_PRICE_FIELDS.values())

Row = TypeVar("Row", BuyBoxSnapshot, VariantOfferSummary)


def _sync(
    model: type[Row],
    current: dict[Any, Row],
    wanted: dict[Any, Row],
    *,
    compared: tuple[str, ...],
    unique: list[str],
    update: list[str],
) -> tuple[list[Row], list[Any]]:
    """Make the stored rows ``current`` equal ``wanted``: upsert what differs, delete what is no longer wanted.

    Returns the rows written and the keys deleted.
    """

    def state(row: Row) -> tuple[object, ...]:
        return tuple(getattr(row, f) for f in compared)

    written = [row for key, row in wanted.items() if key not in current or state(current[key]) != state(row)]
    stale = [key for key in current if key not in wanted]
    if stale:
        model.objects.filter(pk__in=[current[key].pk for key in stale]).delete()
    if written:
        model.objects.bulk_create(written, update_conflicts=True, unique_fields=unique, update_fields=update)
    return written, stale


def _refresh_chunk(variant_ids: list[int]) -> RefreshReport:
    report = RefreshReport(variants=len(variant_ids))
    # Serialize refreshes of the same variants (a no-op on SQLite, where writers are serialized already).
    list(Variant.objects.select_for_update().filter(pk__in=variant_ids).order_by("pk").values_list("pk", flat=True))
    wanted_snapshots, wanted_summaries = compute(variant_ids)
    snapshots = BuyBoxSnapshot.objects.filter(variant_id__in=variant_ids)
    written, stale = _sync(
        BuyBoxSnapshot,
        {(s.variant_id, s.grade, s.market): s for s in snapshots},
        wanted_snapshots,
        compared=SNAPSHOT_FIELDS,
        unique=["variant", "grade", "market"],
        update=["winner", "price", "currency", "offer_count", "runner_up", "runner_up_price", "refreshed_at"],
    )
    report.snapshots_written, report.snapshots_deleted = len(written), len(stale)
    summaries = VariantOfferSummary.objects.filter(variant_id__in=variant_ids)
    written_summaries, stale_summaries = _sync(
        VariantOfferSummary,
        {(s.variant_id, s.market): s for s in summaries},
        wanted_summaries,
        compared=SUMMARY_FIELDS,
        unique=["variant", "market"],
        update=list(SUMMARY_FIELDS),
    )
    report.summaries_written, report.summaries_deleted = len(written_summaries), len(stale_summaries)
    # Cached pages key on these versions: product pages of every refreshed variant (their offers changed), and
    # listing pages of the categories whose lowest prices moved.
    touch_variants(variant_ids=variant_ids)
    moved = {row.variant_id for row in written_summaries} | {variant_id for variant_id, _ in stale_summaries}
    if moved:
        touch_categories(
            category_ids=Variant.objects.filter(pk__in=moved).values_list("product_model__category_id", flat=True)
        )
    return report


def refresh_buy_boxes(*, variant_ids: Iterable[int]) -> RefreshReport:
    """Bring the snapshots and summaries of ``variant_ids`` in line with their offers; report what changed.

    Each chunk of variants is its own transaction, so a large refresh never holds locks for long.
    """
    report = RefreshReport()
    for chunk in _chunks(sorted(set(variant_ids)), CHUNK):
        with transaction.atomic():
            report.add(_refresh_chunk(chunk))
    return report


def rebuild_all_buy_boxes() -> RefreshReport:
    """Recompute every variant's buy boxes from the offers. ``differences`` is 0 when nothing had drifted."""
    return refresh_buy_boxes(variant_ids=Variant.objects.values_list("pk", flat=True))
