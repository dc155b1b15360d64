from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reloop.markets.data import MARKET_CODES
from reloop.pricing.grades import count_inversions


class Command(BaseCommand):
    help = (
        "Count the models where a worse grade's buy box costs more than a better grade's (a grade inversion), per "
        "market, and how many of them the offers' battery or parts explain (issue 16, item 6)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--market", action="append", dest="markets", help="Market code (repeatable); default: every market"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        markets = options["markets"] or list(MARKET_CODES)
        unknown = sorted(set(markets) - set(MARKET_CODES))
        if unknown:
            raise CommandError(f"Unknown market {', '.join(unknown)}; known: {', '.join(MARKET_CODES)}")
        for market in markets:
            c = count_inversions(market=market)
            self.stdout.write(
                f"{market}: {c.inverted} of {c.models} models have a worse grade costing more than a better one "
                f"({c.explained} explained by battery or parts, {c.unexplained} unexplained)"
            )
