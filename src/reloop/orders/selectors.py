"""Order reads, always scoped to the person asking."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from reloop.accounts.models import User
from reloop.core.errors import InvalidInput
from reloop.orders.domain import LineState
from reloop.orders.errors import OrderNotFound
from reloop.orders.models import Order, OrderLine, OrderStatus, SellerOrder
from reloop.sellers.models import Seller


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


def buyer_order(*, buyer: User, number: str, with_units: bool = False) -> Order:
    """One of the buyer's orders; another buyer's order is answered exactly like a missing one. Its parcels come
    along (fulfillment's shipments and tracking events, named, not imported: two more queries for any number);
    ``with_units`` adds the devices shipped (two more)."""
    lookups = ["seller_orders__shipments__events"]
    if with_units:
        lookups.append("seller_orders__shipments__unit_rows__device")
    order = buyer_orders(buyer=buyer).filter(number=number).prefetch_related(*lookups).first()
    if order is None:
        raise OrderNotFound(f"No order {number}")
    return order


# --- Seller side ------------------------------------------------------------------------------------------

#: A seller order's queue follows from its lines: the earliest step any live line still waits for.
SELLER_QUEUES = ("to_accept", "to_ship", "shipped", "delivered", "cancelled")

_AFTER_DELIVERY = (
    LineState.DELIVERED,
    LineState.COMPLETED,
    LineState.RETURN_REQUESTED,
    LineState.RETURNED,
    LineState.REFUNDED,
)


def _has_lines(*states: str) -> Exists:
    return Exists(OrderLine.objects.filter(seller_order=OuterRef("pk"), state__in=states))


def _queue_filter(queue: str) -> Q:
    paid, accepted, shipped = _has_lines(LineState.PAID), _has_lines(LineState.ACCEPTED), _has_lines(LineState.SHIPPED)
    if queue == "to_accept":
        return Q(paid)
    if queue == "to_ship":
        return Q(accepted) & ~Q(paid)
    if queue == "shipped":
        return Q(shipped) & ~Q(paid) & ~Q(accepted)
    if queue == "delivered":
        return Q(_has_lines(*_AFTER_DELIVERY)) & ~Q(paid) & ~Q(accepted) & ~Q(shipped)
    if queue == "cancelled":
        return ~Q(_has_lines(*[s for s in LineState.values if s != LineState.CANCELLED]))
    raise InvalidInput(f"Unknown queue {queue!r}; use one of {', '.join(SELLER_QUEUES)}", code="invalid_queue")


def _seller_orders(*, seller: Seller) -> QuerySet[SellerOrder]:
    return (
        SellerOrder.objects.filter(seller=seller, order__status=OrderStatus.PAID)
        .select_related("order")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.order_by("pk")),
            "shipments__events",  # fulfillment's Shipment and TrackingEvent (a higher layer: named, not imported)
        )
    )


def seller_order_queue(
    *, seller: Seller, queue: str | None = None, market: str | None = None, search: str = ""
) -> QuerySet[SellerOrder]:
    """A seller's paid seller orders, newest first, with order, lines and shipments loaded (four queries for any
    number of rows). ``queue``: one of ``SELLER_QUEUES`` or ``None`` for all; ``search`` matches the order number,
    a line's SKU or product title."""
    orders = _seller_orders(seller=seller)
    if queue:
        orders = orders.filter(_queue_filter(queue))
    if market:
        orders = orders.filter(order__market=market)
    term = search.strip()
    if term:
        matching_lines = OrderLine.objects.filter(seller_order=OuterRef("pk")).filter(
            Q(sku__icontains=term) | Q(product_title__icontains=term)
        )
        orders = orders.filter(Q(order__number__icontains=term) | Q(Exists(matching_lines)))
    return orders.order_by("-order__paid_at", "-pk")


def seller_order_for(*, seller: Seller, seller_order_id: int) -> SellerOrder:
    """One of the seller's paid seller orders with order, lines and shipments; another seller's is not found."""
    part = _seller_orders(seller=seller).filter(pk=seller_order_id).first()
    if part is None:
        raise OrderNotFound(f"No seller order {seller_order_id}")
    return part
