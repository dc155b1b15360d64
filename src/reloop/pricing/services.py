"""Keeping the buy-box snapshots and variant summaries equal to what the offers say.

``refresh_buy_boxes`` recomputes the (variant, grade, market) buy boxes of the given variants from the offers —
every grade and market, or only the (variant, grade) pairs and markets a change can move — and writes only what
changed: on PostgreSQL ranked and written in SQL (``pricing.ranking``), elsewhere ranked in Python with
``pricing.domain`` (the reference both are tested against). A variant's summaries are then aggregated from its
stored buy boxes (``summaries_from_snapshots``), so a refresh of one grade needs no ranking of the others. It runs
after each offer change commits (``pricing.handlers``) and, over every variant, in ``reloop rebuild_buybox``.
Refreshes of one variant are serialized by locking its row first (PostgreSQL; SQLite serializes all writers
anyway), so a slower refresh can never write an older state over a newer one.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from functools import reduce
from typing import TypeVar

from django.db import connection, transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast

from reloop.catalog.models import Variant
from reloop.catalog.services import touch_categories, touch_variants
from reloop.core import clock
from reloop.passports.selectors import has_passport_for_price
from reloop.pricing.domain import BuyBox, Candidate, buy_box
from reloop.pricing.eligibility import eligible_prices
from reloop.pricing.models import GRADE_PRICE_FIELDS, BuyBoxSnapshot, StaleBuyBox, VariantOfferSummary
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


VariantGrade = tuple[int, str]


def eligible_candidates(
    variant_ids: list[int],
    markets: Collection[str] | None = None,
    variant_grades: Collection[VariantGrade] | None = None,
) -> dict[SnapshotKey, list[tuple[Candidate, str]]]:
    """Candidates (with their currency) per (variant, grade, market), of every market or only ``markets``, of every
    grade or only the ``variant_grades`` pairs: one query.

    Eligibility is decided in SQL (``pricing.eligibility``): active offer, stock above zero, active seller.
    """
    prices = eligible_prices().filter(offer__variant_id__in=variant_ids).annotate(passport=has_passport_for_price())
    if markets is not None:
        prices = prices.filter(market__in=sorted(markets))
    pairs = None if variant_grades is None else set(variant_grades)
    if pairs is not None:  # only the pairs' offers are read: one clause per grade (four at most)
        by_grade: dict[str, set[int]] = defaultdict(set)
        for variant_id, grade in pairs:
            by_grade[grade].add(variant_id)
        prices = prices.filter(
            reduce(
                operator.or_,
                (Q(offer__grade=grade, offer__variant_id__in=sorted(ids)) for grade, ids in sorted(by_grade.items())),
                Q(pk__in=[]),
            )
        )
    # SQLite stores a moment as text, and Django parses it for every row (a fifth of this read's time): read the
    # text and parse each distinct one once, with the C parser (an offer's moment repeats for every market).
    as_text = connection.vendor == "sqlite"
    if as_text:
        prices = prices.annotate(created_text=Cast("offer__created_at", TextField()))
    rows = prices.values_list(
        "offer_id",
        "market",
        "amount",
        "currency",
        "offer__variant_id",
        "offer__grade",
        "offer__dispatch_days",
        "offer__warranty_months",
        "created_text" if as_text else "offer__created_at",
        "offer__seller__quality_score",
        "passport",
    ).order_by()
    moments: dict[object, dt.datetime] = {}
    grouped: dict[SnapshotKey, list[tuple[Candidate, str]]] = defaultdict(list)
    for offer_id, market, amount, currency, variant_id, grade, dispatch, warranty, created, score, passport in rows:
        if pairs is not None and (variant_id, grade) not in pairs:
            continue
        if as_text:
            moment = moments.get(created)
            if moment is None:  # naive UTC text, as Django's SQLite backend writes it
                moment = moments[created] = dt.datetime.fromisoformat(created).replace(tzinfo=dt.UTC)
            created = moment
        candidate = Candidate(offer_id, amount, score, dispatch, warranty, created, has_passport=passport)
        grouped[(variant_id, grade, market)].append((candidate, currency))
    return grouped


SNAPSHOT_FIELDS = ("winner_id", "price", "currency", "offer_count", "runner_up_id", "runner_up_price")
SUMMARY_FIELDS = ("currency", "lowest_price", "offer_count", *GRADE_PRICE_FIELDS.values())

# A stored row as the values of its compared fields, in SNAPSHOT_FIELDS / SUMMARY_FIELDS order. Refreshes compare
# these plain tuples and build model instances only for the rows they write: a refresh of many variants where
# little moved costs one query and no ORM objects per unchanged row.
State = tuple[object, ...]


def summaries_from_snapshots(snapshots: dict[SnapshotKey, State]) -> dict[SummaryKey, State]:
    """The variant summaries the buy boxes ``snapshots`` (key → ``SNAPSHOT_FIELDS`` state) call for: per (variant,
    market), the currency, the lowest price, the offers counted in every grade and each grade's buy-box price. The
    one definition of a summary: the SQL path aggregates the stored snapshots the same way (tested)."""
    grade_index = {grade: n for n, grade in enumerate(GRADE_PRICE_FIELDS)}
    summaries: dict[SummaryKey, list[object]] = {}
    for (variant_id, grade, market), (_winner, price, currency, count, _runner, _runner_price) in sorted(
        snapshots.items()
    ):
        state = summaries.get((variant_id, market))
        if state is None:
            state = summaries[(variant_id, market)] = [currency, price, 0, *([None] * len(grade_index))]
        state[1] = min(state[1], price)  # type: ignore[call-overload]
        state[2] = state[2] + count  # type: ignore[operator]
        state[3 + grade_index[grade]] = price
    return {key: tuple(state) for key, state in summaries.items()}


def compute_snapshot_states(
    variant_ids: list[int],
    markets: Collection[str] | None = None,
    variant_grades: Collection[VariantGrade] | None = None,
) -> dict[SnapshotKey, State]:
    """The buy-box states the offers of ``variant_ids`` call for (in ``markets`` and ``variant_grades`` only, if
    given), ranked in Python by ``pricing.domain.buy_box``: the reference."""
    snapshots: dict[SnapshotKey, State] = {}
    for key, entries in eligible_candidates(variant_ids, markets, variant_grades).items():
        box: BuyBox | None = buy_box(c for c, _ in entries)
        if box is None:
            continue
        runner_up = box.runner_up
        snapshots[key] = (
            box.winner.offer_id,
            box.winner.price,
            entries[0][1],
            box.offer_count,
            runner_up.offer_id if runner_up else None,
            runner_up.price if runner_up else None,
        )
    return snapshots


def compute_states(
    variant_ids: list[int], markets: Collection[str] | None = None
) -> tuple[dict[SnapshotKey, State], dict[SummaryKey, State]]:
    """The snapshot and summary states the offers of ``variant_ids`` call for (in ``markets`` only, if given)."""
    snapshots = compute_snapshot_states(variant_ids, markets)
    return snapshots, summaries_from_snapshots(snapshots)


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


def _stored_snapshots(
    variant_ids: list[int], markets: Collection[str] | None, pairs: set[VariantGrade] | None
) -> dict[SnapshotKey, tuple[int, State]]:
    in_markets = {} if markets is None else {"market__in": sorted(markets)}
    in_grades = {} if pairs is None else {"grade__in": sorted({grade for _v, grade in pairs})}
    rows = BuyBoxSnapshot.objects.filter(variant_id__in=variant_ids, **in_markets, **in_grades).values_list(
        "pk", "variant_id", "grade", "market", *SNAPSHOT_FIELDS
    )
    return {
        (row[1], row[2], row[3]): (row[0], tuple(row[4:])) for row in rows if pairs is None or (row[1], row[2]) in pairs
    }


def _refresh_chunk(
    variant_ids: list[int], markets: Collection[str] | None = None, pairs: set[VariantGrade] | None = None
) -> RefreshReport:
    report = RefreshReport(variants=len(variant_ids))
    # Serialize refreshes of the same variants (a no-op on SQLite, where writers are serialized already).
    list(Variant.objects.select_for_update().filter(pk__in=variant_ids).order_by("pk").values_list("pk", flat=True))
    written, stale = _sync(
        BuyBoxSnapshot,
        _stored_snapshots(variant_ids, markets, pairs),
        compute_snapshot_states(variant_ids, markets, pairs),
        build=_snapshot,
        unique=["variant", "grade", "market"],
        update=["winner", "price", "currency", "offer_count", "runner_up", "runner_up_price", "refreshed_at"],
    )
    report.snapshots_written, report.snapshots_deleted = len(written), len(stale)
    # The summaries of the touched variants (in the touched markets), from every grade's stored buy box: the ones
    # just written and the ones this refresh did not need to rank.
    stored = {key: state for key, (_pk, state) in _stored_snapshots(variant_ids, markets, None).items()}
    in_markets = {} if markets is None else {"market__in": sorted(markets)}
    stored_summaries = VariantOfferSummary.objects.filter(variant_id__in=variant_ids, **in_markets).values_list(
        "pk", "variant_id", "market", *SUMMARY_FIELDS
    )
    written_summaries, stale_summaries = _sync(
        VariantOfferSummary,
        {(row[1], row[2]): (row[0], tuple(row[3:])) for row in stored_summaries},
        summaries_from_snapshots(stored),
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


def _refresh_chunk_in_sql(
    variant_ids: list[int], markets: Collection[str] | None = None, pairs: set[VariantGrade] | None = None
) -> RefreshReport:
    """PostgreSQL: the same refresh, ranked and written by the database (``pricing.ranking``, ADR 0031)."""
    list(Variant.objects.select_for_update().filter(pk__in=variant_ids).order_by("pk").values_list("pk", flat=True))
    written, deleted, summaries_written, summaries_deleted, moved = refresh_in_sql(
        variant_ids, markets, sorted(pairs) if pairs is not None else None
    )
    touch_variants(variant_ids=variant_ids)
    if moved:
        touch_categories(
            category_ids=Variant.objects.filter(pk__in=sorted(moved)).values_list(
                "product_model__category_id", flat=True
            )
        )
    return RefreshReport(len(variant_ids), written, deleted, summaries_written, summaries_deleted)


def refresh_buy_boxes(
    *,
    variant_ids: Iterable[int],
    markets: Collection[str] | None = None,
    variant_grades: Collection[VariantGrade] | None = None,
) -> RefreshReport:
    """Bring the snapshots and summaries of ``variant_ids`` in line with their offers; report what changed.

    ``markets``: only prices in these markets changed, so only their snapshots and summaries are recomputed (a
    feed repricing two markets does an eighth of the work of all sixteen). ``variant_grades``: only the buy boxes
    of these (variant, grade) pairs are ranked (a stock crossing zero moves its offer's grade, not the variant's
    other grades); the summaries of their variants are re-aggregated from the stored buy boxes either way. Each
    chunk of variants is its own transaction, so a large refresh never holds locks for long. On PostgreSQL the
    database ranks the offers (``pricing.ranking``); elsewhere ``pricing.domain`` does, in Python. Both follow the
    same rules (tested).
    """
    report = RefreshReport()
    in_sql = connection.vendor == "postgresql"
    pairs_by_variant: dict[int, set[VariantGrade]] | None = None
    variants = set(variant_ids)
    if variant_grades is not None:
        pairs_by_variant = defaultdict(set)
        for variant_id, grade in variant_grades:
            pairs_by_variant[variant_id].add((variant_id, grade))
        variants |= set(pairs_by_variant)
    for chunk in _chunks(sorted(variants), SQL_CHUNK if in_sql else CHUNK):
        pairs = None if pairs_by_variant is None else {p for v in chunk for p in pairs_by_variant.get(v, ())}
        with transaction.atomic():
            refresh = _refresh_chunk_in_sql if in_sql else _refresh_chunk
            report.add(refresh(chunk, markets, pairs))
    return report


# --- Deferred changes: stale keys ranked in batches (ADR 0044) -------------------------------------------------

#: A deferred change's buy boxes are ranked by the first deferred change at least this much later (one batch for all
#: the calls of that window), or by the ``refresh_stale_buy_boxes`` job (every ``STALE_JOB_EVERY``), whichever comes
#: first: a buy box lags its offers by at most ``STALE_JOB_EVERY`` plus one batch.
STALE_BATCH_AFTER = dt.timedelta(seconds=5)
STALE_JOB_EVERY = dt.timedelta(seconds=10)
#: Stale keys claimed per transaction by a batch.
STALE_BATCH_KEYS = 20_000


def mark_buy_boxes_stale(*, variant_grades: Iterable[VariantGrade], markets: Collection[str] | None = None) -> None:
    """Record that the buy boxes of these (variant, grade) pairs (in ``markets``; ``None``: every market) may have
    moved: one statement. A key already waiting keeps its older mark (the batch is due by the oldest)."""
    moment = clock.now()
    in_markets = [""] if markets is None else sorted(markets)
    StaleBuyBox.objects.bulk_create(
        [
            StaleBuyBox(variant_id=variant_id, grade=grade, market=market, marked_at=moment)
            for variant_id, grade in sorted(set(variant_grades))
            for market in in_markets
        ],
        ignore_conflicts=True,
    )


def stale_batch_due() -> bool:
    """True when the oldest stale key has waited ``STALE_BATCH_AFTER``: one query."""
    return StaleBuyBox.objects.filter(marked_at__lte=clock.now() - STALE_BATCH_AFTER).exists()


def refresh_stale_buy_boxes(*, batches: int | None = None) -> RefreshReport:
    """Rank every stale key (``mark_buy_boxes_stale``) in batches of ``STALE_BATCH_KEYS``; the scheduled job.
    ``batches``: at most that many (a web request ranks one and leaves any backlog to the job).

    Each batch claims its keys and ranks them in one transaction: a crash leaves them stale for the next run, and a
    key marked again meanwhile (a change that committed after the batch read the offers) waits for the next batch,
    so no change is ever left unranked. Concurrent runs skip each other's keys (PostgreSQL ``SKIP LOCKED``).
    """
    report = RefreshReport()
    done = 0
    while batches is None or done < batches:
        done += 1
        with transaction.atomic():
            rows = list(
                StaleBuyBox.objects.select_for_update(skip_locked=True)
                .order_by("pk")
                .values_list("pk", "variant_id", "grade", "market")[:STALE_BATCH_KEYS]
            )
            if not rows:
                return report
            StaleBuyBox.objects.filter(pk__in=[pk for pk, *_ in rows]).delete()
            # Every variant of the batch locked at once, in id order, before either refresh below locks its part:
            # two batches (or a batch and an immediate refresh) then never wait on each other in opposite orders.
            list(
                Variant.objects.select_for_update()
                .filter(pk__in=sorted({variant_id for _pk, variant_id, *_ in rows}))
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            everywhere = {(variant_id, grade) for _pk, variant_id, grade, market in rows if not market}
            priced = {(variant_id, grade) for _pk, variant_id, grade, market in rows if market} - everywhere
            markets = {market for *_, market in rows if market}
            if everywhere:
                report.add(refresh_buy_boxes(variant_ids=(), variant_grades=everywhere))
            if priced:
                report.add(refresh_buy_boxes(variant_ids=(), markets=markets, variant_grades=priced))
        if len(rows) < STALE_BATCH_KEYS:
            return report
    return report


def rank_stale_buy_boxes() -> int:
    """The scheduled job: ``refresh_stale_buy_boxes``; returns how many rows it wrote or deleted."""
    return refresh_stale_buy_boxes().differences


def rebuild_all_buy_boxes() -> RefreshReport:
    """Recompute every variant's buy boxes from the offers. ``differences`` is 0 when nothing had drifted."""
    return refresh_buy_boxes(variant_ids=Variant.objects.values_list("pk", flat=True))
