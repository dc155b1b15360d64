"""Public offer endpoints: the buy box per grade and the list of offers of a variant in a market."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from reloop.api.errors import ErrorOut
from reloop.catalog.grading import GRADE_ORDER, Grade
from reloop.catalog.selectors import variant_exists
from reloop.core.errors import NotFound
from reloop.core.money import Money
from reloop.markets.registry import get_market
from reloop.pricing import selectors as pricing
from reloop.pricing.selectors import OfferLine

router = Router(tags=["offers"])


class SellerOut(Schema):
    slug: str
    name: str
    country: str


class OfferOut(Schema):
    id: int
    grade: str
    battery_tier: str
    parts_provenance: str
    replaced_parts: list[str]
    warranty_months: int
    dispatch_days: int
    vat_scheme: str
    in_stock: bool
    price: int = Field(..., description="Minor units of the market's currency")
    currency: str
    formatted_price: str
    seller: SellerOut


class GradeBuyBoxOut(Schema):
    grade: str
    offer_count: int
    price: int | None = Field(None, description="The buy-box price of this grade; null when nothing is on offer")
    offer: OfferOut | None = None


class BuyBoxOut(Schema):
    variant_id: int
    market: str
    currency: str
    grades: list[GradeBuyBoxOut]


class OfferListOut(Schema):
    variant_id: int
    market: str
    grade: str
    count: int
    items: list[OfferOut] = Field(..., description="Best first: the first is the buy box")


class VariantNotFound(NotFound):
    code = "variant_not_found"


def _offer(line: OfferLine, locale: str) -> OfferOut:
    o = line.offer
    return OfferOut(
        id=o.pk,
        grade=o.grade,
        battery_tier=o.battery_tier,
        parts_provenance=o.parts_provenance,
        replaced_parts=list(o.replaced_parts),
        warranty_months=o.warranty_months,
        dispatch_days=o.dispatch_days,
        vat_scheme=o.vat_scheme,
        in_stock=o.stock > 0,
        price=line.price,
        currency=line.currency,
        formatted_price=Money(line.price, line.currency).format(locale),
        seller=SellerOut(slug=line.seller.slug, name=line.seller.name, country=line.seller.country),
    )


def _check_variant(variant_id: int) -> None:
    if not variant_exists(variant_id):
        raise VariantNotFound(f"No variant {variant_id}")


@router.get(
    "/variants/{variant_id}/buybox",
    response={200: BuyBoxOut, 404: ErrorOut, 422: ErrorOut},
    summary="Buy box per grade",
    description="For each grade, the offer a buyer sees first in the market, its price and how many compete.",
)
def buy_box(request: HttpRequest, variant_id: int, market: str = "en-gb") -> dict[str, Any]:
    m = get_market(market)
    _check_variant(variant_id)
    boxes = pricing.buy_boxes(variant_id=variant_id, market=m.code)
    return {
        "variant_id": variant_id,
        "market": m.code,
        "currency": m.currency,
        "grades": [
            {
                "grade": g.value,
                "offer_count": boxes[g].offer_count if g in boxes else 0,
                "price": boxes[g].price if g in boxes else None,
                "offer": _offer(boxes[g].line, m.locale) if g in boxes else None,
            }
            for g in GRADE_ORDER
        ],
    }


@router.get(
    "/variants/{variant_id}/offers",
    response={200: OfferListOut, 404: ErrorOut, 422: ErrorOut},
    summary="Offers of a variant",
    description="Every offer that can be bought in the market for one grade, ranked as the buy box ranks them.",
)
def offers(request: HttpRequest, variant_id: int, grade: Grade, market: str = "en-gb") -> dict[str, Any]:
    m = get_market(market)
    _check_variant(variant_id)
    result = pricing.product_offers(variant_id=variant_id, market=m.code, grade=grade.value)
    lines = [result.buy_box, *result.others] if result.buy_box and result.grade == grade else []
    return {
        "variant_id": variant_id,
        "market": m.code,
        "grade": grade.value,
        "count": len(lines),
        "items": [_offer(line, m.locale) for line in lines if line is not None],
    }
