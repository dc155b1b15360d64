from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from reloop.pricing.services import rebuild_all_buy_boxes


class Command(BaseCommand):
    help = "Recompute every buy-box snapshot and variant summary from the offers; report how many differed."

    def handle(self, *args: Any, **options: Any) -> None:
        report = rebuild_all_buy_boxes()
        line = (
            f"Rebuilt buy boxes of {report.variants} variants: {report.differences} differences "
            f"({report.snapshots_written} snapshots written, {report.snapshots_deleted} deleted, "
            f"{report.summaries_written} summaries written, {report.summaries_deleted} deleted)."
        )
        self.stdout.write(self.style.SUCCESS(line) if report.differences == 0 else self.style.WARNING(line))
