"""What after-sales tells the layers above (quality counts defects from these), published on commit."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CaseOpened:
    case_id: int
    kind: str  # CaseKind value
    reason: str  # Reason value
    seller_id: int
    line_id: int
    is_defect: bool  # a warranty claim or a return for a defect-type reason (DESIGN.md, "Seller quality")


@dataclass(frozen=True)
class CaseEscalated:
    case_id: int
    kind: str
    reason: str
    seller_id: int
    escalation: str  # Escalation value


@dataclass(frozen=True)
class CaseResolved:
    case_id: int
    kind: str
    reason: str
    seller_id: int
    line_id: int
    resolution: str  # Resolution value
    refund_amount: int  # minor units, 0 when nothing was refunded
    currency: str
