from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OrderPaid:
    order_id: int


@dataclass(frozen=True)
class LineStateChanged:
    line_id: int
    from_state: str
    to_state: str
