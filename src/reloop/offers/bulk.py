"""Applying many changes to one seller's offers at once: the CSV import, ``reloop import_offers`` and the API's bulk
update all come through here.

Two steps. ``plan_changes`` reads what exists (a few set-based queries per 2,000 lines) and decides, for every line,
whether it creates an offer, updates one, changes nothing, or is refused and why, using the services' own rules
(``check_offer_terms``, ``check_sku``, ``check_stock``, ``check_prices``). ``apply_plan`` then writes exactly that
plan with set-based statements (``bulk_create``, one ``UPDATE … FROM (VALUES …)`` per 1,000 rows, upserts of prices),
rows in primary-key order, inside the caller's transaction, and publishes one ``OffersChanged`` (and one
``OfferStockChanged``) for all touched variants, so buy boxes are refreshed once, after commit. The database
constraints (stock ≥ 0, one offer per condition, positive prices) stay the last word: an ``IntegrityError`` rolls
the whole change back.
"""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from django.db import IntegrityError, connection, transaction
from django.db.models import Prefetch
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from reloop.catalog.models import Variant
from reloop.core.clock import now
from reloop.core.events import publish
from reloop.core.money import Money
from reloop.offers.csv_io import PRICE_PREFIX, LineError, OfferChange, export_header, export_row
from reloop.offers.errors import InvalidOffer
from reloop.offers.events import OffersChanged, OfferStockChanged
from reloop.offers.models import Offer, OfferPrice
from reloop.offers.services import OfferTerms, check_may_change_offers, check_offer_terms
from reloop.sellers.models import Seller

#: Rows per query when reading; rows per statement when writing.
READ_CHUNK = 2_000
WRITE_CHUNK = 1_000

TERM_FIELDS = (
    "grade",
    "battery_tier",
    "parts_provenance",
    "replaced_parts",
    "warranty_months",
    "dispatch_days",
    "vat_scheme",
)
#: What a line creating an offer must give (``replaced_parts`` may be empty: all original; ``active`` defaults yes).
REQUIRED_FOR_NEW = ("variant_id", *(f for f in TERM_FIELDS if f != "replaced_parts"), "stock")
#: Which column a rule of ``check_offer_terms`` is about, by its error code.
_TERM_ERROR_COLUMN = {
    "invalid_grade": "grade",
    "invalid_battery_tier": "battery_tier",
    "invalid_parts_provenance": "parts_provenance",
    "invalid_replaced_parts": "replaced_parts",
    "invalid_warranty": "warranty_months",
    "invalid_dispatch_days": "dispatch_days",
    "invalid_vat_scheme": "vat_scheme",
}

Progress = Callable[[int, int], None]
T = TypeVar("T")


