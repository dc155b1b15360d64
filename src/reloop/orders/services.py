"""Order writes: opening an order with its seller parts and frozen lines, payment outcome, line transitions.

Checkout (a higher layer) decides what to buy and takes the money; this module records it. Every line state change
goes through ``transition_line``, a conditional update that records who, when and why.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from reloop.accounts.models import User
from reloop.core import clock
from reloop.core.events import publish
from reloop.core.money import Money
from reloop.offers.models import Offer
from reloop.orders.domain import LineState, check_transition
from reloop.orders.errors import NothingToAccept, OrderNotFound, StaleState, TransitionNotAllowed
from reloop.orders.events import LineStateChanged, OrderPaid
from reloop.orders.models import ActorKind, LineEvent, Order, OrderLine, OrderStatus, SellerOrder
from reloop.orders.selectors import seller_order_for
from reloop.sellers.models import Seller

#: The line field stamped when a line first reaches a state.
STATE_TIMESTAMPS: dict[str, str] = {
    LineState.ACCEPTED: "accepted_at",
    LineState.SHIPPED: "shipped_at",
    LineState.DELIVERED: "delivered_at",
}

NUMBER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out on the phone


def new_order_number() -> str:
    return "RL-" + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(8))


@dataclass(frozen=True)
class LineSpec:
    offer: Offer  # with variant, product model and brand loaded
    quantity: int
    unit_price: Money
    avoided_kgco2e: Decimal | None = None  # per unit, from impact
    commission: Money | None = None  # the platform's commission on the line total
    tax: Money | None = None  # sales tax on the line total (US), collected by the platform
    tax_rate: Decimal | None = None  # percent
    # The per-unit range around ``avoided_kgco2e`` (impact.selectors.estimate_for_offer); both or neither.
    avoided_kgco2e_low: Decimal | None = None
    avoided_kgco2e_high: Decimal | None = None


@dataclass(frozen=True)
class SellerPart:
    seller: Seller
    shipping_method: str
    shipping: Money
    lines: Sequence[LineSpec]
    shipping_commission: Money | None = None
    shipping_tax: Money | None = None  # sales tax on the shipping (US states that tax it), collected by the platform


def open_order(
    *,
    buyer: User,
    market: str,
    currency: str,
    idempotency_key: str,
    reserved_until: datetime,
    shipping_address: dict[str, str],
    parts: Sequence[SellerPart],
    tax_jurisdiction: str = "",
    tax_source: str = "",
) -> Order:
    """Record an order awaiting payment. Runs inside the caller's transaction (checkout reserves stock in it).

    Sales tax (US) given on the lines and on each part's shipping is added to the order's total, and kept apart
    from each seller order's total: the platform collects and remits it (docs/invoicing.md)."""
    items = sum((line.unit_price * line.quantity for part in parts for line in part.lines), Money.zero(currency))
    shipping = sum((part.shipping for part in parts), Money.zero(currency))
    tax = sum((_part_tax(part, currency) for part in parts), Money.zero(currency))
    order = Order.objects.create(
        number=new_order_number(),
        buyer=buyer,
        market=market,
        currency=currency,
        items_total=items.amount,
        shipping_total=shipping.amount,
        tax_total=tax.amount,
        total=(items + shipping + tax).amount,
        tax_jurisdiction=tax_jurisdiction,
        tax_source=tax_source[:200],
        idempotency_key=idempotency_key,
        reserved_until=reserved_until,
        shipping_address=shipping_address,
    )
    for part in parts:
        part_items = sum((line.unit_price * line.quantity for line in part.lines), Money.zero(currency))
        fees = [line.commission for line in part.lines if line.commission] + [
            part.shipping_commission or Money.zero(currency)
        ]
        seller_order = SellerOrder.objects.create(
            order=order,
            seller=part.seller,
            shipping_method=part.shipping_method,
            shipping_amount=part.shipping.amount,
            items_total=part_items.amount,
            total=(part_items + part.shipping).amount,
            commission=sum(fees, Money.zero(currency)).amount,
            tax_amount=_part_tax(part, currency).amount,
            shipping_tax_amount=part.shipping_tax.amount if part.shipping_tax else 0,
        )
        OrderLine.objects.bulk_create(
            [
                OrderLine(
                    seller_order=seller_order,
                    offer=line.offer,
                    variant_id=line.offer.variant_id,
                    seller_name=part.seller.name,
                    product_title=line.offer.variant.product_model.title,
                    variant_label=line.offer.variant.label,
                    sku=line.offer.sku,
                    grade=line.offer.grade,
                    battery_tier=line.offer.battery_tier,
                    parts_provenance=line.offer.parts_provenance,
                    replaced_parts=list(line.offer.replaced_parts),
                    warranty_months=line.offer.warranty_months,
                    vat_scheme=line.offer.vat_scheme,
                    unit_price=line.unit_price.amount,
                    quantity=line.quantity,
                    line_total=(line.unit_price * line.quantity).amount,
                    commission=line.commission.amount if line.commission else 0,
                    tax_rate=line.tax_rate or Decimal(0),
                    tax_amount=line.tax.amount if line.tax else 0,
                    dispatch_days=line.offer.dispatch_days,
                    avoided_kgco2e=line.avoided_kgco2e,
                    avoided_kgco2e_low=line.avoided_kgco2e_low if line.avoided_kgco2e is not None else None,
                    avoided_kgco2e_high=line.avoided_kgco2e_high if line.avoided_kgco2e is not None else None,
                )
                for line in part.lines
            ]
        )
    return order


