"""Seller API (token auth): a seller's own offers and how they compete. Every read is scoped to the token's seller;
another seller's offer is answered exactly like a missing one.

Token policy by seller standing (docs/seller-api.md): an active seller may do everything; a suspended seller keeps
reads and order handling (its buyers must still be served) but its offer writes are 403 ``seller_suspended``; a
pending seller (not yet approved) is 403 ``seller_not_approved`` on every route. Every authenticated request is
counted against the token's rate limit (``api.ratelimit``).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.security import HttpBearer
from pydantic import field_validator

from reloop.api.catalog import Paginated
from reloop.api.errors import ErrorOut
from reloop.api.ratelimit import check_rate_limit
from reloop.catalog.grading import Grade
from reloop.core.errors import DomainError
from reloop.core.pagination import paginate
from reloop.offers.models import Offer
from reloop.offers.selectors import seller_offer, seller_offers
from reloop.offers.services import check_may_change_offers
from reloop.pricing.selectors import Competition, competition
from reloop.sellers.models import Seller, Standing
from reloop.sellers.selectors import hash_token, seller_for_token


class SellerNotApproved(DomainError):
    code = "seller_not_approved"
    http_status = 403


class SellerTokenAuth(HttpBearer):
    """``Authorization: Bearer rlp_…``; a missing, unknown or revoked token is a 401 ``unauthenticated``, a pending
    seller's a 403 ``seller_not_approved``; past the token's rate limit a 429 ``rate_limited``."""

    openapi_description = (
        "A seller API token (`rlp_…`), created in the back office or with "
        "`reloop seller_token create --seller SLUG --name NAME`; shown once, stored hashed."
    )

    def authenticate(self, request: HttpRequest, token: str) -> Seller | None:
        seller = seller_for_token(token)
        if seller is None:
            return None
        if seller.standing == Standing.PENDING:
            raise SellerNotApproved(_("Your seller account is not approved yet: the API opens once it is"))
        check_rate_limit(request, token_digest=hash_token(token))
        return seller


def offer_writer(request: HttpRequest) -> Seller:
    """The token's seller, if it may change its offers (a suspended seller may not)."""
    seller: Seller = request.auth  # type: ignore[attr-defined]  # set by SellerTokenAuth
    check_may_change_offers(seller)
    return seller


router = Router(tags=["seller"], auth=SellerTokenAuth())

AUTH_ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut}
ONE_OFFER_ERRORS: dict[int, Any] = {**AUTH_ERRORS, 404: ErrorOut}


def refuse_nul(value: Any) -> Any:
    """``value`` unchanged, or a ``ValueError`` (a 422) if a string in it holds a NUL character: no text has one,
    and PostgreSQL can neither store nor compare it (a 500 otherwise)."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("Text cannot contain a NUL character")
    elif isinstance(value, dict):
        for key, item in value.items():
            refuse_nul(key)
            refuse_nul(item)
    elif isinstance(value, list | tuple):
        for item in value:
            refuse_nul(item)
    return value


class SellerIn(Schema):
    """A request body of the seller API: an unknown field is a 422, not silently ignored (a typo must not pass);
    so is a NUL character in any string."""

    model_config = {"extra": "forbid"}

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return refuse_nul(value)


class SellerPriceOut(Schema):
    """The offer's price in one market."""

    market: str
    amount: int = Field(..., description="Minor units of the market's currency", examples=[27900])
    currency: str = Field(..., examples=["GBP"])


class SellerOfferOut(Schema):
    """One of the seller's offers: the catalogue variant, its condition, terms, stock and prices."""

    id: int
    sku: str
    variant_id: int
    product_title: str = Field(..., examples=["Apple iPhone 13"])
    variant_label: str = Field(..., examples=["128 GB · Midnight"])
    grade: str
    battery_tier: str
    parts_provenance: str
    replaced_parts: list[str]
    stock: int
    warranty_months: int
    dispatch_days: int
    vat_scheme: str
    is_active: bool
    prices: list[SellerPriceOut] = Field(..., description="One per market the offer is sold in")


class SellerOfferListOut(Paginated):
    """A page of the seller's offers, oldest first."""

    items: list[SellerOfferOut]


class MarketCompetitionOut(Schema):
    """How an offer competes for the buy box of its variant and grade in one market."""

    market: str
    currency: str
    price: int = Field(..., description="This offer's price (minor units)")
    is_winning: bool = Field(..., description="This offer holds the buy box of its variant and grade")
    winner_price: int | None = Field(None, description="The buy-box price; null when no offer can win")
    price_to_win: int | None = Field(
        None, description="Highest price that would win, all else unchanged; null when it cannot win at any price"
    )
    offer_count: int = Field(..., description="Eligible offers competing, this one included when eligible")


class OfferCompetitionOut(Schema):
    """An offer's competition in every market it is priced in."""

    offer_id: int
    markets: list[MarketCompetitionOut] = Field(..., description="Competitors appear as prices, never by name")