class Action(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    ERROR = "error"


@dataclass(frozen=True)
class Summary:
    """What a plan will do (or did): the figures the report announces."""

    lines: int
    created: int
    updated: int
    unchanged: int
    errors: int  # lines refused

    def as_dict(self) -> dict[str, int]:
        return {
            "lines": self.lines,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": self.errors,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, int]) -> Summary:
        return cls(**{k: int(data.get(k, 0)) for k in ("lines", "created", "updated", "unchanged", "errors")})


@dataclass(frozen=True, slots=True)
class LineOutcome:
    line: int
    sku: str
    action: Action
    offer_id: int | None = None


@dataclass
class _Existing:
    pk: int
    sku: str
    variant_id: int
    grade: str
    battery_tier: str
    parts_provenance: str
    replaced_parts: tuple[str, ...]
    warranty_months: int
    dispatch_days: int
    vat_scheme: str
    stock: int
    is_active: bool
    prices: dict[str, tuple[int, str]] = field(default_factory=dict)

    def condition(self) -> tuple[int, str, str, str]:
        return (self.variant_id, self.grade, self.battery_tier, self.parts_provenance)


@dataclass
class _Create:
    line: int
    sku: str
    terms: OfferTerms
    stock: int
    active: bool
    prices: dict[str, Money]


@dataclass
class _Update:
    line: int
    sku: str
    offer_id: int
    variant_id: int
    fields: dict[str, Any]
    upserts: dict[str, Money]
    removals: tuple[str, ...]
    moves_buy_box: bool
    markets: frozenset[str] | None = None  # the only markets whose buy boxes can move; None: any
    grades: tuple[str, ...] = ()  # the grades whose buy boxes can move: the offer's, and its new one if it changes


@dataclass
class Plan:
    """Every line's fate, and the writes that carry it out. Built by ``plan_changes``, written by ``apply_plan``."""

    seller_id: int
    lines: int
    outcomes: list[LineOutcome]
    errors: list[LineError]
    creates: list[_Create] = field(default_factory=list)
    updates: list[_Update] = field(default_factory=list)
    stock_only_variant_ids: set[int] = field(default_factory=set)

    @property
    def summary(self) -> Summary:
        counts = dict.fromkeys(Action, 0)
        for outcome in self.outcomes:
            counts[outcome.action] += 1
        return Summary(
            lines=self.lines,
            created=counts[Action.CREATED],
            updated=counts[Action.UPDATED],
            unchanged=counts[Action.UNCHANGED],
            errors=len({e.line for e in self.errors}),
        )

    @property
    def writes(self) -> int:
        return len(self.creates) + len(self.updates)

    def without_errors(self) -> bool:
        return not self.errors


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- Planning ----------------------------------------------------------------------------------------------


_OFFER_COLUMNS = (
    "id",
    "sku",
    "variant_id",
    "grade",
    "battery_tier",
    "parts_provenance",
    "replaced_parts",
    "warranty_months",
    "dispatch_days",
    "vat_scheme",
    "stock",
    "is_active",
)


def _load_existing_staged(seller: Seller, skus: list[str], markets: set[str]) -> dict[str, _Existing]:
    """PostgreSQL: the SKUs staged with ``COPY``, then one join for the offers and one for their prices.

    Thousands of SKUs as bound parameters cost more to send and parse than the rows cost to read."""
    quote = connection.ops.quote_name
    offer_table, price_table = quote(Offer._meta.db_table), quote(OfferPrice._meta.db_table)
    existing: dict[str, _Existing] = {}
    by_pk: dict[int, _Existing] = {}
    columns = ", ".join(f"o.{quote(c)}" for c in _OFFER_COLUMNS)
    with transaction.atomic(), connection.cursor() as cursor:  # the staging table lives until this block commits
        staging = _stage(cursor, [("sku", "varchar(64)")], ((sku,) for sku in skus))
        cursor.execute(
            f"SELECT {columns} FROM {offer_table} o JOIN {staging} s ON s.sku = o.sku WHERE o.seller_id = %s",  # noqa: S608  # names are ours
            [seller.pk],
        )
        for (
            pk,
            sku,
            variant_id,
            grade,
            battery,
            parts,
            replaced,
            warranty,
            dispatch,
            vat,
            stock,
            active,
        ) in cursor.fetchall():
            if isinstance(replaced, str):
                replaced = json.loads(replaced)
            by_pk[pk] = existing[sku] = _Existing(
                pk,
                sku,
                variant_id,
                grade,
                battery,
                parts,
                tuple(replaced or ()),
                warranty,
                dispatch,
                vat,
                stock,
                active,
            )
        if markets and by_pk:
            cursor.execute(
                f"SELECT p.offer_id, p.market, p.amount, p.currency FROM {price_table} p "  # noqa: S608  # names are ours
                f"JOIN {offer_table} o ON o.id = p.offer_id JOIN {staging} s ON s.sku = o.sku "
                f"WHERE o.seller_id = %s AND p.market = ANY(%s)",
                [seller.pk, sorted(markets)],
            )
            for offer_id, market, amount, currency in cursor.fetchall():
                by_pk[offer_id].prices[market] = (amount, currency)
    return existing


def _load_existing(seller: Seller, skus: list[str], markets: set[str]) -> dict[str, _Existing]:
    """The seller's offers with these SKUs, with their prices in ``markets`` (the only ones the changes touch)."""
    if connection.vendor == "postgresql" and skus:
        return _load_existing_staged(seller, skus, markets)
    existing: dict[str, _Existing] = {}
    for chunk in _chunks(skus, READ_CHUNK):
        rows = Offer.objects.filter(seller=seller, sku__in=chunk).values_list(
            "pk",
            "sku",
            "variant_id",
            "grade",
            "battery_tier",
            "parts_provenance",
            "replaced_parts",
            "warranty_months",
            "dispatch_days",
            "vat_scheme",
            "stock",
            "is_active",
        )
        by_pk: dict[int, _Existing] = {}
        for pk, sku, variant_id, grade, battery, parts, replaced, warranty, dispatch, vat, stock, active in rows:
            by_pk[pk] = existing[sku] = _Existing(
                pk,
                sku,
                variant_id,
                grade,
                battery,
                parts,
                tuple(replaced or ()),
                warranty,
                dispatch,
                vat,
                stock,
                active,
            )
        if not markets or not by_pk:
            continue
        prices = OfferPrice.objects.filter(offer_id__in=list(by_pk), market__in=sorted(markets)).values_list(
            "offer_id", "market", "amount", "currency"
        )
        for offer_id, market, amount, currency in prices:
            by_pk[offer_id].prices[market] = (amount, currency)
    return existing


def _case_clashes(seller: Seller, skus: list[str]) -> dict[str, str]:
    """For new SKUs, an existing SKU equal to it but for case (``create_offer`` refuses those too)."""
    clashes: dict[str, str] = {}
    for chunk in _chunks(skus, READ_CHUNK):
        rows = (
            Offer.objects.filter(seller=seller)
            .annotate(lowered=Lower("sku"))
            .filter(lowered__in=[s.lower() for s in chunk])
            .values_list("sku", flat=True)
        )
        clashes.update({sku.lower(): sku for sku in rows})
    return clashes


def _known_variants(variant_ids: set[int]) -> set[int]:
    known: set[int] = set()
    for chunk in _chunks(sorted(variant_ids), READ_CHUNK):
        known.update(Variant.objects.filter(pk__in=chunk).values_list("pk", flat=True))
    return known


def _conditions(seller: Seller, variant_ids: set[int]) -> dict[tuple[int, str, str, str], tuple[int, str]]:
    """The seller's offers on these variants by condition: (offer id, SKU)."""
    taken: dict[tuple[int, str, str, str], tuple[int, str]] = {}
    for chunk in _chunks(sorted(variant_ids), READ_CHUNK):
        rows = Offer.objects.filter(seller=seller, variant_id__in=chunk).values_list(
            "pk", "sku", "variant_id", "grade", "battery_tier", "parts_provenance"
        )
        for pk, sku, variant_id, grade, battery, parts in rows:
            taken[(variant_id, grade, battery, parts)] = (pk, sku)
    return taken


def _terms_error(line: int, exc: InvalidOffer, terms: OfferTerms) -> LineError:
    column = _TERM_ERROR_COLUMN.get(exc.code, "grade")
    value = getattr(terms, column, "")
    if column == "replaced_parts":
        value = "|".join(value)
    return LineError(line, column, str(value), exc.code, exc.message)


def plan_changes(
    *,
    seller: Seller,
    changes: Sequence[OfferChange],
    errors: Sequence[LineError] = (),
    lines: int | None = None,
    allow_create: bool = True,
) -> Plan:
    """Decide what each change does against the seller's offers as they are now; nothing is written.

    ``errors`` are lines already refused when the file was read; ``lines`` how many lines the file had.
    ``allow_create=False`` (the API's bulk update) refuses unknown SKUs instead of creating offers. A suspended
    seller's offers cannot change (``SellerSuspended``), like every other offer write.
    """
    check_may_change_offers(seller)
    all_errors: list[LineError] = list(errors)
    refused: set[int] = {e.line for e in errors}
    outcomes: list[LineOutcome] = [LineOutcome(line, "", Action.ERROR) for line in sorted(refused)]

    def refuse(change: OfferChange, column: str, value: str, code: str, message: str) -> None:
        all_errors.append(LineError(change.line, column, value, code, message))
        if change.line not in refused:
            refused.add(change.line)
            outcomes.append(LineOutcome(change.line, change.sku, Action.ERROR))

    first_line: dict[str, int] = {}
    unique: list[OfferChange] = []
    for change in changes:
        key = change.sku.lower()
        if key in first_line:
            refuse(
                change,
                "sku",
                change.sku,
                "duplicate_sku",
                _("SKU %(sku)s is already on line %(line)s: each offer appears once per file")
                % {"sku": change.sku, "line": first_line[key]},
            )
            continue
        first_line[key] = change.line
        unique.append(change)

    existing = _load_existing(seller, [c.sku for c in unique], {m for c in unique for m in c.prices})
    new = [c for c in unique if c.sku not in existing]
    clashes = _case_clashes(seller, [c.sku for c in new]) if new and allow_create else {}
    known_variants = _known_variants({c.variant_id for c in new if c.variant_id is not None}) if allow_create else set()

    plan = Plan(
        seller_id=seller.pk,
        lines=lines if lines is not None else len(changes) + len(refused),
        outcomes=outcomes,
        errors=all_errors,
    )
    moved: list[tuple[OfferChange, _Existing, OfferTerms]] = []
    creating: list[tuple[OfferChange, _Create]] = []

    for change in unique:
        current = existing.get(change.sku)
        if current is None:
            created = _plan_create(change, refuse, allow_create=allow_create, clashes=clashes, known=known_variants)
            if created is not None:
                creating.append((change, created))
            continue
        update = _plan_update(change, current, refuse)
        if update is None:
            if change.line not in refused:
                plan.outcomes.append(LineOutcome(change.line, change.sku, Action.UNCHANGED, current.pk))
            continue
        update_obj, terms = update
        if terms is not None and (terms.variant_id, terms.grade, terms.battery_tier, terms.parts_provenance) != (
            current.condition()
        ):
            moved.append((change, current, terms))
        plan.updates.append(update_obj)

    # One offer per seller, variant and condition, once every line is applied (updates first, then creations).
    if moved or creating:
        taken = _conditions(seller, {t.variant_id for _c, _e, t in moved} | {c.terms.variant_id for _ch, c in creating})
        dropped: set[int] = set()
        for change, current, terms in moved:
            condition = (terms.variant_id, terms.grade, terms.battery_tier, terms.parts_provenance)
            holder = taken.get(condition)
            if holder is not None and holder[0] != current.pk:
                refuse(change, "grade", terms.grade, "duplicate_offer", _condition_message(holder[1]))
                dropped.add(current.pk)
                continue
            if taken.get(current.condition(), (None,))[0] == current.pk:
                del taken[current.condition()]
            taken[condition] = (current.pk, current.sku)
        for change, created in creating:
            t = created.terms
            condition = (t.variant_id, t.grade, t.battery_tier, t.parts_provenance)
            holder = taken.get(condition)
            if holder is not None:
                refuse(change, "grade", t.grade, "duplicate_offer", _condition_message(holder[1]))
                continue
            taken[condition] = (0, change.sku)
            plan.creates.append(created)
        if dropped:
            plan.updates = [u for u in plan.updates if u.offer_id not in dropped]

    for update_obj in plan.updates:
        plan.outcomes.append(LineOutcome(update_obj.line, update_obj.sku, Action.UPDATED, update_obj.offer_id))
        if not update_obj.moves_buy_box:
            plan.stock_only_variant_ids.add(update_obj.variant_id)
    plan.outcomes.extend(LineOutcome(c.line, c.sku, Action.CREATED) for c in plan.creates)
    plan.outcomes.sort(key=lambda o: o.line)
    plan.errors.sort(key=lambda e: e.line)
    return plan


def _condition_message(other_sku: str) -> str:
    return _("You already list this variant in this condition, as SKU %(sku)s: update that offer instead") % {
        "sku": other_sku
    }


def _plan_create(
    change: OfferChange,
    refuse: Callable[[OfferChange, str, str, str, str], None],
    *,
    allow_create: bool,
    clashes: Mapping[str, str],
    known: set[int],
) -> _Create | None:
    if not allow_create:
        refuse(change, "sku", change.sku, "offer_not_found", _("No offer with SKU %(sku)s") % {"sku": change.sku})
        return None
    problems = False
    for column in REQUIRED_FOR_NEW:
        if getattr(change, column) is None:
            refuse(
                change,
                column,
                "",
                "missing_value",
                _("SKU %(sku)s is new: a new offer needs a value in %(column)s")
                % {"sku": change.sku, "column": column},
            )
            problems = True
    prices = {m: p for m, p in change.prices.items() if p is not None}
    if not prices:
        refuse(
            change,
            PRICE_PREFIX + "*",
            "",
            "missing_market_price",
            _("SKU %(sku)s is new: give its price in at least one market (a price_<market> column)")
            % {"sku": change.sku},
        )
        problems = True
    if change.sku.lower() in clashes:
        refuse(
            change,
            "sku",
            change.sku,
            "duplicate_sku",
            _("You already have an offer with SKU %(sku)s") % {"sku": clashes[change.sku.lower()]},
        )
        problems = True
    if change.variant_id is not None and change.variant_id not in known:
        refuse(
            change,
            "variant_id",
            str(change.variant_id),
            "unknown_variant",
            _("Unknown variant %(id)s: use the variant id shown in the catalogue or in your export")
            % {"id": change.variant_id},
        )
        problems = True
    if problems:
        return None
    # REQUIRED_FOR_NEW guarantees these (for the type checker)
    assert change.variant_id is not None  # noqa: S101
    assert change.grade is not None  # noqa: S101
    assert change.stock is not None  # noqa: S101
    terms = OfferTerms(
        variant_id=change.variant_id,
        grade=change.grade,
        battery_tier=change.battery_tier or "",
        parts_provenance=change.parts_provenance or "",
        replaced_parts=change.replaced_parts or (),
        warranty_months=change.warranty_months or 0,
        dispatch_days=change.dispatch_days if change.dispatch_days is not None else 0,
        vat_scheme=change.vat_scheme or "",
    )
    try:
        check_offer_terms(terms)
    except InvalidOffer as exc:
        error = _terms_error(change.line, exc, terms)
        refuse(change, error.column, error.value, error.code, error.message)
        return None
    return _Create(
        change.line, change.sku, terms, change.stock, change.active if change.active is not None else True, prices
    )


def _plan_update(
    change: OfferChange, current: _Existing, refuse: Callable[[OfferChange, str, str, str, str], None]
) -> tuple[_Update, OfferTerms | None] | None:
    """The update ``change`` makes to ``current``, with the new terms when they change; None when nothing changes
    (or the line was refused)."""
    if change.variant_id is not None and change.variant_id != current.variant_id:
        refuse(
            change,
            "variant_id",
            str(change.variant_id),
            "variant_immutable",
            _("SKU %(sku)s is an offer on variant %(old)s: an offer's variant cannot change; use a new SKU")
            % {"sku": change.sku, "old": current.variant_id},
        )
        return None
    fields: dict[str, Any] = {}
    terms: OfferTerms | None = None
    if any(getattr(change, f) is not None for f in TERM_FIELDS):
        terms = OfferTerms(
            variant_id=current.variant_id,
            **{f: getattr(change, f) if getattr(change, f) is not None else getattr(current, f) for f in TERM_FIELDS},
        )
        try:
            check_offer_terms(terms)
        except InvalidOffer as exc:
            error = _terms_error(change.line, exc, terms)
            refuse(change, error.column, error.value, error.code, error.message)
            return None
        for f in TERM_FIELDS:
            if getattr(terms, f) != getattr(current, f):
                fields[f] = list(terms.replaced_parts) if f == "replaced_parts" else getattr(terms, f)
        if not fields:
            terms = None
    if change.stock is not None and change.stock != current.stock:
        fields["stock"] = change.stock
    if change.active is not None and change.active != current.is_active:
        fields["is_active"] = change.active
    upserts: dict[str, Money] = {}
    removals: list[str] = []
    for market, money in change.prices.items():
        had = current.prices.get(market)
        if money is None:
            if had is not None:
                removals.append(market)
        elif had != (money.amount, money.currency):
            upserts[market] = money
    if not fields and not upserts and not removals:
        return None
    crosses_zero = "stock" in fields and (current.stock == 0) != (fields["stock"] == 0)
    every_market = crosses_zero or bool(set(fields) - {"stock"})  # eligibility or ranking in every market
    moves = bool(upserts or removals or every_market)
    markets = None if every_market else frozenset(upserts) | frozenset(removals)
    grades = (
        (current.grade,) if fields.get("grade", current.grade) == current.grade else (current.grade, fields["grade"])
    )
    update = _Update(
        change.line,
        change.sku,
        current.pk,
        current.variant_id,
        fields,
        upserts,
        tuple(removals),
        moves,
        markets,
        grades,
    )
    return update, terms


# --- Applying ----------------------------------------------------------------------------------------------


def _update_rows(model: type[Offer], columns: tuple[str, ...], rows: Sequence[tuple[Any, ...]], moment: Any) -> None:
    """``UPDATE offers_offer SET col = v.col … FROM (VALUES …) v WHERE id = v.id`` for one chunk of rows.

    A common table expression names the VALUES columns on SQLite (≥ 3.33) and PostgreSQL alike; on PostgreSQL each
    value is cast to its column's type, whatever the driver's parameter binding.
    """
    meta = model._meta
    table = connection.ops.quote_name(meta.db_table)
    quote = connection.ops.quote_name
    concrete = {f.name: f for f in meta.concrete_fields}
    on_postgres = connection.vendor == "postgresql"
    db_columns = [str(concrete[c].column) for c in columns]
    casts = [concrete[c].cast_db_type(connection) if on_postgres else None for c in columns]
    pk_column = str(concrete["id"].column)
    pk_cast = concrete["id"].cast_db_type(connection) if on_postgres else None
    names = ", ".join(["pk_", *(f"v{i}" for i in range(len(columns)))])

    def value(cast: str | None) -> str:
        return f"CAST(%s AS {cast})" if cast else "%s"

    placeholders = "(" + ", ".join([value(pk_cast), *(value(c) for c in casts)]) + ")"
    assignments = ", ".join(f"{quote(col)} = v.v{i}" for i, col in enumerate(db_columns))
    sql = (
        f"WITH v({names}) AS (VALUES {', '.join([placeholders] * len(rows))}) "  # noqa: S608  # names are ours; values are parameters
        f"UPDATE {table} SET {assignments}, {quote('updated_at')} = %s FROM v WHERE {table}.{quote(pk_column)} = v.pk_"
    )
    params: list[Any] = [p for row in rows for p in row]
    params.append(connection.ops.adapt_datetimefield_value(moment))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


_staging = itertools.count(1)


def _stage(cursor: Any, columns: Sequence[tuple[str, str]], rows: Iterable[Sequence[Any]]) -> str:
    """PostgreSQL: ``COPY`` ``rows`` into a new temporary table (dropped at commit) and return its name.

    One COPY instead of thousands of bound parameters: the per-value cost then lies in psycopg's C copy path.
    """
    table = f"reloop_bulk_{next(_staging)}"
    definition = ", ".join(f"{name} {sql_type}" for name, sql_type in columns)
    cursor.execute(f"CREATE TEMPORARY TABLE {table} ({definition}) ON COMMIT DROP")
    names = ", ".join(name for name, _ in columns)
    with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    return table


def _update_rows_copy(
    model: type[Offer], columns: tuple[str, ...], rows: Sequence[tuple[Any, ...]], moment: Any
) -> None:
    """PostgreSQL: every row of one group staged with COPY, then one ``UPDATE … FROM`` the staging table."""
    quote = connection.ops.quote_name
    meta = model._meta
    concrete = {f.name: f for f in meta.concrete_fields}
    staged = [("pk_", str(concrete["id"].cast_db_type(connection)))]
    staged += [(f"v{i}", str(concrete[c].cast_db_type(connection))) for i, c in enumerate(columns)]
    assignments = ", ".join(f"{quote(str(concrete[c].column))} = s.v{i}" for i, c in enumerate(columns))
    table = quote(meta.db_table)
    with connection.cursor() as cursor:
        staging = _stage(cursor, staged, rows)
        cursor.execute(
            f"UPDATE {table} SET {assignments}, {quote('updated_at')} = %s FROM {staging} s "  # noqa: S608  # names are ours
            f"WHERE {table}.{quote(str(concrete['id'].column))} = s.pk_",
            [moment],
        )


def _upsert_prices_copy(rows: Sequence[tuple[int, str, int, str, Any]], moment: Any) -> None:
    """PostgreSQL: the prices staged with COPY, then one ``INSERT … SELECT … ON CONFLICT DO UPDATE``."""
    quote = connection.ops.quote_name
    updates = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in ("amount", "currency", "updated_at"))
    with connection.cursor() as cursor:
        staging = _stage(
            cursor,
            [("offer_id", "bigint"), ("market", "varchar(5)"), ("amount", "bigint"), ("currency", "varchar(3)")],
            (row[:4] for row in rows),
        )
        cursor.execute(
            f"INSERT INTO {quote(OfferPrice._meta.db_table)} (offer_id, market, amount, currency, updated_at) "  # noqa: S608  # names are ours
            f"SELECT offer_id, market, amount, currency, %s FROM {staging} ORDER BY offer_id, market "
            f"ON CONFLICT (offer_id, market) DO UPDATE SET {updates}",
            [moment],
        )


def _upsert_prices(rows: Sequence[tuple[int, str, int, str, Any]]) -> None:
    """``INSERT … ON CONFLICT (offer_id, market) DO UPDATE`` for one chunk of prices (SQLite ≥ 3.24, PostgreSQL):
    the same statement ``bulk_create(update_conflicts=True)`` makes, without building a model object per row."""
    quote = connection.ops.quote_name
    meta = OfferPrice._meta
    columns = ", ".join(quote(c) for c in ("offer_id", "market", "amount", "currency", "updated_at"))
    updates = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in ("amount", "currency", "updated_at"))
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(rows))
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {values} "  # noqa: S608  # names are ours; values are parameters
        f"ON CONFLICT ({quote('offer_id')}, {quote('market')}) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])


