"""Seller API, orders: the seller's order queues, one order, and accepting, cancelling and shipping it.

Reads go through ``orders.selectors`` (scoped to the token's seller: another seller's order is answered exactly
like a missing one, 404 ``order_not_found``); writes through the orders, checkout and fulfillment services, each
with an ``Idempotency-Key``. A suspended seller may still handle its orders, so its buyers are served.

The buyer's shipping address is given only while the order has something to ship or on its way (name, address,
phone for the carrier; never the buyer's email or account) and is withheld once every line is delivered or
cancelled.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import field_validator

from reloop.api.catalog import Paginated
from reloop.api.errors import ErrorOut
from reloop.api.idempotency import idempotent
from reloop.api.seller import AUTH_ERRORS, PageQuery, SellerIn, SellerTokenAuth
from reloop.checkout import services as checkout_services
from reloop.core.errors import InvalidInput
from reloop.core.pagination import paginate
from reloop.fulfillment.services import ship_seller_order
from reloop.orders.domain import LineState, seller_order_queue_of
from reloop.orders.models import SellerOrder
from reloop.orders.selectors import SELLER_QUEUES, seller_order_for, seller_order_queue
from reloop.orders.services import accept_seller_order
from reloop.sellers.models import Seller

router = Router(tags=["seller orders"], auth=SellerTokenAuth())

ONE_ORDER_ERRORS: dict[int, Any] = {**AUTH_ERRORS, 404: ErrorOut}
ORDER_WRITE_ERRORS: dict[int, Any] = {**ONE_ORDER_ERRORS, 400: ErrorOut, 409: ErrorOut}

#: While a line is in one of these states the seller still needs the address (to ship, or for a carrier query).
_ADDRESS_STATES = frozenset({LineState.PAID, LineState.ACCEPTED, LineState.SHIPPED})
_ADDRESS_FIELDS = ("full_name", "line1", "line2", "postal_code", "city", "region", "country", "phone")


class OrderLineOut(Schema):
    """What the buyer bought from the seller, as it was at checkout, and where the line is now."""

    id: int = Field(..., description="The line id to name in `ship`")
    offer_id: int
    sku: str
    product_title: str = Field(..., examples=["Apple iPhone 13"])
    variant_label: str = Field(..., examples=["128 GB · Midnight"])
    grade: str
    battery_tier: str
    parts_provenance: str
    quantity: int
    unit_price: int = Field(..., description="Minor units of the order's currency")
    line_total: int
    state: str = Field(..., examples=["paid"], description="paid, accepted, shipped, delivered, cancelled…")
    accepted_at: dt.datetime | None
    shipped_at: dt.datetime | None
    delivered_at: dt.datetime | None


class ShipmentOut(Schema):
    """The parcel of a seller order: carrier, tracking and the units it holds."""

    id: int
    carrier: str = Field(..., examples=["royal_mail"])
    tracking_number: str = Field(..., examples=["AB123456789GB"])
    status: str
    shipped_at: dt.datetime
    expected_delivery: dt.date
    delivered_at: dt.datetime | None
    units: dict[str, list[str]] = Field(..., description="Line id → the IMEIs or serials shipped")


class ShippingAddressOut(Schema):
    """Where to ship: only what a carrier needs, and only while something is to ship."""

    full_name: str
    line1: str
    line2: str
    postal_code: str
    city: str
    region: str
    country: str
    phone: str


class SellerOrderOut(Schema):
    """The seller's part of a buyer's order: its lines, totals, shipments and address."""

    id: int = Field(..., description="The seller order id (one per seller in a checkout)")
    number: str = Field(..., description="The buyer's order number", examples=["RL-7K2M9Q"])
    market: str
    currency: str
    queue: str = Field(..., description="to_accept, to_ship, shipped, delivered or cancelled")
    placed_at: dt.datetime | None
    shipping_method: str
    items_total: int
    shipping_amount: int
    total: int
    commission: int = Field(..., description="Platform commission in minor units")
    lines: list[OrderLineOut]
    shipments: list[ShipmentOut]
    shipping_address: ShippingAddressOut | None = Field(
        None, description="Only while something is to ship or on its way; null after"
    )


class SellerOrderListOut(Paginated):
    """A page of the seller's orders, newest first."""

    items: list[SellerOrderOut]


