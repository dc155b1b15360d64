"""Seller back-office reads besides the order queues (``orders.selectors``): the dashboard's sales and open lines,
and the lines of an order to ship with what decides whether a unit needs an IMEI. Each takes the seller.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Sum

from reloop.orders.domain import LineState
from reloop.orders.errors import OrderNotFound
from reloop.orders.models import OrderLine, OrderStatus
from reloop.sellers.models import Seller

#: Lines that did not end in the buyer's money going back: they count as sales.
_NOT_SALES = (LineState.CANCELLED, LineState.REFUNDED)


@dataclass(frozen=True)
class Sales:
    currency: str
    units: int
    revenue: int  # minor units, line totals incl. VAT, shipping excluded
    orders: int


def seller_sales(*, seller: Seller, since: dt.datetime) -> list[Sales]:
    """Units and revenue per currency of the seller's lines paid since ``since``, not cancelled or refunded
    (one query)."""
    rows = (
        OrderLine.objects.filter(
            seller_order__seller=seller,
            seller_order__order__status=OrderStatus.PAID,
            seller_order__order__paid_at__gte=since,
        )
        .exclude(state__in=_NOT_SALES)
        .values("seller_order__order__currency")
        .annotate(units=Sum("quantity"), revenue=Sum("line_total"), orders=Count("seller_order", distinct=True))
        .order_by("seller_order__order__currency")
    )
    return [Sales(r["seller_order__order__currency"], r["units"], r["revenue"], r["orders"]) for r in rows]


@dataclass(frozen=True)
class OpenLine:
    seller_order_id: int
    state: str  # paid (waiting for acceptance) or accepted (waiting for shipping)
    paid_at: dt.datetime
    dispatch_days: int


def open_lines(*, seller: Seller) -> list[OpenLine]:
    """The seller's lines waiting to be accepted or shipped, with what their deadlines follow from (one query)."""
    rows = (
        OrderLine.objects.filter(
            seller_order__seller=seller,
            seller_order__order__status=OrderStatus.PAID,
            state__in=(LineState.PAID, LineState.ACCEPTED),
        )
        .order_by("pk")
        .values_list("seller_order_id", "state", "seller_order__order__paid_at", "dispatch_days")
    )
    return [OpenLine(so, state, paid_at, days) for so, state, paid_at, days in rows if paid_at is not None]


def lines_with_categories(*, seller: Seller, seller_order_id: int) -> list[OrderLine]:
    """The lines of one of the seller's orders with variant, model and category path loaded (one query), for the
    shipping form: whether a unit needs an IMEI follows from the category. Another seller's order is not found."""
    lines = list(
        OrderLine.objects.filter(
            seller_order_id=seller_order_id,
            seller_order__seller=seller,
            seller_order__order__status=OrderStatus.PAID,
        )
        .select_related("variant__product_model__category__parent__parent")
        .order_by("pk")
    )
    if not lines:
        raise OrderNotFound(f"No seller order {seller_order_id}")
    return lines
