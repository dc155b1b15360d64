"""Instalments ("pay in 3", "pay in 4"): which plans a provider offers for an amount, and the schedule the buyer
pays. Pure functions: the provider states its limits; the platform is paid the whole amount at once, so the ledger
sees one capture and the instalment risk is the provider's (docs/adr/0020-instalments-and-reconciliation.md)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from reloop.core.money import Money
from reloop.payments.providers.base import InstalmentPlan


def instalment_schedule(total: Money, count: int) -> tuple[Money, ...]:
    """``total`` in ``count`` instalments that sum to it exactly: equal shares, the remainder minor units on the
    first ones (100.00 in 3 is 33.34, 33.33, 33.33)."""
    if count < 1:
        raise ValueError("An instalment plan has at least one instalment.")
    if total.amount <= 0:
        raise ValueError("Only a positive amount is paid in instalments.")
    share, remainder = divmod(total.amount, count)
    return tuple(Money(share + (1 if n < remainder else 0), total.currency) for n in range(count))


def plans_within(
    *, amount: Money, limits: Mapping[str, tuple[int, int]], counts: Iterable[int]
) -> list[InstalmentPlan]:
    """The plans of ``counts`` instalments for ``amount`` when its currency has limits and it lies within them
    (inclusive, minor units); none otherwise."""
    bounds = limits.get(amount.currency)
    if bounds is None or not bounds[0] <= amount.amount <= bounds[1]:
        return []
    return [InstalmentPlan(count=n, schedule=instalment_schedule(amount, n)) for n in counts]
