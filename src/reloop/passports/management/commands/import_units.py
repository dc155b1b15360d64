"""``reloop import_units FILE --seller SLUG``: list the units behind a seller's offers from a unit CSV.

The format is in docs/unit-passports.md (``passports.csv_io``). Every line is checked first; with any error nothing
is written, each error is printed with its line, and the command exits non-zero. Importing the same file again
changes nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reloop.core.errors import DomainError
from reloop.passports.csv_io import import_units
from reloop.sellers.models import Seller

SHOWN_ERRORS = 50


class Command(BaseCommand):
    help = "List the units behind a seller's offers, with their passports, from a CSV file (docs/unit-passports.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The CSV file (UTF-8; comma, semicolon or tab separated)")
        parser.add_argument("--seller", required=True, help="Seller slug, e.g. second-wind-devices")

    def handle(self, *args: Any, **options: Any) -> None:
        seller = Seller.objects.filter(slug=options["seller"]).first()
        if seller is None:
            raise CommandError(f"No seller with slug {options['seller']!r}")
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from None
        try:
            result = import_units(seller=seller, data=data)
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from None
        if result.errors:
            for error in result.errors[:SHOWN_ERRORS]:
                self.stderr.write(f"line {error.line}, {error.column} {error.value!r}: {error.message}")
            if len(result.errors) > SHOWN_ERRORS:
                self.stderr.write(f"… and {len(result.errors) - SHOWN_ERRORS} more")
            raise CommandError(f"{len(result.errors)} error(s) in {result.lines} line(s): nothing was imported")
        r = result.report
        self.stdout.write(
            f"{result.lines} unit(s) on {result.offers} offer(s): {r.created} listed, {r.updated} updated, "
            f"{r.unchanged} unchanged, {r.moved} moved from offers off sale"
        )