def _part_tax(part: SellerPart, currency: str) -> Money:
    """The sales tax of one seller part: its lines' and its shipping's."""
    lines = sum((line.tax for line in part.lines if line.tax), Money.zero(currency))
    return lines + (part.shipping_tax or Money.zero(currency))


def mark_paid(*, order: Order, payment_reference: str) -> bool:
    """pending_payment → paid, once. Returns False when the order was not awaiting payment (already handled)."""
    updated = Order.objects.filter(pk=order.pk, status=OrderStatus.PENDING_PAYMENT).update(
        status=OrderStatus.PAID, payment_reference=payment_reference, paid_at=clock.now()
    )
    if updated:
        order.status = OrderStatus.PAID
        order.payment_reference = payment_reference
        publish(OrderPaid(order.pk))
    return bool(updated)


def close_unpaid(*, order: Order, status: str, reason: str) -> bool:
    """pending_payment → payment_failed or expired, once. The caller restores the stock when this returns True."""
    if status not in (OrderStatus.PAYMENT_FAILED, OrderStatus.EXPIRED):
        raise ValueError(f"close_unpaid cannot set {status!r}")
    updated = Order.objects.filter(pk=order.pk, status=OrderStatus.PENDING_PAYMENT).update(
        status=status, failure_reason=reason[:200]
    )
    if updated:
        order.status = status
    return bool(updated)


@transaction.atomic
def transition_line(*, line_id: int, to_state: str, actor: User | None, actor_kind: str, reason: str = "") -> OrderLine:
    """Move one line to ``to_state`` if the state machine allows it from its current state, and record the event.

    A conditional update on the current state: two concurrent transitions of one line cannot both apply (the
    second raises ``StaleState``).
    """
    line = OrderLine.objects.filter(pk=line_id).first()
    if line is None:
        raise OrderNotFound(f"No order line {line_id}")
    if actor_kind not in ActorKind.values:
        raise ValueError(f"unknown actor kind {actor_kind!r}")
    problem = check_transition(line.state, to_state)
    if problem:
        raise TransitionNotAllowed(problem)
    now = clock.now()
    stamps: dict[str, datetime] = {}
    stamp_field = STATE_TIMESTAMPS.get(to_state)
    if stamp_field and getattr(line, stamp_field) is None:  # the first time only: a refused return keeps it
        stamps[stamp_field] = now
    if not OrderLine.objects.filter(pk=line.pk, state=line.state).update(
        state=to_state, state_changed_at=now, **stamps
    ):
        raise StaleState("This line changed meanwhile; reload and try again")
    for field, value in stamps.items():
        setattr(line, field, value)
    LineEvent.objects.create(
        line=line, from_state=line.state, to_state=to_state, actor=actor, actor_kind=actor_kind, reason=reason[:300]
    )
    publish(LineStateChanged(line.pk, line.state, to_state))
    line.state, line.state_changed_at = to_state, now
    return line


def record_initial_events(*, order: Order) -> None:
    """The first event of every line of a paid order: '' → paid, by the system."""
    LineEvent.objects.bulk_create(
        [
            LineEvent(
                line=line,
                from_state="",
                to_state=LineState.PAID,
                actor_kind=ActorKind.SYSTEM,
                reason="payment captured",
            )
            for line in OrderLine.objects.filter(seller_order__order=order)
        ]
    )


# --- Seller order operations ---------------------------------------------------------------------------


def accept_lines(*, lines: Sequence[OrderLine], actor: User | None, actor_kind: str) -> list[OrderLine]:
    """paid → accepted for each of ``lines`` still paid, inside the caller's transaction (shipping uses it too).
    The states are read again here: a line accepted meanwhile is left alone rather than refused."""
    still_paid = OrderLine.objects.filter(pk__in=[line.pk for line in lines], state=LineState.PAID).order_by("pk")
    return [
        transition_line(line_id=line_id, to_state=LineState.ACCEPTED, actor=actor, actor_kind=actor_kind)
        for line_id in still_paid.values_list("pk", flat=True)
    ]


def accept_seller_order(*, actor: User | None, seller: Seller, seller_order_id: int) -> SellerOrder:
    """The seller takes the order: every ``paid`` line becomes ``accepted`` (one event each, by the seller).

    Idempotent: accepting again when every live line is already accepted changes nothing. Refused with
    ``nothing_to_accept`` when no line is paid or accepted (all cancelled, or already shipped). Another seller's
    order is answered as not found. Locks: the line rows, through ``transition_line``'s conditional updates.
    """
    part = seller_order_for(seller=seller, seller_order_id=seller_order_id)
    states = {line.state for line in part.lines.all()}
    if LineState.PAID not in states:
        if LineState.ACCEPTED in states:
            return part
        raise NothingToAccept(_("This order has nothing left to accept"))
    with transaction.atomic(durable=True):
        accept_lines(lines=list(part.lines.all()), actor=actor, actor_kind=ActorKind.SELLER)
    return seller_order_for(seller=seller, seller_order_id=seller_order_id)
