from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SellerStandingChanged:
    """A seller's standing or quality score changed: every buy box it competes in may move."""

    seller_id: int
