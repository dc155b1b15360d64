"""Seller API, offer writes: create, edit terms and (de)activate, set and remove prices, set or adjust stock.

Every route goes through ``offers.services`` (which validate and raise stable codes); every one takes an
``Idempotency-Key`` (required on POST). A suspended seller may still read and handle orders, but not change its
offers: 403 ``seller_suspended`` (docs/seller-api.md).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Status

from reloop.api.errors import ErrorOut
from reloop.api.idempotency import idempotent
from reloop.api.seller import SellerIn, SellerOfferOut, _offer, offer_writer, router
from reloop.catalog.grading import BatteryTier, Grade, PartsProvenance
from reloop.core.money import Money
from reloop.markets.registry import UnknownMarket, get_market
from reloop.offers import services
from reloop.offers.errors import InvalidOffer
from reloop.offers.models import MIN_WARRANTY_MONTHS, VatScheme
from reloop.offers.selectors import seller_offer

# The seller router itself: these routes share paths with its reads (``/offers/{offer_id}``), and Django
# resolves one path to one router. ``api.urls`` imports this module so the routes are registered.
WRITE_ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}
ONE_OFFER_WRITE_ERRORS: dict[int, Any] = {**WRITE_ERRORS, 404: ErrorOut}

__all__ = ["router"]

MARKET_PATTERN = r"^[a-z]{2}-[a-z]{2}$"


class PriceIn(SellerIn):
    """A price in one market, in minor units of the market's currency (pence, cents; yen have none)."""

    market: str = Field(..., pattern=MARKET_PATTERN, examples=["en-gb"])
    amount: int = Field(..., gt=0, le=10**10, description="Minor units", examples=[27900])
    currency: str | None = Field(
        None, pattern=r"^[A-Z]{3}$", description="Optional; must be the market's currency", examples=["GBP"]
    )

    model_config = {"json_schema_extra": {"examples": [{"market": "en-gb", "amount": 27900}]}}


class OfferCreateIn(SellerIn):
    """A new offer: one variant of the catalogue in one condition, with its stock and prices."""

    sku: str = Field(..., min_length=1, max_length=64, description="Your own reference, unique among your offers")
    variant_id: int = Field(..., ge=1, description="The catalogue variant (see /api/v1/catalog/)")
    grade: Grade
    battery_tier: BatteryTier = BatteryTier.STANDARD
    parts_provenance: PartsProvenance = PartsProvenance.ALL_ORIGINAL
    replaced_parts: list[str] = Field(
        default_factory=list, max_length=20, description="Required unless all parts are original"
    )
    warranty_months: int = Field(MIN_WARRANTY_MONTHS, ge=0, le=1000)
    dispatch_days: int = Field(1, ge=0, le=1000)
    vat_scheme: VatScheme = VatScheme.MARGIN
    stock: int = Field(..., ge=0, le=10**9)
    prices: list[PriceIn] = Field(default_factory=list, max_length=50, description="One per market sold in")

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "sku": "IP13-128-MID-GOOD",
                    "variant_id": 42,
                    "grade": "good",
                    "battery_tier": "high",
                    "parts_provenance": "all_original",
                    "replaced_parts": [],
                    "warranty_months": 12,
                    "dispatch_days": 1,
                    "vat_scheme": "margin",
                    "stock": 8,
                    "prices": [{"market": "en-gb", "amount": 27900}, {"market": "fr-fr", "amount": 32900}],
                }
            ]
        }
    }


class OfferUpdateIn(SellerIn):
    """Fields to change; the others stay as they are. The variant and the SKU cannot change."""

    grade: Grade | None = None
    battery_tier: BatteryTier | None = None
    parts_provenance: PartsProvenance | None = None
    replaced_parts: list[str] | None = Field(None, max_length=20)
    warranty_months: int | None = Field(None, ge=0, le=1000)
    dispatch_days: int | None = Field(None, ge=0, le=1000)
    vat_scheme: VatScheme | None = None
    active: bool | None = Field(None, description="false takes the offer off sale without deleting it")

    model_config = {"json_schema_extra": {"examples": [{"warranty_months": 24, "dispatch_days": 2, "active": True}]}}


class PriceSetIn(SellerIn):
    """The price in the market named in the path."""

    amount: int = Field(..., gt=0, le=10**10, description="Minor units of the market's currency", examples=[27900])
    currency: str | None = Field(None, pattern=r"^[A-Z]{3}$", description="Optional; must be the market's currency")

    model_config = {"json_schema_extra": {"examples": [{"amount": 26900, "currency": "GBP"}]}}


class StockIn(SellerIn):
    """Exactly one of ``stock`` (an absolute count, e.g. after a stock take) or ``delta`` (units added or taken)."""

    stock: int | None = Field(None, ge=0, le=10**9, examples=[12])
    delta: int | None = Field(None, ge=-(10**9), le=10**9, examples=[-2])

    model_config = {"json_schema_extra": {"examples": [{"stock": 12}, {"delta": -2}]}}


def _market_code(market: str) -> str:
    try:
        return get_market(market).code
    except UnknownMarket as exc:  # a 404 elsewhere; here the request names a market that does not exist: a 422
        raise InvalidOffer(exc.message, code="unknown_market") from exc


def _prices(prices: list[PriceIn]) -> dict[str, Money]:
    """Prices by market code; the currency defaults to the market's (a wrong one is refused by the service)."""
    result: dict[str, Money] = {}
    for price in prices:
        code = _market_code(price.market)
        if code in result:
            raise InvalidOffer(_("Market %(market)s is given twice") % {"market": code}, code="duplicate_market")
        result[code] = Money(price.amount, price.currency or get_market(code).currency)
    return result