class CompetitionListOut(Paginated):
    """A page of the seller's offers' competition, oldest offer first."""

    items: list[OfferCompetitionOut]


class PageQuery(Schema):
    """Which page to return (every list of the seller API pages alike); a NUL in a filter is a 422."""

    page: int = Field(1, ge=1, le=10_000)
    page_size: int = Field(50, ge=1, le=100)

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return refuse_nul(value)


class OfferQuery(PageQuery):
    """Filters and page of the offers list."""

    sku: str | None = Field(None, max_length=64, description="Exact seller SKU")
    grade: Grade | None = None
    active: bool | None = Field(None, description="Only active (true) or inactive (false) offers")
    in_stock: bool | None = Field(None, description="Only offers with (true) or without (false) stock")


def _offer(o: Offer) -> SellerOfferOut:
    return SellerOfferOut(
        id=o.pk,
        sku=o.sku,
        variant_id=o.variant_id,
        product_title=o.variant.product_model.title,
        variant_label=o.variant.label,
        grade=o.grade,
        battery_tier=o.battery_tier,
        parts_provenance=o.parts_provenance,
        replaced_parts=list(o.replaced_parts),
        stock=o.stock,
        warranty_months=o.warranty_months,
        dispatch_days=o.dispatch_days,
        vat_scheme=o.vat_scheme,
        is_active=o.is_active,
        prices=[SellerPriceOut(market=p.market, amount=p.amount, currency=p.currency) for p in o.prices.all()],
    )


def _competition(seller: Seller, offer_ids: list[int]) -> list[OfferCompetitionOut]:
    by_offer: dict[int, list[Competition]] = defaultdict(list)
    for c in competition(seller=seller, offer_ids=offer_ids):
        by_offer[c.offer_id].append(c)
    return [
        OfferCompetitionOut(
            offer_id=offer_id,
            markets=[
                MarketCompetitionOut(
                    market=c.market,
                    currency=c.currency,
                    price=c.price,
                    is_winning=c.is_winning,
                    winner_price=c.winner_price,
                    price_to_win=c.price_to_win,
                    offer_count=c.offer_count,
                )
                for c in by_offer[offer_id]
            ],
        )
        for offer_id in offer_ids
    ]


@router.get(
    "/offers",
    response={200: SellerOfferListOut, **AUTH_ERRORS},
    summary="List my offers",
    description=(
        "The token's seller's offers, oldest first, with their price in each market. Paginated with a total "
        "count; filter by SKU, grade, active and in stock."
    ),
)
def list_offers(request: HttpRequest, query: Query[OfferQuery]) -> dict[str, Any]:
    qs = seller_offers(seller=request.auth)  # type: ignore[attr-defined]  # set by SellerTokenAuth
    if query.sku is not None:
        qs = qs.filter(sku=query.sku)
    if query.grade is not None:
        qs = qs.filter(grade=query.grade.value)
    if query.active is not None:
        qs = qs.filter(is_active=query.active)
    if query.in_stock is not None:
        qs = qs.filter(stock__gt=0) if query.in_stock else qs.filter(stock=0)
    paged = paginate(qs, page=query.page, page_size=query.page_size)
    offers, meta = paged.items, paged.meta()
    return {**meta, "items": [_offer(o) for o in offers]}


@router.get(
    "/offers/{offer_id}",
    response={200: SellerOfferOut, **ONE_OFFER_ERRORS},
    summary="Get one of my offers",
    description="404 `offer_not_found` for a missing offer and for another seller's offer alike.",
)
def get_offer(request: HttpRequest, offer_id: int) -> SellerOfferOut:
    return _offer(seller_offer(seller=request.auth, offer_id=offer_id))  # type: ignore[attr-defined]


@router.get(
    "/offers/{offer_id}/competition",
    response={200: OfferCompetitionOut, **ONE_OFFER_ERRORS},
    summary="How one of my offers competes",
    description=(
        "Per market the offer is priced in: whether it holds the buy box, the buy-box price, the price to win "
        "and how many eligible offers compete. Competitors are never identified."
    ),
)
def offer_competition(request: HttpRequest, offer_id: int) -> OfferCompetitionOut:
    seller: Seller = request.auth  # type: ignore[attr-defined]
    offer = seller_offer(seller=seller, offer_id=offer_id)
    return _competition(seller, [offer.pk])[0]


@router.get(
    "/competition",
    response={200: CompetitionListOut, **AUTH_ERRORS},
    summary="How my offers compete",
    description="The competition of every offer of the seller, paginated like `/offers` (oldest first).",
)
def list_competition(request: HttpRequest, query: Query[PageQuery]) -> dict[str, Any]:
    seller: Seller = request.auth  # type: ignore[attr-defined]
    paged = paginate(
        seller_offers(seller=seller).values_list("pk", flat=True), page=query.page, page_size=query.page_size
    )
    return {**paged.meta(), "items": _competition(seller, paged.items)}
