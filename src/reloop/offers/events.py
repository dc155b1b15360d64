"""What the offers app tells higher layers, after commit."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OffersChanged:
    """Offers of these variants changed in a way that can move a buy box (price, stock to or from 0, terms).

    ``markets``: only prices in these markets changed, so only their buy boxes can move; ``None`` (the default):
    any market's may (stock, terms, activation).
    """

    variant_ids: frozenset[int]
    markets: frozenset[str] | None = None


@dataclass(frozen=True)
class OfferStockChanged:
    """Stock changed without reaching or leaving zero: no buy box moves, but product pages show stock levels."""

    variant_ids: frozenset[int]
