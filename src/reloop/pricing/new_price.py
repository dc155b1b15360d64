"""An honest "vs new" (issue 16, item 5; ADR 0006's known limitation "launch prices age").

A reference price is a manufacturer's launch price with its date. Within a year of that date it is taken as the
price of the device new today, and the page may say "x% below the new price". Older, the page states plainly
that it is the launch price of year N, makes no percentage claim, and names the successor (the newest model of
the same brand and category in the catalogue) with its own launch price and year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection

from reloop.catalog.models import Brand, ProductModel, ReferencePrice, Variant
from reloop.pricing.domain import Savings, savings

#: A launch price this recent still stands for the price new today.
CURRENT_FOR_DAYS = 365


@dataclass(frozen=True, slots=True)
class NewComparison:
    current: bool  # the reference is recent enough to be today's price new
    year: int  # the year of the reference price
    savings: Savings | None  # only when ``current`` and cheaper


def compare_with_new(*, price: int, reference: int, observed_on: dt.date, today: dt.date) -> NewComparison:
    current = (today - observed_on).days <= CURRENT_FOR_DAYS
    return NewComparison(
        current=current,
        year=observed_on.year,
        savings=savings(price=price, reference=reference) if current else None,
    )


def successor(product_model: ProductModel, *, market: str) -> ProductModel | None:
    """The newest model of the same brand and category released after ``product_model``, with its brand and its
    lowest launch price in ``market`` as ``new_price_from`` (one query); ``None`` when there is none.

    A cold product page asks for it on every view of a model whose reference price is old. Built with the ORM, the
    query (a correlated ``MIN`` subquery, the brand joined) cost about 2 ms of Python, ten times what it costs
    PostgreSQL, so it is one parameterized statement (table names from the models' metadata), like
    ``catalog.selectors.variant_ref``; the result is an unsaved model with only what the page shows."""
    name = connection.ops.quote_name
    models, brands = name(ProductModel._meta.db_table), name(Brand._meta.db_table)
    variants, references = name(Variant._meta.db_table), name(ReferencePrice._meta.db_table)
    sql = (
        f"SELECT m.id, m.name, m.slug, m.release_date, b.id, b.name, b.slug, "  # noqa: S608  # names from metadata
        f"(SELECT MIN(r.amount) FROM {references} r JOIN {variants} v ON v.id = r.variant_id "
        f"WHERE v.product_model_id = m.id AND r.market = %s) "
        f"FROM {models} m JOIN {brands} b ON b.id = m.brand_id "
        f"WHERE m.brand_id = %s AND m.category_id = %s AND m.release_date > %s "
        f"ORDER BY m.release_date DESC, m.id LIMIT 1"
    )
    params = (market, product_model.brand_id, product_model.category_id, product_model.release_date)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    pk, model_name, slug, released, brand_id, brand_name, brand_slug, lowest = row
    found = ProductModel(
        pk=pk,
        name=model_name,
        slug=slug,
        release_date=released,
        brand=Brand(pk=brand_id, name=brand_name, slug=brand_slug),
        category_id=product_model.category_id,
    )
    found.new_price_from = lowest  # type: ignore[attr-defined]  # as the ORM's annotation would be
    return found
