"""Seller API, trade-in: buy prices (bids) with their rank and price to win, and the seller's trade-ins with their
steps (receive with the IMEI, validate, counter-offer, send back). Same token, rate limits and idempotency keys as
the rest of the seller API (docs/seller-api.md, docs/trade-in.md).

Reads go through ``buyback.selectors`` scoped to the token's seller: another seller's trade-in is answered like a
missing one (404 ``tradein_not_found``). The customer's name, email and bank details are never given.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from reloop.api.errors import ErrorOut
from reloop.api.idempotency import idempotent
from reloop.api.seller import AUTH_ERRORS, PageQuery, SellerIn, SellerTokenAuth
from reloop.buyback import selectors, services
from reloop.buyback.models import TradeIn
from reloop.core.pagination import paginate
from reloop.sellers.models import Seller

router = Router(tags=["seller trade-in"], auth=SellerTokenAuth())

ONE_ERRORS: dict[int, Any] = {**AUTH_ERRORS, 404: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {**ONE_ERRORS, 400: ErrorOut, 409: ErrorOut}


class BidOut(Schema):
    id: int
    variant_id: int
    condition: str = Field(..., examples=["flawless"])
    market: str = Field(..., examples=["fr-fr"])
    price: int = Field(..., description="Minor units of the market's currency paid to the customer")
    currency: str
    active: bool
    rank: int | None = Field(..., description="1 = wins the quote; null = not competing")
    competitors: int
    best_competing_price: int | None = Field(..., description="Never names the competitor")
    price_to_win: int | None


class BidListOut(Schema):
    items: list[BidOut]


class BidIn(SellerIn):
    variant_id: int
    condition: str = Field(..., description="flawless, good, worn, cracked, broken or broken_cracked")
    market: str
    price: int = Field(..., description="Minor units; 1 or more", gt=0)
    active: bool = True


class BidsIn(SellerIn):
    bids: list[BidIn] = Field(..., max_length=500)


class BidQuery(Schema):
    market: str | None = Field(None, max_length=5)


def _bid_rows(seller: Seller, market: str | None = None) -> list[BidOut]:
    return [
        BidOut(
            id=row.bid.pk,
            variant_id=row.bid.variant_id,
            condition=row.bid.condition,
            market=row.bid.market,
            price=row.bid.price,
            currency=row.bid.currency,
            active=row.bid.is_active,
            rank=row.rank,
            competitors=row.competitors,
            best_competing_price=row.best_price,
            price_to_win=row.price_to_win,
        )
        for row in selectors.seller_bids(seller=seller, market=market)
    ]


@router.get(
    "/tradein/bids",
    response={200: BidListOut, **AUTH_ERRORS},
    summary="List my trade-in buy prices",
    description="With each bid's rank in its slot, the best competing price and the price to win (at most 200).",
)
def list_bids(request: HttpRequest, query: Query[BidQuery]) -> dict[str, Any]:
    return {"items": _bid_rows(request.auth, query.market)}  # type: ignore[attr-defined]


@router.put(
    "/tradein/bids",
    response={200: BidListOut, **WRITE_ERRORS},
    summary="Set trade-in buy prices",
    description=(
        "Create or change up to 500 bids (variant × condition × market); `active: false` switches one off. All "
        "are checked before any is written (422 `unknown_variant`, `invalid_condition`, `invalid_price`, "
        "404 `unknown_market`). Requires an `Idempotency-Key`."
    ),
)
@idempotent
def set_bids(request: HttpRequest, payload: BidsIn) -> dict[str, Any]:
    from django.db import transaction

    seller: Seller = request.auth  # type: ignore[attr-defined]
    for item in payload.bids:  # check everything first: nothing written when one is wrong
        services.check_bid_slot(variant_id=item.variant_id, condition=item.condition, market=item.market)
        services.check_bid_price(item.price)
    with transaction.atomic():
        for item in payload.bids:
            services.set_bid(
                actor=None,
                seller=seller,
                variant_id=item.variant_id,
                condition=item.condition,
                market=item.market,
                price=item.price,
                active=item.active,
            )
    return {"items": _bid_rows(seller)}


class TradeInOut(Schema):
    number: str
    state: str
    variant_id: int
    product_title: str
    market: str
    currency: str
    condition_declared: str
    quoted_amount: int
    condition_found: str
    counter_amount: int | None
    agreed_amount: int | None
    fee_amount: int | None
    label_carrier: str
    label_tracking: str
    identifier: str | None = Field(..., description="The IMEI or serial recorded at receipt")
    check_status: str
    accepted_at: dt.datetime
    ship_by: dt.datetime
    received_at: dt.datetime | None
    inspect_due_at: dt.datetime | None
    counter_due_at: dt.datetime | None
    paid_at: dt.datetime | None
    escalation: str


class TradeInListOut(Schema):
    count: int
    page: int
    page_size: int
    items: list[TradeInOut]


class TradeInQuery(PageQuery):
    queue: str | None = Field(None, description=", ".join(selectors.SELLER_QUEUES))


def _tradein(t: TradeIn) -> TradeInOut:
    return TradeInOut(
        number=t.number,
        state=t.state,
        variant_id=t.variant_id,
        product_title=f"{t.variant.product_model.brand.name} {t.variant.product_model.name}",
        market=t.market,
        currency=t.currency,
        condition_declared=t.condition_declared,
        quoted_amount=t.quoted_amount,
        condition_found=t.condition_found,
        counter_amount=t.counter_amount,
        agreed_amount=t.agreed_amount,
        fee_amount=t.fee_amount,
        label_carrier=t.label_carrier,
        label_tracking=t.label_tracking,
        identifier=t.device.identifier if t.device_id and t.device else None,
        check_status=t.check_status,
        accepted_at=t.accepted_at,
        ship_by=t.ship_by,
        received_at=t.received_at,
        inspect_due_at=t.inspect_due_at,
        counter_due_at=t.counter_due_at,
        paid_at=t.paid_at,
        escalation=t.escalation,
    )


@router.get(
    "/tradein/orders",
    response={200: TradeInListOut, **AUTH_ERRORS},
    summary="List my trade-ins",
    description="The token's seller's trade-ins, by queue. Paginated.",
)
def list_tradeins(request: HttpRequest, query: Query[TradeInQuery]) -> dict[str, Any]:
    from reloop.core.errors import InvalidInput

    if query.queue is not None and query.queue not in selectors.SELLER_QUEUES:
        raise InvalidInput(f"Unknown queue {query.queue}", code="invalid_queue")
    qs = selectors.seller_tradeins(seller=request.auth, queue=query.queue).select_related("device")  # type: ignore[attr-defined]
    paged = paginate(qs, page=query.page, page_size=query.page_size)
    return {**paged.meta(), "items": [_tradein(t) for t in paged.items]}


def _one(request: HttpRequest, number: str) -> TradeInOut:
    tradein = selectors.seller_tradein(seller=request.auth, number=number)  # type: ignore[attr-defined]
    return _tradein(tradein)


@router.get(
    "/tradein/orders/{number}",
    response={200: TradeInOut, **ONE_ERRORS},
    summary="Get one of my trade-ins",
    description="Its state, the condition declared and found, the amounts, the ship-by date and the IMEI or serial.",
)
def get_tradein(request: HttpRequest, number: str) -> TradeInOut:
    return _one(request, number)


class ReceiveIn(SellerIn):
    identifier: str = Field(..., max_length=60, description="The IMEI (check digit verified) or serial")


@router.post(
    "/tradein/orders/{number}/receive",
    response={200: TradeInOut, **WRITE_ERRORS},
    summary="Record receipt and the unit's IMEI",
    description="Runs the device checks: a failed one puts the trade-in on hold for the operator (no payment).",
)
@idempotent
def receive(request: HttpRequest, number: str, payload: ReceiveIn) -> TradeInOut:
    services.receive_tradein(actor=None, seller=request.auth, number=number, identifier=payload.identifier)  # type: ignore[attr-defined]
    return _one(request, number)


@router.post(
    "/tradein/orders/{number}/validate",
    response={200: TradeInOut, **WRITE_ERRORS},
    summary="Validate: the device is as described",
    description="The customer is paid the quoted amount; you are charged it plus the trade-in fee.",
)
@idempotent
def validate(request: HttpRequest, number: str) -> TradeInOut:
    services.validate_tradein(actor=None, seller=request.auth, number=number)  # type: ignore[attr-defined]
    return _one(request, number)


class CounterIn(SellerIn):
    condition_found: str
    amount: int = Field(..., gt=0, description="Minor units, below the quote")
    reason: str = Field(..., min_length=1, max_length=1000)


@router.post(
    "/tradein/orders/{number}/counter-offer",
    response={200: TradeInOut, **WRITE_ERRORS},
    summary="Make a counter-offer",
    description="Photos can be attached in the back office. The customer accepts (paid) or refuses (sent back).",
)
@idempotent
def counter(request: HttpRequest, number: str, payload: CounterIn) -> TradeInOut:
    services.counter_offer(
        actor=None,
        seller=request.auth,  # type: ignore[attr-defined]
        number=number,
        condition_found=payload.condition_found,
        amount=payload.amount,
        reason=payload.reason,
    )
    return _one(request, number)


class ReturnIn(SellerIn):
    carrier: str
    tracking_number: str = Field(..., max_length=40)


@router.post(
    "/tradein/orders/{number}/return",
    response={200: TradeInOut, **WRITE_ERRORS},
    summary="The device was sent back to the customer (at your cost)",
    description="After a refused counter-offer or a failed check: the carrier and tracking number of the parcel.",
)
@idempotent
def send_back(request: HttpRequest, number: str, payload: ReturnIn) -> TradeInOut:
    services.return_device(
        actor=None,
        seller=request.auth,  # type: ignore[attr-defined]
        number=number,
        carrier=payload.carrier,
        tracking_number=payload.tracking_number,
    )
    return _one(request, number)
