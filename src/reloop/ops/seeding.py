"""``reloop seed``: the catalogue, the impact figures and the demo refurbishers, in one idempotent pass."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper

from reloop.catalog.dataset import parse_dataset
from reloop.catalog.services import CatalogueLoadReport, load_catalogue
from reloop.core.clock import today
from reloop.impact.services import FootprintLoadReport, load_footprints
from reloop.ops.demo_offers import load_demo_offers
from reloop.ops.demo_passports import load_demo_passports
from reloop.pricing.services import RefreshReport, rebuild_all_buy_boxes, refresh_buy_boxes
from reloop.sellers.services import load_demo_sellers

Size = Literal["small", "medium", "large"]
SIZES: tuple[Size, ...] = ("small", "medium", "large")


@dataclass(frozen=True)
class SeedReport:
    size: Size
    catalogue: CatalogueLoadReport
    footprints: FootprintLoadReport
    sellers: int
    offers: int
    offer_prices: int
    buy_boxes: RefreshReport


def seed(*, size: Size) -> SeedReport:
    """Load everything a demo needs. Every step upserts on natural keys: running it twice duplicates nothing.

    The sizes differ by the number of offers (about 3,000, 20,000 or 500,000); the catalogue is the same.
    Offers are bulk-loaded (an operator's load, not a seller's edits), so buy boxes are rebuilt at the end.
    """
    dataset = parse_dataset()
    catalogue = load_catalogue(dataset=dataset)
    footprints = load_footprints()
    sellers = load_demo_sellers()
    offers, prices = load_demo_offers(size=size, today=today())
    analyze_if_postgres()
    buy_boxes = rebuild_all_buy_boxes()
    analyze_if_postgres()  # the buy boxes just written, before the passports' offers are picked among them
    # Most buy-box offers of the featured models list their units with passports; those buy boxes are ranked again
    # (a passport wins among otherwise equal offers).
    _units, touched = load_demo_passports()
    if touched:
        buy_boxes.add(refresh_buy_boxes(variant_ids=sorted(touched)))
    return SeedReport(size, catalogue, footprints, sellers, offers, prices, buy_boxes)


def analyze_if_postgres(conn: BaseDatabaseWrapper = connection) -> bool:
    """PostgreSQL: give the planner the bulk-loaded tables' real sizes before the steps that read them; True when
    it ran (the seed, the seed command and the bench share it).

    Left with the statistics of empty tables, the planner chose nested loops that read every offer once per
    category level: picking the demo's passport offers took twelve minutes instead of a fraction of a second.
    """
    if conn.vendor != "postgresql":
        return False
    # The site's own tables only: a bare ANALYZE also takes the cluster-wide catalogues (pg_authid…), whose lock a
    # transaction holds until it ends, so two test workers seeding at once waited on each other. And only those
    # holding a row: analysing an empty table that still has pages (dead rows of a rolled-back transaction, as in
    # the test suite) records "0 rows in N pages", and the planner then takes it for empty however many rows follow;
    # the buy-box rebuild's DELETEs became nested loops of many minutes. An unanalysed table is sized from its pages.
    quote = conn.ops.quote_name
    with conn.cursor() as cursor:
        tables = [quote(t) for t in conn.introspection.django_table_names(True)]
        probes = (f"SELECT {i} FROM (SELECT 1 FROM {t} LIMIT 1) r{i}" for i, t in enumerate(tables))  # noqa: S608
        cursor.execute(" UNION ALL ".join(probes))  # the table names come from Django's introspection
        holding = [tables[row[0]] for row in cursor.fetchall()]
        if holding:
            cursor.execute(f"ANALYZE {', '.join(holding)}")
    return True
