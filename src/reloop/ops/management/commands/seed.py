from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from reloop.core.errors import DomainError
from reloop.ops.seeding import SIZES, analyze_if_postgres, seed


class Command(BaseCommand):
    help = "Load the real device catalogue, impact figures and demo sellers (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=SIZES, default="small", help="Amount of demo data (default: small)")

    def handle(self, *args: Any, size: str, **options: Any) -> None:
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError("The database has unapplied migrations: run `reloop migrate` first")
        try:
            report = seed(size=size)  # type: ignore[arg-type]  # argparse checked the choices
        except DomainError as exc:
            raise CommandError(f"{exc.message} (fix the data file and run `reloop seed` again)") from exc
        c, f = report.catalogue, report.footprints
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded ({size}): {c.categories} categories, {c.brands} brands, {c.product_models} models, "
                f"{c.variants} variants, {c.reference_prices} reference prices; {f.categories} category and "
                f"{f.models} model footprints from {f.sources} sources; {report.sellers} sellers; "
                f"{report.offers} offers with {report.offer_prices} market prices; "
                f"{report.buy_boxes.snapshots_written} buy boxes updated."
            )
        )
        for name in f.unmatched_models:
            self.stderr.write(self.style.WARNING(f"Footprint not loaded: no model named {name!r} in the catalogue"))
        if connection.vendor == "postgresql":
            # The tables were bulk-loaded: give the planner their real sizes now rather than when autovacuum gets
            # to them (never, where it is off). Unanalysed, a category page read every reference price of its
            # market once per model (docs/benchmarks.md, "Planner statistics").
            analyze_if_postgres()
