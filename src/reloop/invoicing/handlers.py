"""What invoicing does when orders change (subscribed in ``reloop.ops.subscriptions``, run after commit).

A paid order: its invoices are issued, and the buyer's confirmation (invoices attached) and each seller's
new-order email are queued in the same transaction, so they go out once the invoices exist. A cancelled or
refunded line: a credit note for each refund the ledger recorded.
"""

from __future__ import annotations

from django.db import transaction

from reloop.invoicing import emails
from reloop.invoicing.services import issue_credit_notes, issue_invoices
from reloop.orders.domain import REFUNDING_STATES
from reloop.orders.events import LineStateChanged, OrderPaid
from reloop.orders.models import Order


def on_order_paid(event: OrderPaid) -> None:
    with transaction.atomic():
        invoices = issue_invoices(order_id=event.order_id)
        if not invoices:
            return
        order = Order.objects.select_related("buyer").get(pk=event.order_id)
        emails.send_order_confirmation(order=order, invoices=invoices)
        emails.send_new_order_to_sellers(order=order)


def on_line_state_changed(event: LineStateChanged) -> None:
    if event.to_state in REFUNDING_STATES:
        issue_credit_notes(line_id=event.line_id)
