"""Keeping the buy-box snapshots and variant summaries equal to what the offers say.

``refresh_buy_boxes`` recomputes every (variant, grade, market) of the given variants from the offers and writes
only what changed: on PostgreSQL ranked and written in SQL (``pricing.ranking``), elsewhere ranked in Python with
``pricing.domain`` (the reference both are tested against). It runs after each offer change commits
(``pricing.handlers``) and, over every variant, in ``reloop rebuild_buybox``. Refreshes of one variant are
serialized by locking its row first (PostgreSQL; SQLite serializes all writers anyway), so a slower refresh can
never write an older state over a newer one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from django.db import connection, transaction

from reloop.catalog.models import Variant
from reloop.catalog.services import touch_categories, touch_variants
from reloop.passports.selectors import has_passport_for_price
from reloop.pricing.domain import BuyBox, Candidate, buy_box
from reloop.pricing.eligibility import eligible_prices
from reloop.pricing.models import GRADE_PRICE_FIELDS, BuyBoxSnapshot, VariantOfferSummary
from reloop.pricing.ranking import refresh_in_sql

CHUNK = 400
SQL_CHUNK = 5_000  # variants per transaction when the database ranks (a medium catalogue in one)

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


def eligible_candidates(
    variant_ids: list[int], markets: Collection[str] | None = None
) -> dict[SnapshotKey, list[tuple[Candidate, str]]]:
    """Candidates (with their currency) per (variant, grade, market), of every market or only ``markets``: one query.

    Eligibility is decided in SQL (``pricing.eligibility``): active offer, stock above zero, active seller.
    """
    prices = eligible_prices().filter(offer__variant_id__in=variant_ids).annotate(passport=has_passport_for_price())
    if markets is not None:
        prices = prices.filter(market__in=sorted(markets))
    rows = prices.values_list(
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
        "passport",
    ).order_by()
    grouped: dict[SnapshotKey, list[tuple[Candidate, str]]] = defaultdict(list)
    for offer_id, market, amount, currency, variant_id, grade, dispatch, warranty, created, score, passport in rows:
        candidate = Candidate(offer_id, amount, score, dispatch, warranty, created, has_passport=passport)
        grouped[(variant_id, grade, market)].append((candidate, currency))
    return grouped


SNAPSHOT_FIELDS = ("winner_id", "price", "currency", "offer_count", "runner_up_id", "runner_up_price")
SUMMARY_FIELDS = ("currency", "lowest_price", "offer_count", *GRADE_PRICE_FIELDS.values())

# A stored row as the values of its compared fields, in SNAPSHOT_FIELDS / SUMMARY_FIELDS order. Refreshes compare
# these plain tuples and build model instances only for the rows they write: a refresh of many variants where
# little moved costs one query and no ORM objects per unchanged row.
State = tuple[object, ...]


def compute_states(
    variant_ids: list[int], markets: Collection[str] | None = None
) -> tuple[dict[SnapshotKey, State], dict[SummaryKey, State]]:
    """The snapshot and summary states the offers of ``variant_ids`` call for (in ``markets`` only, if given)."""
    snapshots: dict[SnapshotKey, State] = {}
    currencies: dict[SummaryKey, str] = {}
    lowest: dict[SummaryKey, int] = {}
    counts: dict[SummaryKey, int] = defaultdict(int)
    grade_prices: dict[SummaryKey, list[int | None]] = {}
    grade_index = {grade: n for n, grade in enumerate(GRADE_PRICE_FIELDS)}
    for (variant_id, grade, market), entries in eligible_candidates(variant_ids, markets).items():
        box: BuyBox | None = buy_box(c for c, _ in entries)
        if box is None:
            continue
        runner_up, price, currency = box.runner_up, box.winner.price, entries[0][1]
        snapshots[(variant_id, grade, market)] = (
            box.winner.offer_id,
            price,
            currency,
            box.offer_count,
            runner_up.offer_id if runner_up else None,
            runner_up.price if runner_up else None,
        )
        summary_key = (variant_id, market)
        if summary_key not in currencies:
            currencies[summary_key], lowest[summary_key] = currency, price
            grade_prices[summary_key] = [None] * len(grade_index)
        lowest[summary_key] = min(lowest[summary_key], price)
        counts[summary_key] += box.offer_count
        grade_prices[summary_key][grade_index[grade]] = price
    summaries: dict[SummaryKey, State] = {
        k: (currencies[k], lowest[k], counts[k], *grade_prices[k]) for k in currencies
    }
    return snapshots, summaries


def _snapshot(key: SnapshotKey, state: State) -> BuyBoxSnapshot:
    return BuyBoxSnapshot(
        variant_id=key[0], grade=key[1], market=key[2], **dict(zip(SNAPSHOT_FIELDS, state, strict=True))
    )


def _summary(key: SummaryKey, state: State) -> VariantOfferSummary:
    return VariantOfferSummary(variant_id=key[0], market=key[1], **dict(zip(SUMMARY_FIELDS, state, strict=True)))


def compute(variant_ids: list[int]) -> tuple[dict[SnapshotKey, BuyBoxSnapshot], dict[SummaryKey, VariantOfferSummary]]:
    """The snapshots and summaries the offers of ``variant_ids`` call for (unsaved objects)."""
    snapshots, summaries = compute_states(variant_ids)
    return (
        {key: _snapshot(key, state) for key, state in snapshots.items()},
        {key: _summary(key, state) for key, state in summaries.items()},
    )


Row = TypeVar("Row", BuyBoxSnapshot, VariantOfferSummary)
Key = TypeVar("Key", SnapshotKey, SummaryKey)


def _sync(
    model: type[Row],
    current: dict[Key, tuple[int, State]],
    wanted: dict[Key, State],
    *,
    build: Callable[[Key, State], Row],
    unique: list[str],
    update: list[str],
) -> tuple[list[Key], list[Key]]:
    """Make the stored rows ``current`` (key → pk, state) equal ``wanted``: upsert what differs, delete what is no
    longer wanted. Returns the keys written and the keys deleted.
    """
    written = [key for key, state in wanted.items() if key not in current or current[key][1] != state]
    stale = [key for key in current if key not in wanted]
    if stale:
        model.objects.filter(pk__in=[current[key][0] for key in stale]).delete()
    if written:
        model.objects.bulk_create(
            [build(key, wanted[key]) for key in written],
            update_conflicts=True,
            unique_fields=unique,
            update_fields=update,
        )
    return written, stale


def _refresh_chunk(variant_ids: list[int], markets: Collection[str] | None = None) -> RefreshReport:
    report = RefreshReport(variants=len(variant_ids))
    # Serialize refreshes of the same variants (a no-op on SQLite, where writers are serialized already).
    list(Variant.objects.select_for_update().filter(pk__in=variant_ids).order_by("pk").values_list("pk", flat=True))
    wanted_snapshots, wanted_summaries = compute_states(variant_ids, markets)
    in_markets = {} if markets is None else {"market__in": sorted(markets)}
    stored_snapshots = BuyBoxSnapshot.objects.filter(variant_id__in=variant_ids, **in_markets).values_list(
        "pk", "variant_id", "grade", "market", *SNAPSHOT_FIELDS
    )
    written, stale = _sync(
        BuyBoxSnapshot,
        {(row[1], row[2], row[3]): (row[0], tuple(row[4:])) for row in stored_snapshots},
        wanted_snapshots,
        build=_snapshot,
        unique=["variant", "grade", "market"],
        update=["winner", "price", "currency", "offer_count", "runner_up", "runner_up_price", "refreshed_at"],
    )
    report.snapshots_written, report.snapshots_deleted = len(written), len(stale)
    stored_summaries = VariantOfferSummary.objects.filter(variant_id__in=variant_ids, **in_markets).values_list(
        "pk", "variant_id", "market", *SUMMARY_FIELDS
    )
    written_summaries, stale_summaries = _sync(
        VariantOfferSummary,
        {(row[1], row[2]): (row[0], tuple(row[3:])) for row in stored_summaries},
        wanted_summaries,
        build=_summary,
        unique=["variant", "market"],
        update=list(SUMMARY_FIELDS),
    )
    report.summaries_written, report.summaries_deleted = len(written_summaries), len(stale_summaries)
    # Cached pages key on these versions: product pages of every refreshed variant (their offers changed), and
    # listing pages of the categories whose lowest prices moved.
    touch_variants(variant_ids=variant_ids)
    moved = {variant_id for variant_id, _ in written_summaries} | {variant_id for variant_id, _ in stale_summaries}
    if moved:
        touch_categories(
            category_ids=Variant.objects.filter(pk__in=moved).values_list("product_model__category_id", flat=True)
        )
    return report


def _refresh_chunk_in_sql(variant_ids: list[int], markets: Collection[str] | None = None) -> RefreshReport:
    """PostgreSQL: the same refresh, ranked and written by the database (``pricing.ranking``, ADR 0031)."""
    list(Variant.objects.select_for_update().filter(pk__in=variant_ids).order_by("pk").values_list("pk", flat=True))
    written, deleted, summaries_written, summaries_deleted, moved = refresh_in_sql(variant_ids, markets)
    touch_variants(variant_ids=variant_ids)
    if moved:
        touch_categories(
            category_ids=Variant.objects.filter(pk__in=sorted(moved)).values_list(
                "product_model__category_id", flat=True
            )
        )
    return RefreshReport(len(variant_ids), written, deleted, summaries_written, summaries_deleted)


def refresh_buy_boxes(*, variant_ids: Iterable[int], markets: Collection[str] | None = None) -> RefreshReport:
    """Bring the snapshots and summaries of ``variant_ids`` in line with their offers; report what changed.

    ``markets``: only prices in these markets changed, so only their snapshots and summaries are recomputed (a
    feed repricing two markets does an eighth of the work of all sixteen). Each chunk of variants is its own
    transaction, so a large refresh never holds locks for long. On PostgreSQL the database ranks the offers
    (``pricing.ranking``); elsewhere ``pricing.domain`` does, in Python. Both follow the same rules (tested).
    """
    report = RefreshReport()
    in_sql = connection.vendor == "postgresql"
    for chunk in _chunks(sorted(set(variant_ids)), SQL_CHUNK if in_sql else CHUNK):
        with transaction.atomic():
            report.add(_refresh_chunk_in_sql(chunk, markets) if in_sql else _refresh_chunk(chunk, markets))
    return report


def rebuild_all_buy_boxes() -> RefreshReport:
    """Recompute every variant's buy boxes from the offers. ``differences`` is 0 when nothing had drifted."""
    return refresh_buy_boxes(variant_ids=Variant.objects.values_list("pk", flat=True))
