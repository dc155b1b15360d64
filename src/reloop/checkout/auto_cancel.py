"""Automatic cancellation of lines a seller did not accept or ship in time (DESIGN.md §2, "Orders").

A paid line not accepted within 1 business day of payment, or an accepted line not shipped within its dispatch
days (business days from payment, at least 1), is cancelled through ``cancel_line``: units back to stock, buyer
refunded, ledger reversed. The event is by the system with a reason starting ``auto_cancel:``, which seller quality
counts against the seller (docs/adr/0011-shipping-and-delivery.md). Both jobs are idempotent: a cancelled line is
never picked again, and a line the seller moved meanwhile is skipped.
"""

from __future__ import annotations

import datetime as dt
import logging

from reloop.checkout.services import cancel_line
from reloop.core import clock
from reloop.orders.domain import LineState
from reloop.orders.errors import StaleState, TransitionNotAllowed
from reloop.orders.models import ActorKind, OrderLine, OrderStatus

logger = logging.getLogger(__name__)

NOT_ACCEPTED = "auto_cancel:not_accepted"
NOT_SHIPPED = "auto_cancel:not_shipped"
ACCEPT_BUSINESS_DAYS = 1


def acceptance_deadline(paid_at: dt.datetime) -> dt.datetime:
    return clock.add_business_days(paid_at, ACCEPT_BUSINESS_DAYS)


def shipping_deadline(paid_at: dt.datetime, dispatch_days: int) -> dt.datetime:
    return clock.add_business_days(paid_at, max(dispatch_days, 1))


def _late_lines(state: str, now: dt.datetime) -> list[int]:
    # Business days are never fewer than calendar days: a line paid less than a day ago cannot be late.
    candidates = (
        OrderLine.objects.filter(
            state=state,
            seller_order__order__status=OrderStatus.PAID,
            seller_order__order__paid_at__lte=now - dt.timedelta(days=ACCEPT_BUSINESS_DAYS),
        )
        .order_by("pk")
        .values_list("pk", "seller_order__order__paid_at", "dispatch_days")
    )
    late = []
    for line_id, paid_at, dispatch_days in candidates.iterator(chunk_size=1000):
        if paid_at is None:  # a paid order always has it; the type says it could be missing
            continue
        deadline = (
            acceptance_deadline(paid_at) if state == LineState.PAID else shipping_deadline(paid_at, dispatch_days)
        )
        if deadline < now:
            late.append(line_id)
    return late


def _cancel(line_ids: list[int], reason: str) -> int:
    cancelled = 0
    for line_id in line_ids:
        try:
            cancel_line(line_id=line_id, actor=None, actor_kind=ActorKind.SYSTEM, reason=reason)
        except (StaleState, TransitionNotAllowed):
            continue  # the seller accepted, shipped or cancelled it meanwhile
        cancelled += 1
    return cancelled


def cancel_unaccepted_lines() -> int:
    """Cancel paid lines not accepted within 1 business day of payment. Returns how many."""
    reason = f"{NOT_ACCEPTED}: not accepted by the seller within 1 business day of payment (counts against the seller)"
    return _cancel(_late_lines(LineState.PAID, clock.now()), reason)


def cancel_unshipped_lines() -> int:
    """Cancel accepted lines not shipped within their dispatch days (business days from payment). Returns how many."""
    reason = f"{NOT_SHIPPED}: not shipped by the seller within its dispatch days (counts against the seller)"
    return _cancel(_late_lines(LineState.ACCEPTED, clock.now()), reason)
