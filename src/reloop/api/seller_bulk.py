"""Seller API, bulk update: up to 1,000 offers' stock, prices and active flag in one call (``offers.bulk``).

Each item is answered on its own (``updated``, ``unchanged`` or ``error`` with codes); the valid items are applied
in one transaction. The buy boxes they can move are marked stale and ranked in batches with other calls' changes,
within seconds of the answer (ADR 0044): a repricing tool's hundred calls rank the catalogue a few times, not a
hundred; checkout reads the live price and stock, so a buyer never pays a stale price. ``all_or_nothing`` writes
nothing when any item is refused. Idempotent: a retried call with the same ``Idempotency-Key`` gets the first answer
and changes nothing more.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from pydantic import BaseModel, ConfigDict

from reloop.api.errors import ErrorOut
from reloop.api.idempotency import idempotent
from reloop.api.seller import SellerIn, SellerTokenAuth, offer_writer
from reloop.core.errors import InvalidInput
from reloop.core.money import Money
from reloop.markets.registry import UnknownMarket, get_market
from reloop.offers.bulk import Action, apply_changes
from reloop.offers.csv_io import LineError, OfferChange
from reloop.offers.services import check_prices, check_sku, check_stock

router = Router(tags=["seller"], auth=SellerTokenAuth())

#: Items per call; a larger feed is sent in several calls (each with its own Idempotency-Key).
MAX_ITEMS = 1_000

BULK_ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut}


class _Plain(BaseModel):
    """An item of a bulk call (in or out), a plain pydantic model: a ninja ``Schema`` with ``extra = "forbid"``
    validates its input twice and reads it through a Django getter, which cost ~0.2 s of a 1,000-item call. Unknown
    fields are still refused; NUL characters are refused by ``BulkIn``, which checks the whole raw item list."""

    model_config = ConfigDict(extra="forbid")


class BulkItemIn(_Plain):
    sku: str = Field(..., min_length=1, max_length=64, description="The offer's SKU (an existing offer)")
    stock: int | None = Field(None, description="Absolute stock shared by every market (0–100,000)")
    prices: dict[str, int | None] | None = Field(
        None,
        description="Market → price in minor units of the market's currency; null stops selling in that market. "
        "Markets not listed are unchanged.",
        examples=[{"en-gb": 27900, "fr-fr": 32900, "de-de": None}],
    )
    active: bool | None = Field(None, description="false takes the offer off sale everywhere")


class BulkIn(SellerIn):
    items: list[BulkItemIn] = Field(..., min_length=1, max_length=MAX_ITEMS)
    all_or_nothing: bool = Field(False, description="Write nothing if any item is refused")

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "items": [
                        {"sku": "IP13-128-MID-GOOD", "stock": 12, "prices": {"en-gb": 27900, "fr-fr": 32900}},
                        {"sku": "IP12-64-BLK-FAIR", "stock": 0},
                        {"sku": "PIX7-128-SNOW-EXC", "prices": {"de-de": None}, "active": True},
                    ]
                }
            ]
        }
    }


class ItemErrorOut(_Plain):
    field: str = Field(..., examples=["prices.en-gb"])
    code: str = Field(..., examples=["invalid_price"])
    message: str


class BulkItemOut(_Plain):
    index: int = Field(..., description="Position of the item in the request, from 0")
    sku: str
    result: Literal["updated", "unchanged", "error"]
    offer_id: int | None = None
    errors: list[ItemErrorOut] = Field(default_factory=list)


class BulkOut(Schema):
    applied: bool = Field(..., description="false only with all_or_nothing and at least one refused item")
    updated: int
    unchanged: int
    errors: int
    items: list[BulkItemOut]


def _field(column: str) -> str:
    return f"prices.{column.removeprefix('price_')}" if column.startswith("price_") else column


def _read(index: int, item: BulkItemIn) -> tuple[OfferChange | None, list[LineError]]:
    """The item as a change, or what is wrong with its values (the same rules as the CSV import)."""
    errors: list[LineError] = []
    sku = item.sku
    try:
        sku = check_sku(item.sku)
    except InvalidInput as exc:
        errors.append(LineError(index, "sku", item.sku, exc.code, exc.message))
    if item.stock is not None:
        try:
            check_stock(item.stock)
        except InvalidInput as exc:
            errors.append(LineError(index, "stock", str(item.stock), exc.code, exc.message))
    prices: dict[str, Money | None] = {}
    for code, amount in (item.prices or {}).items():
        try:
            market = get_market(code)
            if market.code in prices:  # "en-gb" and "EN-GB": one market, two prices
                raise InvalidInput(
                    _("Market %(market)s is given twice") % {"market": market.code}, code="duplicate_market"
                )
            if amount is None:
                prices[market.code] = None
                continue
            money = Money(amount, market.currency)
            check_prices({market.code: money})
            prices[market.code] = money
        except UnknownMarket as exc:
            errors.append(LineError(index, f"price_{code}", str(amount), "unknown_market", exc.message))
        except InvalidInput as exc:
            errors.append(LineError(index, f"price_{code}", str(amount), exc.code, exc.message))
    if errors:
        return None, errors
    return OfferChange(line=index, sku=sku, stock=item.stock, active=item.active, prices=prices), []


@router.post(
    "/offers/bulk",
    response={200: BulkOut, **BULK_ERRORS},
    summary="Update many offers at once",
    description=(
        f"Stock, prices per market (minor units; null stops selling there) and the active flag of up to {MAX_ITEMS:,} "
        "of your offers, matched by SKU. Each item gets its own result: `updated`, `unchanged`, or `error` with "
        "codes (`offer_not_found`, `duplicate_sku`, `invalid_stock`, `invalid_price`, `unknown_market`…). Valid "
        "items are applied in one transaction (none when `all_or_nothing` is set and any item is refused); buy "
        "boxes follow within seconds (ranked in batches across calls; checkout always charges the live price). "
        "Requires an `Idempotency-Key`. Creating offers: "
        "`POST /offers` or the CSV import."
    ),
)
@idempotent
def bulk_update(request: HttpRequest, payload: BulkIn) -> BulkOut:
    seller = offer_writer(request)
    changes: list[OfferChange] = []
    refused: list[LineError] = []
    for index, item in enumerate(payload.items):
        change, errors = _read(index, item)
        if change is not None:
            changes.append(change)
        refused.extend(errors)
    plan = apply_changes(
        seller=seller,
        changes=changes,
        errors=refused,
        lines=len(payload.items),
        all_or_nothing=payload.all_or_nothing,
        allow_create=False,
        defer_buy_boxes=True,  # ranked in batches across calls, within seconds (ADR 0044)
    )
    errors_by_item: dict[int, list[ItemErrorOut]] = {}
    for e in plan.errors:
        errors_by_item.setdefault(e.line, []).append(
            ItemErrorOut(field=_field(e.column), code=e.code, message=e.message)
        )
    outcomes = {o.line: o for o in plan.outcomes}
    applied = not (payload.all_or_nothing and plan.errors)
    items: list[BulkItemOut] = []
    for index, item in enumerate(payload.items):
        outcome = outcomes.get(index)
        action = outcome.action if outcome is not None else Action.ERROR
        result: Literal["updated", "unchanged", "error"] = (
            "error" if action == Action.ERROR else "updated" if action == Action.UPDATED else "unchanged"
        )
        if not applied and result == "updated":
            errors_by_item.setdefault(index, []).append(
                ItemErrorOut(
                    field="", code="not_applied", message=_("Not applied: another item was refused (all_or_nothing)")
                )
            )
            result = "error"
        items.append(
            BulkItemOut(
                index=index,
                sku=item.sku,
                result=result,
                offer_id=outcome.offer_id if outcome is not None else None,
                errors=errors_by_item.get(index, []),
            )
        )
    summary = plan.summary
    return BulkOut(
        applied=applied,
        updated=summary.updated if applied else 0,
        unchanged=summary.unchanged,
        errors=sum(1 for i in items if i.result == "error"),
        items=items,
    )
