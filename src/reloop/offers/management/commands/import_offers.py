"""``reloop import_offers FILE --seller SLUG [--apply] [--skip-invalid]``: the web import, from a terminal.

Without ``--apply`` it only validates and prints the report (a dry run). Exits non-zero, with a line saying what to
fix, for an unknown seller, a file refused whole, or lines with errors (unless ``--skip-invalid``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper

from reloop.offers.bulk import Summary
from reloop.offers.csv_io import FileRefused, errors_csv
from reloop.offers.imports import apply_offer_import, queue_offer_import, stored_errors, validate_offer_import
from reloop.offers.models import ImportStatus
from reloop.sellers.models import Seller

SHOWN_ERRORS = 50
BAR_WIDTH = 30


class ProgressBar:
    """``[#########.....]  60%  9,000/15,000 rows`` redrawn in place; silent when the output is not a terminal."""

    def __init__(self, stream: OutputWrapper) -> None:
        self.stream = stream
        self.enabled = stream.isatty()
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        filled = BAR_WIDTH * done // total
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {100 * done // total:3d}%  {done:,}/{total:,} rows",
            ending="",
        )
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("")


class Command(BaseCommand):
    help = "Validate a CSV file of offers for a seller and, with --apply, apply it (format: docs/offer-import.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The CSV file (UTF-8; comma, semicolon or tab separated)")
        parser.add_argument("--seller", required=True, help="Seller slug, e.g. second-wind-devices")
        parser.add_argument("--apply", action="store_true", help="Apply the file (default: only print the report)")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="Apply the valid lines and skip the lines with errors"
        )
        parser.add_argument("--errors", type=Path, default=None, help="Write every error to this CSV file")

    def handle(
        self, *args: Any, file: Path, seller: str, apply: bool, skip_invalid: bool, errors: Path | None, **options: Any
    ) -> None:
        found = Seller.objects.filter(slug=seller).first()
        if found is None:
            raise CommandError(f"No seller {seller!r}: pass the slug of an existing seller (see the admin)")
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from exc
        try:
            offer_import = validate_offer_import(actor=None, seller=found, filename=file.name, data=data)
        except FileRefused as exc:
            raise CommandError(f"{file.name}: {exc.message}") from exc

        summary = Summary.from_dict(offer_import.summary)
        problems = stored_errors(offer_import)
        self.stdout.write(f"{file.name} for {found.name}: {summary.lines:,} lines")
        self.stdout.write(
            f"  {summary.created:,} to create, {summary.updated:,} to update, {summary.unchanged:,} unchanged, "
            f"{summary.errors:,} with errors"
        )
        for problem in problems[:SHOWN_ERRORS]:
            column = f" {problem.column}" if problem.column else ""
            value = f" {problem.value!r}" if problem.value else ""
            self.stdout.write(f"  line {problem.line}{column}{value}: {problem.message} [{problem.code}]")
        if len(problems) > SHOWN_ERRORS:
            self.stdout.write(f"  … and {len(problems) - SHOWN_ERRORS:,} more (write them all with --errors FILE)")
        if errors is not None:
            errors.write_text("".join(errors_csv(problems)), encoding="utf-8")
            self.stdout.write(f"Errors written to {errors}")

        if summary.errors and not skip_invalid:
            raise CommandError(
                f"{summary.errors:,} line(s) with errors: fix them and run again, or pass --skip-invalid to apply the "
                "other lines. Nothing was applied."
            )
        if not apply:
            self.stdout.write("Nothing applied (dry run): run again with --apply to apply this report.")
            return
        queue_offer_import(actor=None, seller=found, import_id=offer_import.pk, skip_invalid=skip_invalid)
        bar = ProgressBar(self.stdout)
        try:
            done = apply_offer_import(import_id=offer_import.pk, progress=bar)
        finally:
            bar.close()
        if done.status != ImportStatus.APPLIED:
            raise CommandError(f"Not applied: {done.message}")
        skipped = f", {summary.errors:,} lines with errors skipped" if summary.errors else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Applied: {summary.created:,} created, {summary.updated:,} updated, {summary.unchanged:,} unchanged"
                f"{skipped}. Buy boxes refreshed."
            )
        )