class OrderQuery(PageQuery):
    """Filters and page of the orders list."""

    queue: str | None = Field(None, description=f"One of {', '.join(SELLER_QUEUES)}", examples=["to_ship"])
    market: str | None = Field(None, pattern=r"^[a-z]{2}-[a-z]{2}$", examples=["fr-fr"])
    since: dt.datetime | None = Field(
        None, description="Only orders paid at or after this moment (ISO 8601; UTC when it has no offset)"
    )
    number: str | None = Field(None, max_length=20, description="Exact order number")

    @field_validator("since")
    @classmethod
    def _since_in_utc(cls, value: dt.datetime | None) -> dt.datetime | None:
        """A moment without an offset is UTC; one that leaves the calendar once in UTC is refused (a 422)."""
        if value is None:
            return None
        try:
            return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
        except OverflowError as exc:
            raise ValueError("since is out of range once converted to UTC") from exc


class CancelIn(SellerIn):
    """Why the seller cancels (shown to the buyer; counts against the cancellation rate)."""

    reason: str = Field(..., min_length=1, max_length=300, examples=["Unit failed final testing"])

    model_config = {"json_schema_extra": {"examples": [{"reason": "Unit failed final testing"}]}}


class ShipUnitsIn(SellerIn):
    """The units of one line: one IMEI or serial per unit ordered."""

    line_id: int = Field(..., ge=1)
    identifiers: list[str] = Field(
        ..., min_length=1, max_length=100, description="One IMEI (15 digits, Luhn-checked) or serial per unit"
    )


class ShipIn(SellerIn):
    """One parcel with every live line of the order; final once accepted (an exact replay is answered the same)."""

    carrier: str = Field(..., min_length=1, max_length=20, examples=["colissimo"])
    tracking_number: str = Field(..., min_length=1, max_length=60, examples=["6A12345678901"])
    units: list[ShipUnitsIn] = Field(..., min_length=1, max_length=100)

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "carrier": "colissimo",
                    "tracking_number": "6A12345678901",
                    "units": [{"line_id": 501, "identifiers": ["356938035643809"]}],
                }
            ]
        }
    }


def _order(part: SellerOrder) -> SellerOrderOut:
    lines = list(part.lines.all())
    address = None
    if any(line.state in _ADDRESS_STATES for line in lines):
        raw = part.order.shipping_address or {}
        address = ShippingAddressOut(**{name: str(raw.get(name, "")) for name in _ADDRESS_FIELDS})
    return SellerOrderOut(
        id=part.pk,
        number=part.order.number,
        market=part.order.market,
        currency=part.order.currency,
        queue=seller_order_queue_of({line.state for line in lines}),
        placed_at=part.order.paid_at,
        shipping_method=part.shipping_method,
        items_total=part.items_total,
        shipping_amount=part.shipping_amount,
        total=part.total,
        commission=part.commission,
        lines=[
            OrderLineOut(
                id=line.pk,
                offer_id=line.offer_id,
                sku=line.sku,
                product_title=line.product_title,
                variant_label=line.variant_label,
                grade=line.grade,
                battery_tier=line.battery_tier,
                parts_provenance=line.parts_provenance,
                quantity=line.quantity,
                unit_price=line.unit_price,
                line_total=line.line_total,
                state=line.state,
                accepted_at=line.accepted_at,
                shipped_at=line.shipped_at,
                delivered_at=line.delivered_at,
            )
            for line in lines
        ],
        shipments=[
            ShipmentOut(
                id=s.pk,
                carrier=s.carrier,
                tracking_number=s.tracking_number,
                status=s.status,
                shipped_at=s.shipped_at,
                expected_delivery=s.expected_delivery,
                delivered_at=s.delivered_at,
                units={str(k): list(v) for k, v in (s.units or {}).items()},
            )
            for s in part.shipments.all()
        ],
        shipping_address=address,
    )


