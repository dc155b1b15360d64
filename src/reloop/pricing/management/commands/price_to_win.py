from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reloop.core.money import Money
from reloop.pricing.selectors import competition
from reloop.sellers.models import Seller


class Command(BaseCommand):
    help = "Show, for one seller's offers, where they win the buy box and the price that would win elsewhere."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seller", required=True, help="Seller slug, e.g. second-wind-devices")
        parser.add_argument("--market", help="Only this market, e.g. fr-fr")
        parser.add_argument("--losing", action="store_true", help="Only offers that do not win")
        parser.add_argument("--limit", type=int, default=50, help="At most this many rows (default 50)")

    def handle(self, *args: Any, seller: str, market: str | None, losing: bool, limit: int, **options: Any) -> None:
        found = Seller.objects.filter(slug=seller).first()
        if found is None:
            raise CommandError(f"No seller {seller!r}: use a slug from the admin or `reloop shell`")
        every = [r for r in competition(seller=found) if not market or r.market == market]
        won = sum(r.is_winning for r in every)
        rows = [r for r in every if not (losing and r.is_winning)]
        self.stdout.write(f"{found.name}: {len(every)} offer prices, {won} winning the buy box")
        self.stdout.write(f"{'offer':>8}  {'market':6}  {'price':>12}  {'winner':>12}  {'price to win':>12}  offers")
        for r in rows[:limit]:
            status = "wins" if r.is_winning else _fmt(r.price_to_win, r.currency) if r.price_to_win else "cannot win"
            self.stdout.write(
                f"{r.offer_id:>8}  {r.market:6}  {_fmt(r.price, r.currency):>12}  "
                f"{_fmt(r.winner_price, r.currency):>12}  {status:>12}  {r.offer_count}"
            )


def _fmt(amount: int | None, currency: str) -> str:
    return str(Money(amount, currency)) if amount is not None else "-"