@router.post(
    "/offers",
    response={201: SellerOfferOut, **WRITE_ERRORS},
    summary="Create an offer",
    description=(
        "List a new offer against a catalogue variant. Refused with 422 (`invalid_grade`, `invalid_warranty`, "
        "`unknown_variant`, `unknown_market`, `wrong_currency`…) or 409 (`duplicate_sku`, `duplicate_offer`) "
        "without writing anything. Requires an `Idempotency-Key`."
    ),
)
@idempotent
def create_offer(request: HttpRequest, payload: OfferCreateIn) -> Status[SellerOfferOut]:
    seller = offer_writer(request)
    offer = services.create_offer(
        seller=seller,
        sku=payload.sku,
        terms=services.OfferTerms(
            variant_id=payload.variant_id,
            grade=payload.grade.value,
            battery_tier=payload.battery_tier.value,
            parts_provenance=payload.parts_provenance.value,
            replaced_parts=tuple(payload.replaced_parts),
            warranty_months=payload.warranty_months,
            dispatch_days=payload.dispatch_days,
            vat_scheme=payload.vat_scheme.value,
        ),
        stock=payload.stock,
        prices=_prices(payload.prices),
    )
    return Status(201, _offer(seller_offer(seller=seller, offer_id=offer.pk)))


@router.patch(
    "/offers/{offer_id}",
    response={200: SellerOfferOut, **ONE_OFFER_WRITE_ERRORS},
    summary="Change an offer's terms or take it off sale",
    description=(
        "Only the fields sent change. The variant and SKU are fixed: list a new offer instead. "
        "404 `offer_not_found` for a missing offer and another seller's alike."
    ),
)
@idempotent
def update_offer(request: HttpRequest, offer_id: int, payload: OfferUpdateIn) -> SellerOfferOut:
    seller = offer_writer(request)
    offer = seller_offer(seller=seller, offer_id=offer_id)
    changes = payload.model_dump(exclude_unset=True, exclude_none=True)
    active = changes.pop("active", None)
    if changes:
        terms = services.OfferTerms(
            variant_id=offer.variant_id,
            grade=str(changes.get("grade", offer.grade)),
            battery_tier=str(changes.get("battery_tier", offer.battery_tier)),
            parts_provenance=str(changes.get("parts_provenance", offer.parts_provenance)),
            replaced_parts=tuple(changes.get("replaced_parts", offer.replaced_parts)),
            warranty_months=changes.get("warranty_months", offer.warranty_months),
            dispatch_days=changes.get("dispatch_days", offer.dispatch_days),
            vat_scheme=str(changes.get("vat_scheme", offer.vat_scheme)),
        )
        services.update_offer_terms(seller=seller, offer_id=offer.pk, terms=terms)
    if active is not None:
        services.set_offer_active(seller=seller, offer_id=offer.pk, active=active)
    return _offer(seller_offer(seller=seller, offer_id=offer.pk))


@router.put(
    "/offers/{offer_id}/prices/{market}",
    response={200: SellerOfferOut, **ONE_OFFER_WRITE_ERRORS},
    summary="Set an offer's price in one market",
    description="Creates or replaces the price; the offer is then sold in that market.",
)
@idempotent
def set_price(request: HttpRequest, offer_id: int, market: str, payload: PriceSetIn) -> SellerOfferOut:
    seller = offer_writer(request)
    code = _market_code(market)  # first: a path that is no market code is a 422, not a PriceIn validation crash
    prices = _prices([PriceIn(market=code, amount=payload.amount, currency=payload.currency)])
    services.set_offer_prices(seller=seller, offer_id=offer_id, prices=prices)
    return _offer(seller_offer(seller=seller, offer_id=offer_id))


@router.delete(
    "/offers/{offer_id}/prices/{market}",
    response={200: SellerOfferOut, **ONE_OFFER_WRITE_ERRORS},
    summary="Stop selling an offer in one market",
    description="Removes the price in that market (nothing happens when there was none).",
)
@idempotent
def remove_price(request: HttpRequest, offer_id: int, market: str) -> SellerOfferOut:
    seller = offer_writer(request)
    services.set_offer_prices(seller=seller, offer_id=offer_id, prices={}, remove=[_market_code(market)])
    return _offer(seller_offer(seller=seller, offer_id=offer_id))


@router.post(
    "/offers/{offer_id}/stock",
    response={200: SellerOfferOut, **ONE_OFFER_WRITE_ERRORS},
    summary="Set or adjust an offer's stock",
    description=(
        "Send `stock` to set an absolute count or `delta` to add (positive) or take (negative) units; a delta "
        "that would go below zero is 409 `insufficient_stock` and changes nothing. Stock is shared by every "
        "market. Requires an `Idempotency-Key`, so a retried delta is applied once."
    ),
)
@idempotent
def change_stock(request: HttpRequest, offer_id: int, payload: StockIn) -> SellerOfferOut:
    seller = offer_writer(request)
    if (payload.stock is None) == (payload.delta is None):
        raise InvalidOffer(_("Send exactly one of stock or delta"), code="invalid_stock")
    if payload.stock is not None:
        services.set_stock(seller=seller, offer_id=offer_id, stock=payload.stock)
    else:
        services.adjust_stock(seller=seller, offer_id=offer_id, delta=payload.delta or 0)
    return _offer(seller_offer(seller=seller, offer_id=offer_id))
