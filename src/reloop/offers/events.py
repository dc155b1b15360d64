"""What the offers app tells higher layers, after commit."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OffersChanged:
    """Offers of these variants changed in a way that can move a buy box (price, stock to or from 0, terms).

    ``markets``: only prices in these markets changed, so only their buy boxes can move; ``None`` (the default):
    any market's may (stock, terms, activation).

    ``variant_grades``: only the buy boxes of these (variant, grade) pairs can move (the grades of the offers that
    changed: a price, a stock crossing zero, a term); the variant summaries are then re-aggregated from the stored
    buy boxes. ``None`` (the default): every grade of ``variant_ids``.

    ``deferred``: the writer accepts that the buy boxes lag the change by a few seconds (the Seller API's bulk
    update, ADR 0044): they are marked stale and ranked in batches with other calls' changes, not at once.
    """

    variant_ids: frozenset[int]
    markets: frozenset[str] | None = None
    variant_grades: frozenset[tuple[int, str]] | None = None
    deferred: bool = False


@dataclass(frozen=True)
class OfferStockChanged:
    """Stock changed without reaching or leaving zero: no buy box moves, but product pages show stock levels."""

    variant_ids: frozenset[int]
