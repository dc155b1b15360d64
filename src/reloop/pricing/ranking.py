"""The buy-box refresh ranked in SQL (PostgreSQL): the same rules as ``pricing.domain``, set-based.

A seller's feed of 25,000 offers touches most of the catalogue: ranking every competing price in Python costs
seconds (ADR 0031). Here the database ranks them: the touched variants are staged with ``COPY``, one statement
numbers the eligible prices of each touched (variant, grade, market) by effective price and the documented
tie-breaks (``ROW_NUMBER() OVER (PARTITION BY … ORDER BY …)``, the window form of ``DISTINCT ON`` that also yields
the runner-up and the count), and the snapshots and summaries are upserted and pruned from that result without a
row coming back to Python except the keys written. ``pricing.domain.buy_box`` stays the reference: a hypothesis
test checks that both rank random offers alike (``pricing/tests/test_ranking.py``).

The rules, as SQL:

- eligible: ``offer.is_active``, ``offer.stock > 0``, seller ``standing = 'active'`` and not capped today
  (``pricing.eligibility``);
- effective price = ``amount × (1 + GREATEST(0, 90 − quality_score) × 0.005)`` in ``numeric`` (exact, as the
  ``Decimal`` of ``Candidate.effective_price``);
- ties: dispatch days ascending, warranty months descending, offers listing an available unit passport first
  (``NOT EXISTS`` sorts false first; ADR 0041), ``created_at`` ascending, offer id ascending.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Collection, Sequence
from typing import Any

from django.db import connection

from reloop.core import clock
from reloop.offers.models import Offer, OfferPrice
from reloop.passports.models import OfferUnit, UnitStatus
from reloop.pricing.domain import PENALTY_FREE_SCORE, PENALTY_PER_POINT
from reloop.pricing.models import GRADE_PRICE_FIELDS, BuyBoxSnapshot, VariantOfferSummary
from reloop.sellers.models import Seller, Standing

SnapshotKey = tuple[int, str, str]
SummaryKey = tuple[int, str]
State = tuple[object, ...]

_names = itertools.count(1)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


#: From this many variants, the staged and ranked temporary tables are analysed before they are joined: autovacuum
#: never sees a temporary table, and the planner's default guess made the DELETE of stale snapshots of a whole
#: rebuild a nested loop of many minutes on PostgreSQL (a fraction of a second once analysed).
ANALYZE_FROM = 200


def stage_variants(cursor: Any, variant_ids: Sequence[int]) -> str:
    """``COPY`` the variant ids into a temporary table (dropped at commit); returns its name."""
    table = f"reloop_touched_{next(_names)}"
    cursor.execute(f"CREATE TEMPORARY TABLE {table} (variant_id bigint PRIMARY KEY) ON COMMIT DROP")
    staged = sorted(set(variant_ids))
    with cursor.cursor.copy(f"COPY {table} (variant_id) FROM STDIN") as copy:
        for variant_id in staged:
            copy.write_row((variant_id,))
    if len(staged) >= ANALYZE_FROM:
        cursor.execute(f"ANALYZE {table}")
    return table


def stage_variant_grades(cursor: Any, variant_grades: Sequence[tuple[int, str]]) -> str:
    """``COPY`` (variant, grade) pairs into a temporary table (dropped at commit); returns its name."""
    table = f"reloop_touched_{next(_names)}"
    cursor.execute(
        f"CREATE TEMPORARY TABLE {table} (variant_id bigint, grade varchar(10), PRIMARY KEY (variant_id, grade)) "
        "ON COMMIT DROP"
    )
    staged = sorted(set(variant_grades))
    with cursor.cursor.copy(f"COPY {table} (variant_id, grade) FROM STDIN") as copy:
        for pair in staged:
            copy.write_row(pair)
    if len(staged) >= ANALYZE_FROM:
        cursor.execute(f"ANALYZE {table}")
    return table


def ranked_sql(
    touched: str, markets: Collection[str] | None, today: dt.date, *, by_grade: bool = False
) -> tuple[str, list[Any]]:
    """One row per touched (variant, grade, market) with eligible offers: winner, price, currency, count, runner-up
    and its price. ``touched`` names the staged variant table (with ``by_grade``: the staged (variant, grade)
    pairs); sellers capped on ``today`` take no part."""
    offer, price, seller = _q(Offer._meta.db_table), _q(OfferPrice._meta.db_table), _q(Seller._meta.db_table)
    unit = _q(OfferUnit._meta.db_table)
    params: list[Any] = [PENALTY_FREE_SCORE, PENALTY_PER_POINT, Standing.ACTIVE, today]
    in_markets = ""
    if markets is not None:
        in_markets = "AND p.market = ANY(%s)"
        params.append(sorted(markets))
    sql = f"""
        SELECT variant_id, grade, market,
               MAX(offer_id) FILTER (WHERE rank = 1) AS winner_id,
               MAX(amount) FILTER (WHERE rank = 1) AS price,
               MAX(currency) FILTER (WHERE rank = 1) AS currency,
               MAX(offers) AS offer_count,
               MAX(offer_id) FILTER (WHERE rank = 2) AS runner_up_id,
               MAX(amount) FILTER (WHERE rank = 2) AS runner_up_price
        FROM (
            SELECT o.variant_id, o.grade, p.market, o.id AS offer_id, p.amount, p.currency,
                   ROW_NUMBER() OVER w AS rank, COUNT(*) OVER (PARTITION BY o.variant_id, o.grade, p.market) AS offers
            FROM {touched} t
            JOIN {offer} o ON o.variant_id = t.variant_id {"AND o.grade = t.grade" if by_grade else ""}
            JOIN {price} p ON p.offer_id = o.id
            JOIN {seller} s ON s.id = o.seller_id
            CROSS JOIN LATERAL (
                SELECT p.amount * (1 + GREATEST(0, %s - s.quality_score) * %s::numeric) AS effective
            ) e
            WHERE o.is_active AND o.stock > 0 AND s.standing = %s
              AND (s.capped_on IS NULL OR s.capped_on < %s) {in_markets}
            WINDOW w AS (
                PARTITION BY o.variant_id, o.grade, p.market
                ORDER BY e.effective, o.dispatch_days, o.warranty_months DESC,
                         NOT EXISTS (
                             SELECT 1 FROM {unit} u WHERE u.offer_id = o.id AND u.status = '{UnitStatus.AVAILABLE}'
                         ),
                         o.created_at, o.id
            )
        ) ranked
        WHERE rank <= 2
        GROUP BY variant_id, grade, market
    """  # noqa: S608  # table names are ours; every value is a parameter
    return sql, params


SNAPSHOT_COLUMNS = ("winner_id", "price", "currency", "offer_count", "runner_up_id", "runner_up_price")
SUMMARY_COLUMNS = ("currency", "lowest_price", "offer_count", *GRADE_PRICE_FIELDS.values())


def _summary_sql(touched: str, in_markets: str) -> str:
    """Each touched variant's summaries (in the touched markets), aggregated from its stored buy boxes as
    ``pricing.services.summaries_from_snapshots`` does."""
    snapshot = _q(BuyBoxSnapshot._meta.db_table)
    grade_prices = ", ".join(
        f"MAX(x.price) FILTER (WHERE x.grade = '{grade}') AS {column}" for grade, column in GRADE_PRICE_FIELDS.items()
    )
    return (
        f"SELECT x.variant_id, x.market, MIN(x.currency) AS currency, MIN(x.price) AS lowest_price, "  # noqa: S608  # ours
        f"SUM(x.offer_count) AS offer_count, {grade_prices} FROM {snapshot} x "
        f"JOIN {touched} t ON t.variant_id = x.variant_id WHERE TRUE {in_markets} GROUP BY x.variant_id, x.market"
    )


def compute_states_sql(
    variant_ids: Sequence[int],
    markets: Collection[str] | None = None,
    *,
    today: dt.date | None = None,
    variant_grades: Sequence[tuple[int, str]] | None = None,
) -> tuple[dict[SnapshotKey, State], dict[SummaryKey, State]]:
    """The snapshot and summary states the SQL ranking calls for, in ``pricing.services.compute_states``'s shape
    (the tests compare the two); the summaries as if the snapshots were stored. ``variant_grades``: rank only those
    (variant, grade) pairs. Must run inside a transaction (the staging table lives until commit)."""
    with connection.cursor() as cursor:
        if variant_grades is None:
            touched = stage_variants(cursor, variant_ids)
        else:
            touched = stage_variant_grades(cursor, variant_grades)
        sql, params = ranked_sql(touched, markets, today or clock.today(), by_grade=variant_grades is not None)
        cursor.execute(sql, params)
        snapshots: dict[SnapshotKey, State] = {
            (row[0], row[1], row[2]): (row[3], row[4], row[5], int(row[6]), row[7], row[8]) for row in cursor.fetchall()
        }
    summaries: dict[SummaryKey, State] = {}
    for (variant_id, grade, market), (_w, price, currency, count, _r, _rp) in sorted(snapshots.items()):
        key = (variant_id, market)
        if key not in summaries:
            summaries[key] = (currency, price, 0, *([None] * len(GRADE_PRICE_FIELDS)))
        state = list(summaries[key])
        state[1] = min(int(state[1]), int(price))  # type: ignore[call-overload]
        state[2] = int(state[2]) + count  # type: ignore[call-overload]
        state[3 + list(GRADE_PRICE_FIELDS).index(grade)] = price
        summaries[key] = tuple(state)
    return snapshots, summaries


def refresh_in_sql(
    variant_ids: Sequence[int],
    markets: Collection[str] | None,
    variant_grades: Sequence[tuple[int, str]] | None = None,
) -> tuple[int, int, int, int, set[int]]:
    """Rank and write the snapshots of ``variant_ids`` (in ``markets`` and of the ``variant_grades`` pairs only, if
    given) in SQL, then their variants' summaries from the stored snapshots.

    Inside the caller's transaction. Returns (snapshots written, deleted, summaries written, deleted, variants whose
    summaries moved). Rows whose values did not change are not written (``IS DISTINCT FROM``), so a refresh where
    little moved writes little.
    """
    snapshot, summary = _q(BuyBoxSnapshot._meta.db_table), _q(VariantOfferSummary._meta.db_table)
    in_markets, market_params = ("", []) if markets is None else ("AND x.market = ANY(%s)", [sorted(markets)])
    with connection.cursor() as cursor:
        # No just-in-time compilation: the ranking's estimated cost passes jit_above_cost, and compiling it took
        # longer than running it (3.6 s with JIT, 1.3 s without, for the 3,728 pairs of a 25,000-offer feed).
        cursor.execute("SET LOCAL jit = off")
        touched = stage_variants(cursor, variant_ids)
        keys = touched if variant_grades is None else stage_variant_grades(cursor, variant_grades)
        same_key = "" if variant_grades is None else "AND x.grade = t.grade"
        wanted = f"reloop_wanted_{next(_names)}"
        sql, params = ranked_sql(keys, markets, clock.today(), by_grade=variant_grades is not None)
        cursor.execute(f"CREATE TEMPORARY TABLE {wanted} ON COMMIT DROP AS {sql}", params)
        # Always indexed: the stale-snapshot DELETE below anti-joins it, and where the planner misjudges the rows
        # on either side (no statistics under ANALYZE_FROM; pg_class sizes that outlive a rolled-back ANALYZE, as in
        # the test suite) it picks a nested loop, which then probes this index instead of scanning the table once
        # per snapshot row (minutes for a whole rebuild).
        cursor.execute(f"CREATE INDEX ON {wanted} (variant_id, grade, market)")
        if len(variant_ids) >= ANALYZE_FROM:
            cursor.execute(f"ANALYZE {wanted}")

        columns = ", ".join(SNAPSHOT_COLUMNS)
        changed = " OR ".join(f"x.{c} IS DISTINCT FROM excluded.{c}" for c in SNAPSHOT_COLUMNS)
        cursor.execute(
            f"INSERT INTO {snapshot} AS x (variant_id, grade, market, {columns}, refreshed_at) "  # noqa: S608  # ours
            f"SELECT variant_id, grade, market, {columns}, now() FROM {wanted} ORDER BY variant_id, grade, market "
            f"ON CONFLICT (variant_id, grade, market) DO UPDATE SET "
            + ", ".join(f"{c} = excluded.{c}" for c in (*SNAPSHOT_COLUMNS, "refreshed_at"))
            + f" WHERE {changed}"
        )
        snapshots_written = cursor.rowcount
        cursor.execute(
            f"DELETE FROM {snapshot} x USING {keys} t WHERE x.variant_id = t.variant_id {same_key} {in_markets} "  # noqa: S608
            f"AND NOT EXISTS (SELECT 1 FROM {wanted} w "
            f"WHERE w.variant_id = x.variant_id AND w.grade = x.grade AND w.market = x.market)",
            market_params,
        )
        snapshots_deleted = cursor.rowcount

        columns = ", ".join(SUMMARY_COLUMNS)
        changed = " OR ".join(f"x.{c} IS DISTINCT FROM excluded.{c}" for c in SUMMARY_COLUMNS)
        cursor.execute(
            f"INSERT INTO {summary} AS x (variant_id, market, {columns}) "  # noqa: S608  # ours
            f"SELECT variant_id, market, {columns} FROM ({_summary_sql(touched, in_markets)}) s "
            f"ORDER BY variant_id, market ON CONFLICT (variant_id, market) DO UPDATE SET "
            + ", ".join(f"{c} = excluded.{c}" for c in SUMMARY_COLUMNS)
            + f" WHERE {changed} RETURNING x.variant_id",
            market_params,
        )
        written = [row[0] for row in cursor.fetchall()]
        moved = set(written)
        cursor.execute(
            f"DELETE FROM {summary} x USING {touched} t WHERE x.variant_id = t.variant_id {in_markets} "  # noqa: S608
            f"AND NOT EXISTS (SELECT 1 FROM {snapshot} w WHERE w.variant_id = x.variant_id AND w.market = x.market) "
            f"RETURNING x.variant_id",
            market_params,
        )
        gone = [row[0] for row in cursor.fetchall()]
        moved.update(gone)
    return snapshots_written, snapshots_deleted, len(written), len(gone), moved
