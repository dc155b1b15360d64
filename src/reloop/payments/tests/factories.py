"""Ledger data is made through the real services, as the order glue will make it."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from reloop.accounts.models import User
from reloop.core.money import Money
from reloop.offers.models import Offer
from reloop.orders.domain import LineState
from reloop.orders.models import Order, OrderLine, SellerOrder, ShippingMethod
from reloop.orders.services import LineSpec, SellerPart, mark_paid, open_order, transition_line
from reloop.payments.domain import SellerShare, commission
from reloop.payments.models import LedgerTransaction
from reloop.payments.services import record_capture, record_refund, record_split

_order = itertools.count(1)


def make_sale(
    *, sellers: Sequence[int], amounts: Sequence[int], currency: str = "EUR", rate: Decimal = Decimal("10")
) -> tuple[str, LedgerTransaction, LedgerTransaction, list[SellerShare]]:
    """One captured payment split between ``sellers`` (``amounts`` in minor units): the reference, the capture,
    the split and the shares."""
    reference = f"order:{next(_order)}"
    shares = [
        SellerShare.at_rate(seller_id, Money(amount, currency), rate)
        for seller_id, amount in zip(sellers, amounts, strict=True)
    ]
    total = Money(sum(amounts), currency)
    capture = record_capture(key=f"{reference}:capture", reference=reference, amount=total)
    split = record_split(key=f"{reference}:split", reference=reference, shares=shares)
    return reference, capture, split, shares


# --- Orders with money, for the payout tests (built through the orders services, as checkout does) -------------

_checkout = itertools.count(1)


def make_order(
    *,
    lines: Sequence[tuple[Offer, int]],
    shipping: int = 0,
    rate: Decimal = Decimal("10"),
    currency: str = "GBP",
    market: str = "en-gb",
) -> Order:
    """A paid order of one unit of each ``(offer, unit price)``, one seller part per seller with ``shipping`` each,
    its capture and split in the ledger with the keys checkout uses (``order:<number>:capture``/``:split``)."""
    email = f"payout-buyer-{next(_checkout)}@example.com"
    buyer = User.objects.create_user(username=email, email=email, password="x")
    by_seller: dict[int, list[tuple[Offer, int]]] = {}
    for offer, price in lines:
        by_seller.setdefault(offer.seller_id, []).append((offer, price))
    parts = [
        SellerPart(
            seller=items[0][0].seller,
            shipping_method=ShippingMethod.STANDARD,
            shipping=Money(shipping, currency),
            lines=[
                LineSpec(offer, 1, Money(price, currency), None, commission(Money(price, currency), rate))
                for offer, price in items
            ],
            shipping_commission=commission(Money(shipping, currency), rate),
        )
        for items in by_seller.values()
    ]
    with transaction.atomic():
        order = open_order(
            buyer=buyer,
            market=market,
            currency=currency,
            idempotency_key=f"payout-test-{next(_checkout)}",
            reserved_until=timezone.now() + timedelta(minutes=15),
            shipping_address={},
            parts=parts,
        )
        mark_paid(order=order, payment_reference="ch_test")
        reference = f"order:{order.number}"
        shares = [
            SellerShare(seller_id=seller_id, gross=Money(total, currency), commission=Money(fee, currency))
            for seller_id, total, fee in SellerOrder.objects.filter(order=order).values_list(
                "seller_id", "total", "commission"
            )
        ]
        record_capture(key=f"{reference}:capture", reference=reference, amount=Money(order.total, currency))
        record_split(key=f"{reference}:split", reference=reference, shares=shares)
    return order


def deliver(line: OrderLine) -> OrderLine:
    """paid → accepted → shipped → delivered (``delivered_at`` is now)."""
    for state in (LineState.ACCEPTED, LineState.SHIPPED, LineState.DELIVERED):
        line = transition_line(line_id=line.pk, to_state=state, actor=None, actor_kind="system")
    return line


def refund_line(line: OrderLine, *, gross: int, commission_back: int, key: str | None = None) -> LedgerTransaction:
    """Refund part or all of a line in the ledger, as the after-sales glue does (with the line)."""
    part = SellerOrder.objects.select_related("order").get(pk=line.seller_order_id)
    currency = part.order.currency
    return record_refund(
        key=key or f"order:{part.order.number}:line:{line.pk}:refund:{gross}",
        reference=f"order:{part.order.number}",
        seller_id=part.seller_id,
        gross=Money(gross, currency),
        commission=Money(commission_back, currency),
        line_id=line.pk,
    )