def apply_plan(plan: Plan, *, progress: Progress | None = None, defer_buy_boxes: bool = False) -> Summary:
    """Write ``plan`` (its lines without errors) inside the caller's transaction; publish the buy-box refresh
    (``defer_buy_boxes``: a deferred one, ranked in batches with other changes, ``OffersChanged.deferred``).

    Raises ``InvalidOffer`` (code ``conflict``) when a database constraint refuses a row: the caller's transaction
    then rolls back every row of the plan, none is left half-applied.
    """
    total = plan.writes
    done = 0
    moment = now()

    def step(n: int) -> None:
        nonlocal done
        done += n
        if progress is not None:
            progress(done, total)

    try:
        with transaction.atomic():
            _write_updates(plan, moment, step)
            _write_creates(plan, step)
    except IntegrityError as exc:
        raise InvalidOffer(
            _("The database refused the change (%(error)s): nothing was applied") % {"error": exc}, code="conflict"
        ) from exc
    # At most two events, each naming the (variant, grade) pairs whose buy boxes can move: those that can move in
    # any market (a stock crossing zero, a term, activation), and those where only prices of some markets changed
    # (the union of those markets: refreshing a market that did not move is harmless). A variant's other grades are
    # not re-ranked; its summaries are re-aggregated from the stored buy boxes.
    everywhere = {(u.variant_id, g) for u in plan.updates if u.moves_buy_box and u.markets is None for g in u.grades}
    priced = {(u.variant_id, g) for u in plan.updates if u.moves_buy_box and u.markets is not None for g in u.grades}
    priced |= {(c.terms.variant_id, c.terms.grade) for c in plan.creates}
    priced -= everywhere
    markets = {m for u in plan.updates if u.markets for m in u.markets} | {m for c in plan.creates for m in c.prices}
    if everywhere:
        publish(
            OffersChanged(
                frozenset(v for v, _g in everywhere), variant_grades=frozenset(everywhere), deferred=defer_buy_boxes
            )
        )
    if priced:
        publish(
            OffersChanged(
                frozenset(v for v, _g in priced),
                markets=frozenset(markets),
                variant_grades=frozenset(priced),
                deferred=defer_buy_boxes,
            )
        )
    moved_variants = {v for v, _g in everywhere | priced}
    stock_only = plan.stock_only_variant_ids - moved_variants
    if stock_only:
        publish(OfferStockChanged(frozenset(stock_only)))
    return plan.summary


