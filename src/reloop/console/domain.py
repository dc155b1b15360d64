"""Pure rules of the console's figures: currency conversion into the reporting currency, rates, averages and the
reporting periods. No ORM."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from reloop.core.money import Money


class MissingRate(Exception):
    """No exchange rate for a currency: its money cannot be converted (the page says so)."""


def convert(amount: Money, *, to: str, per_eur: Mapping[str, Decimal]) -> Money:
    """``amount`` in currency ``to`` through the euro rates ``per_eur`` (units per 1 EUR), rounded half-up to the
    minor unit of ``to``. Raises ``MissingRate`` when either currency has no rate."""
    if amount.currency == to:
        return amount
    try:
        source, target = per_eur[amount.currency], per_eur[to]
    except KeyError as exc:
        raise MissingRate(exc.args[0]) from None
    return Money.from_major(amount.to_major() / source * target, to, rounding=ROUND_HALF_UP)


def convert_totals(totals: Mapping[str, int], *, to: str, per_eur: Mapping[str, Decimal]) -> tuple[Money, list[str]]:
    """The sum of per-currency ``totals`` (minor units) in ``to``: each currency's total is converted once, then
    added. Returns the sum and the currencies left out for want of a rate."""
    result = Money.zero(to)
    missing = []
    for currency, amount in sorted(totals.items()):
        try:
            result += convert(Money(amount, currency), to=to, per_eur=per_eur)
        except MissingRate:
            missing.append(currency)
    return result, missing


def ratio(numerator: int | Decimal, denominator: int | Decimal) -> Decimal | None:
    """numerator / denominator to 4 decimals (half-up), ``None`` when there is nothing to divide by."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def average(total: Money, count: int) -> Money | None:
    """The average of ``count`` amounts summing to ``total``, half-up; ``None`` for no amounts."""
    if count <= 0:
        return None
    return Money(int((Decimal(total.amount) / count).quantize(Decimal(1), rounding=ROUND_HALF_UP)), total.currency)


@dataclass(frozen=True, slots=True)
class Period:
    """Days ``first`` to ``last`` included, read in UTC: the half-open interval [start, end)."""

    first: dt.date
    last: dt.date

    @property
    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.first, dt.time.min, tzinfo=dt.UTC)

    @property
    def end(self) -> dt.datetime:
        return dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)

    @property
    def days(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=n) for n in range((self.last - self.first).days + 1)]


#: The periods the console offers, in days ending today.
PERIOD_DAYS = {"7d": 7, "30d": 30, "90d": 90}
DEFAULT_PERIOD = "30d"


def period_ending(today: dt.date, code: str) -> Period:
    days = PERIOD_DAYS.get(code, PERIOD_DAYS[DEFAULT_PERIOD])
    return Period(first=today - dt.timedelta(days=days - 1), last=today)
