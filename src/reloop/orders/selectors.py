"""Order reads, always scoped to the person asking."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from reloop.accounts.models import User
from reloop.orders.errors import OrderNotFound
from reloop.orders.models import Order, OrderLine, OrderStatus, SellerOrder


def buyer_orders(*, buyer: User) -> QuerySet[Order]:
    """The buyer's paid orders, newest first, with seller parts and lines (three queries for any number)."""
    return (
        Order.objects.filter(buyer=buyer, status=OrderStatus.PAID)
        .prefetch_related(
            Prefetch(
                "seller_orders",
                queryset=SellerOrder.objects.select_related("seller").prefetch_related(
                    Prefetch("lines", queryset=OrderLine.objects.order_by("pk"))
                ),
            )
        )
        .order_by("-created_at", "-pk")
    )


def buyer_order(*, buyer: User, number: str) -> Order:
    """One of the buyer's orders; another buyer's order is answered exactly like a missing one."""
    order = buyer_orders(buyer=buyer).filter(number=number).first()
    if order is None:
        raise OrderNotFound(f"No order {number}")
    return order