def _write_updates(plan: Plan, moment: Any, step: Callable[[int], None]) -> None:
    updates = sorted(plan.updates, key=lambda u: u.offer_id)  # rows in primary-key order (no lock-order deadlocks)
    groups: dict[tuple[str, ...], list[_Update]] = defaultdict(list)
    parts: list[Offer] = []
    for update in updates:
        simple = tuple(sorted(f for f in update.fields if f != "replaced_parts"))
        if simple:
            groups[simple].append(update)
        if "replaced_parts" in update.fields:
            parts.append(Offer(pk=update.offer_id, replaced_parts=update.fields["replaced_parts"], updated_at=moment))
    on_postgres = connection.vendor == "postgresql"
    for columns, members in groups.items():
        if on_postgres:  # one COPY and one UPDATE per group, however large
            _update_rows_copy(Offer, columns, [(u.offer_id, *(u.fields[c] for c in columns)) for u in members], moment)
            step(len(members))
            continue
        for chunk in _chunks(members, WRITE_CHUNK):
            _update_rows(Offer, columns, [(u.offer_id, *(u.fields[c] for c in columns)) for u in chunk], moment)
            step(len(chunk))
    if parts:
        Offer.objects.bulk_update(parts, ["replaced_parts", "updated_at"], batch_size=WRITE_CHUNK)
    price_only = [u for u in updates if not u.fields]
    step(len(price_only))
    stamp = connection.ops.adapt_datetimefield_value(moment)
    upserts = [(u.offer_id, m, p.amount, p.currency, stamp) for u in updates for m, p in sorted(u.upserts.items())]
    if on_postgres and upserts:
        _upsert_prices_copy(upserts, moment)
    else:
        for batch in _chunks(upserts, WRITE_CHUNK):
            _upsert_prices(batch)
    removals: dict[str, list[int]] = defaultdict(list)
    for u in updates:
        for market in u.removals:
            removals[market].append(u.offer_id)
    for market, offer_ids in removals.items():
        for ids in _chunks(offer_ids, READ_CHUNK):
            OfferPrice.objects.filter(market=market, offer_id__in=ids).delete()


