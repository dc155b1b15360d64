from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from reloop.payments.checks import failed, run_checks


class Command(BaseCommand):
    help = (
        "Verify the ledger's invariants (balanced transactions, per-currency zero sums, account signs) with "
        "aggregate queries. Prints one line per check; exits non-zero when one fails."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        results = run_checks()
        for result in results:
            if result.ok:
                self.stdout.write(self.style.SUCCESS(f"OK      {result.name}"))
            else:
                more = f" (first {len(result.offenders)})" if result.count > len(result.offenders) else ""
                self.stdout.write(
                    self.style.ERROR(f"FAILED  {result.name}: {result.count} offending{more}: ")
                    + "; ".join(result.offenders)
                )
        bad = failed(results)
        if bad:
            raise CommandError(f"{len(bad)} of {len(results)} ledger checks failed.")
        self.stdout.write(f"All {len(results)} ledger checks passed.")
