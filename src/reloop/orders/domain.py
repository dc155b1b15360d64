"""The seller-order line state machine (DESIGN.md section 2, "Orders"), as pure data and checks.

paid → accepted → shipped → delivered → completed, with cancelled (before shipping, refunded) and
return_requested → returned → refunded after delivery. A return may also be refused by the operator's decision
(return_requested → delivered). After-sales may refund a line without the unit coming back first (a refund
before receipt, a warranty refund on a delivered or completed line, an operator's decision): delivered,
return_requested and completed → refunded. Nothing else is allowed; ``check_transition`` says why.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LineState(models.TextChoices):
    PAID = "paid", _("Paid")
    ACCEPTED = "accepted", _("Accepted by the seller")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled and refunded")
    RETURN_REQUESTED = "return_requested", _("Return requested")
    RETURNED = "returned", _("Returned to the seller")
    REFUNDED = "refunded", _("Refunded")


TRANSITIONS: dict[str, frozenset[str]] = {
    LineState.PAID: frozenset({LineState.ACCEPTED, LineState.CANCELLED}),
    LineState.ACCEPTED: frozenset({LineState.SHIPPED, LineState.CANCELLED}),
    LineState.SHIPPED: frozenset({LineState.DELIVERED}),
    LineState.DELIVERED: frozenset({LineState.COMPLETED, LineState.RETURN_REQUESTED, LineState.REFUNDED}),
    LineState.RETURN_REQUESTED: frozenset({LineState.RETURNED, LineState.DELIVERED, LineState.REFUNDED}),
    LineState.RETURNED: frozenset({LineState.REFUNDED}),
    LineState.COMPLETED: frozenset({LineState.REFUNDED}),  # a warranty refund (aftersales)
    LineState.CANCELLED: frozenset(),
    LineState.REFUNDED: frozenset(),
}

#: States in which the buyer's money goes (or went) back.
REFUNDING_STATES = frozenset({LineState.CANCELLED, LineState.REFUNDED})


def allowed(from_state: str, to_state: str) -> bool:
    return to_state in TRANSITIONS.get(from_state, frozenset())


def check_transition(from_state: str, to_state: str) -> str | None:
    """``None`` when allowed, else the reason it is not (for the error message)."""
    if from_state not in TRANSITIONS:
        return f"unknown state {from_state!r}"
    if to_state not in TRANSITIONS:
        return f"unknown state {to_state!r}"
    if not allowed(from_state, to_state):
        nexts = ", ".join(sorted(TRANSITIONS[from_state])) or "none (final state)"
        return f"a {from_state} line cannot become {to_state}; allowed: {nexts}"
    return None


def seller_order_queue_of(states: set[str]) -> str:
    """The back-office queue a seller order with lines in ``states`` is in: the earliest step any live line waits
    for. The same rule as ``orders.selectors.seller_order_queue``'s filters, for orders already loaded."""
    if LineState.PAID in states:
        return "to_accept"
    if LineState.ACCEPTED in states:
        return "to_ship"
    if LineState.SHIPPED in states:
        return "shipped"
    if states - {LineState.CANCELLED}:
        return "delivered"
    return "cancelled"