def _write_creates(plan: Plan, step: Callable[[int], None]) -> None:
    for chunk in _chunks(plan.creates, WRITE_CHUNK):
        offers = Offer.objects.bulk_create(
            [
                Offer(
                    seller_id=plan.seller_id,
                    sku=c.sku,
                    variant_id=c.terms.variant_id,
                    grade=c.terms.grade,
                    battery_tier=c.terms.battery_tier,
                    parts_provenance=c.terms.parts_provenance,
                    replaced_parts=list(c.terms.replaced_parts),
                    warranty_months=c.terms.warranty_months,
                    dispatch_days=c.terms.dispatch_days,
                    vat_scheme=c.terms.vat_scheme,
                    stock=c.stock,
                    is_active=c.active,
                )
                for c in chunk
            ]
        )
        OfferPrice.objects.bulk_create(
            [
                OfferPrice(offer_id=offer.pk, market=m, amount=p.amount, currency=p.currency)
                for offer, c in zip(offers, chunk, strict=True)
                for m, p in sorted(c.prices.items())
            ]
        )
        step(len(chunk))


def apply_changes(
    *,
    seller: Seller,
    changes: Sequence[OfferChange],
    errors: Sequence[LineError] = (),
    lines: int | None = None,
    all_or_nothing: bool = False,
    allow_create: bool = True,
    progress: Progress | None = None,
    defer_buy_boxes: bool = False,
) -> Plan:
    """Plan and apply ``changes`` in one transaction; return the plan (every line's outcome and errors).

    ``errors`` are lines refused before (unreadable values). With ``all_or_nothing`` a single refused line means
    nothing is written; otherwise the valid lines are applied and the refused ones reported. Buy boxes of every
    touched variant are refreshed once, after commit (``defer_buy_boxes``: within seconds, in a batch with other
    changes; the Seller API's bulk update, ADR 0044).
    """
    with transaction.atomic(durable=True):
        plan = plan_changes(seller=seller, changes=changes, errors=errors, lines=lines, allow_create=allow_create)
        if plan.errors and all_or_nothing:
            return plan
        apply_plan(plan, progress=progress, defer_buy_boxes=defer_buy_boxes)
    return plan


# --- Export --------------------------------------------------------------------------------------------------


def export_offers(*, seller: Seller, markets: Sequence[str]) -> Iterator[list[str]]:
    """The seller's offers in the import format, header first, oldest offer first, read 2,000 at a time (two
    queries per chunk however large the catalogue), so a streaming answer never holds the whole catalogue."""
    yield export_header(markets)
    offers = (
        Offer.objects.filter(seller=seller)
        .order_by("pk")
        .prefetch_related(
            Prefetch("prices", queryset=OfferPrice.objects.only("offer_id", "market", "amount", "currency"))
        )
    )
    for offer in offers.iterator(chunk_size=READ_CHUNK):
        yield export_row(
            sku=offer.sku,
            variant_id=offer.variant_id,
            grade=offer.grade,
            battery_tier=offer.battery_tier,
            parts_provenance=offer.parts_provenance,
            replaced_parts=offer.replaced_parts,
            warranty_months=offer.warranty_months,
            dispatch_days=offer.dispatch_days,
            vat_scheme=offer.vat_scheme,
            stock=offer.stock,
            active=offer.is_active,
            prices={p.market: (p.amount, p.currency) for p in offer.prices.all()},
            markets=markets,
        )