@router.get(
    "/orders",
    response={200: SellerOrderListOut, **AUTH_ERRORS},
    summary="List my orders",
    description=(
        "The token's seller's paid orders, newest first, with lines and shipments. Filter by `queue` "
        f"({', '.join(SELLER_QUEUES)}), `market`, `since` (paid at or after) and exact `number`. Paginated."
    ),
)
def list_orders(request: HttpRequest, query: Query[OrderQuery]) -> dict[str, Any]:
    seller: Seller = request.auth  # type: ignore[attr-defined]  # set by SellerTokenAuth
    if query.queue is not None and query.queue not in SELLER_QUEUES:
        raise InvalidInput(
            _("Unknown queue %(queue)s; use one of %(choices)s")
            % {"queue": query.queue, "choices": ", ".join(SELLER_QUEUES)},
            code="invalid_queue",
        )
    qs = seller_order_queue(seller=seller, queue=query.queue, market=query.market)
    if query.since is not None:
        qs = qs.filter(order__paid_at__gte=query.since)
    if query.number:
        qs = qs.filter(order__number=query.number)
    paged = paginate(qs, page=query.page, page_size=query.page_size)
    return {**paged.meta(), "items": [_order(part) for part in paged.items]}


@router.get(
    "/orders/{order_id}",
    response={200: SellerOrderOut, **ONE_ORDER_ERRORS},
    summary="Get one of my orders",
    description="404 `order_not_found` for a missing order and another seller's alike.",
)
def get_order(request: HttpRequest, order_id: int) -> SellerOrderOut:
    return _order(seller_order_for(seller=request.auth, seller_order_id=order_id))  # type: ignore[attr-defined]


@router.post(
    "/orders/{order_id}/accept",
    response={200: SellerOrderOut, **ORDER_WRITE_ERRORS},
    summary="Accept an order",
    description=(
        "Every paid line becomes accepted (within 1 business day of payment, or the line is auto-cancelled). "
        "Accepting an accepted order changes nothing; 409 `nothing_to_accept` when every line is cancelled or "
        "shipped. Requires an `Idempotency-Key`."
    ),
)
@idempotent
def accept_order(request: HttpRequest, order_id: int) -> SellerOrderOut:
    seller: Seller = request.auth  # type: ignore[attr-defined]
    return _order(accept_seller_order(actor=None, seller=seller, seller_order_id=order_id))


@router.post(
    "/orders/{order_id}/cancel",
    response={200: SellerOrderOut, **ORDER_WRITE_ERRORS},
    summary="Cancel an order",
    description=(
        "Cancels every line not shipped yet: the units go back to stock and the buyer is refunded. A reason "
        "(1–300 characters) is required and shown to the buyer; cancellations count against the seller's "
        "quality score. Requires an `Idempotency-Key`."
    ),
)
@idempotent
def cancel_order(request: HttpRequest, order_id: int, payload: CancelIn) -> SellerOrderOut:
    seller: Seller = request.auth  # type: ignore[attr-defined]
    checkout_services.cancel_seller_order(
        actor=None, seller=seller, seller_order_id=order_id, reason=payload.reason, actor_kind="seller"
    )
    return _order(seller_order_for(seller=seller, seller_order_id=order_id))


@router.post(
    "/orders/{order_id}/ship",
    response={200: SellerOrderOut, **ORDER_WRITE_ERRORS},
    summary="Ship an order",
    description=(
        "Every live line ships in one parcel: carrier code, tracking number and one IMEI (checked with its Luhn "
        "digit) or serial per unit. A paid line is accepted and shipped at once. Final: a second, different call "
        "is 409 `already_shipped`; errors such as `unknown_carrier`, `invalid_imei`, `missing_units`, "
        "`wrong_unit_count` are 422. Requires an `Idempotency-Key`."
    ),
)
@idempotent
def ship_order(request: HttpRequest, order_id: int, payload: ShipIn) -> SellerOrderOut:
    seller: Seller = request.auth  # type: ignore[attr-defined]
    units: dict[int, list[str]] = {}
    for entry in payload.units:
        if entry.line_id in units:
            raise InvalidInput(_("Line %(line)s is given twice") % {"line": entry.line_id}, code="duplicate_line")
        units[entry.line_id] = list(entry.identifiers)
    ship_seller_order(
        actor=None,
        seller=seller,
        seller_order_id=order_id,
        carrier=payload.carrier,
        tracking_number=payload.tracking_number,
        units=units,
    )
    return _order(seller_order_for(seller=seller, seller_order_id=order_id))
