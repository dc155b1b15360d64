"""The buyer API at ``/api/v1/buyer/`` (docs/buyer-api.md): everything a buying app needs — sign in, search the
catalogue, a cart per market, checkout through the payment provider's page, orders and their tracking, returns
and warranty claims, reviews.

Authentication: a bearer token from ``POST /auth/token`` (mobile apps) or the web session (with CSRF). Every read
is the signed-in buyer's own: another buyer's order, line or case is answered like a missing one (404). Every POST
takes an ``Idempotency-Key``. The routes call the same services as the web pages and answer errors in the API's one
shape.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import field_validator

from reloop.accounts.domain import clean_address
from reloop.accounts.models import User
from reloop.aftersales import selectors as aftersales_selectors
from reloop.aftersales import services as aftersales
from reloop.aftersales.domain import CaseKind, Reason
from reloop.aftersales.errors import InvalidPhoto
from reloop.aftersales.models import Case
from reloop.api.buyer_auth import BUYER_AUTH, check_second_factor, issue_token, sign_in
from reloop.api.errors import ErrorOut
from reloop.api.idempotency import idempotent
from reloop.api.seller import refuse_nul
from reloop.catalog.models import ProductModel
from reloop.checkout import selectors as carts
from reloop.checkout import services as checkout
from reloop.checkout.models import MAX_QUANTITY, Cart, CheckoutPayment
from reloop.checkout.settlement import settle_payment
from reloop.core.errors import DomainError, NotFound
from reloop.core.money import Money
from reloop.fulfillment.carriers import tracking_url
from reloop.markets.registry import UnknownMarket, get_market
from reloop.orders import selectors as orders
from reloop.orders.errors import OrderNotFound
from reloop.orders.models import Order
from reloop.reviews import services as reviews
from reloop.search.selectors import search as search_models

router = Router(tags=["buyer"], auth=BUYER_AUTH)

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class InvalidCredentials(DomainError):
    code = "invalid_credentials"
    http_status = 401


class BuyerIn(Schema):
    """A request body of the buyer API: unknown fields and NUL characters are refused (422)."""

    model_config = {"extra": "forbid"}

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return refuse_nul(value)


def _buyer(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


def _market(code: str) -> str:
    try:
        return get_market(code).code
    except UnknownMarket as exc:
        raise NotFound(_("Unknown market %(market)s") % {"market": code[:10]}, code="unknown_market") from exc


class MoneyOut(Schema):
    amount: int = Field(..., description="Minor units", examples=[27900])
    currency: str = Field(..., examples=["GBP"])
    formatted: str = Field(..., examples=["£279.00"])


def _money(amount: int | Money, currency: str | None = None, market: str = "en-gb") -> MoneyOut:
    value = amount if isinstance(amount, Money) else Money(amount, currency or "")
    return MoneyOut(amount=value.amount, currency=value.currency, formatted=value.format(get_market(market).locale))


# --- Sign-in -----------------------------------------------------------------------------------------------


class TokenIn(BuyerIn):
    email: str = Field(..., max_length=254, examples=["ada@example.com"])
    password: str = Field(..., max_length=200, examples=["correct horse battery staple"])
    otp: str = Field(
        "", max_length=16, description="The authenticator (or backup) code, for an account with two-factor sign-in"
    )


class TokenOut(Schema):
    token: str = Field(..., description="Send as `Authorization: Bearer …`", examples=["rlb_eyJ1Ijo0Mn0:1t…"])
    expires_at: dt.datetime


@router.post("/auth/token", auth=None, response={201: TokenOut, 401: ErrorOut, 422: ErrorOut}, summary="Get a token")
def create_token(request: HttpRequest, payload: TokenIn) -> Status[TokenOut]:
    """Exchange an email and password for a bearer token (30 days; dies when the password changes). Not
    idempotent by key: each call issues a fresh token."""
    user = sign_in(request, email=payload.email, password=payload.password)
    if user is None:
        raise InvalidCredentials(_("Wrong email or password"))
    check_second_factor(user, payload.otp)
    token, expires = issue_token(user)
    return Status(201, TokenOut(token=token, expires_at=expires))


class MeOut(Schema):
    email: str | None
    first_name: str
    last_name: str
    preferred_market: str


@router.get("/me", response={200: MeOut, **ERRORS}, summary="Who is signed in")
def me(request: HttpRequest) -> MeOut:
    user = _buyer(request)
    return MeOut(
        email=user.email, first_name=user.first_name, last_name=user.last_name, preferred_market=user.preferred_market
    )


# --- Catalogue search ----------------------------------------------------------------------------------------


class SearchQuery(Schema):
    q: str = Field(..., min_length=1, max_length=100, description="What the buyer typed", examples=["iphone 13"])
    market: str = Field("en-gb", max_length=5, examples=["fr-fr"])
    limit: int = Field(20, ge=1, le=50)

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return refuse_nul(value)


class SearchHitOut(Schema):
    id: int
    slug: str = Field(..., description="`GET /api/v1/catalog/models/{slug}` has its variants and offers")
    title: str = Field(..., examples=["Apple iPhone 13"])
    category: str


class SearchOut(Schema):
    query: str
    corrected: str = Field("", description="The words searched when spelling was corrected")
    exact: bool = Field(..., description="False when no model holds every word (closest models shown)")
    storage_gb: list[int] = Field(..., description="Storage sizes typed in the query, to filter variants")
    results: list[SearchHitOut]


@router.get("/search", response={200: SearchOut, **ERRORS}, summary="Search the catalogue")
def search(request: HttpRequest, query: Query[SearchQuery]) -> SearchOut:
    """The storefront's search: ranked product models for the words typed (spelling and synonyms included)."""
    market = _market(query.market)
    found = search_models(query=query.q, market=market)
    ids = found.model_ids[: query.limit]
    models = ProductModel.objects.select_related("brand", "category").in_bulk(ids)
    return SearchOut(
        query=query.q,
        corrected=found.corrected,
        exact=found.exact,
        storage_gb=list(found.storage_gb),
        results=[
            SearchHitOut(id=pk, slug=models[pk].slug, title=models[pk].title, category=models[pk].category.slug)
            for pk in ids
            if pk in models
        ],
    )


# --- Cart ----------------------------------------------------------------------------------------------------


class CartItemOut(Schema):
    line_id: int
    offer_id: int
    title: str
    seller: str
    grade: str
    quantity: int
    unit_price: MoneyOut | None = Field(None, description="Today's price; null when no longer sold in this market")
    available: bool
    price_changed: bool = Field(..., description="The price moved since it was added: confirm at checkout")


class ShippingOptionOut(Schema):
    method: str
    price: MoneyOut


class CartPartOut(Schema):
    seller_id: int
    seller: str
    items: list[CartItemOut]
    shipping_options: list[ShippingOptionOut]


class CartOut(Schema):
    market: str
    currency: str
    parts: list[CartPartOut] = Field(..., description="One per seller, each shipped separately")
    items_total: MoneyOut
    count: int = Field(..., description="Units in the cart")


def _cart_of(request: HttpRequest, market: str) -> Cart:
    return checkout.ensure_cart(user=_buyer(request), token=None, market=market)


def _cart_out(cart: Cart) -> CartOut:
    market = get_market(cart.market)
    review = carts.review_cart(cart=cart, currency=market.currency)
    total = sum((i.total for i in review.items if i.total and i.available), Money.zero(market.currency))
    return CartOut(
        market=market.code,
        currency=market.currency,
        parts=[
            CartPartOut(
                seller_id=part.seller.pk,
                seller=part.seller.name,
                items=[
                    CartItemOut(
                        line_id=i.line.pk,
                        offer_id=i.offer.pk,
                        title=f"{i.offer.variant.product_model.title} {i.offer.variant.label}".strip(),
                        seller=part.seller.name,
                        grade=i.offer.grade,
                        quantity=i.line.quantity,
                        unit_price=_money(i.price, market=market.code) if i.price else None,
                        available=i.available,
                        price_changed=i.price_changed,
                    )
                    for i in part.items
                ],
                shipping_options=[
                    ShippingOptionOut(method=o.method, price=_money(o.price, market=market.code)) for o in part.options
                ],
            )
            for part in review.parts
        ],
        items_total=_money(total, market=market.code),
        count=sum(i.line.quantity for i in review.items),
    )


class MarketQuery(Schema):
    market: str = Field("en-gb", max_length=5, examples=["fr-fr"])

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return refuse_nul(value)


@router.get("/cart", response={200: CartOut, **ERRORS}, summary="The cart in one market")
def get_cart(request: HttpRequest, query: Query[MarketQuery]) -> CartOut:
    return _cart_out(_cart_of(request, _market(query.market)))


class CartItemIn(BuyerIn):
    market: str = Field("en-gb", max_length=5)
    offer_id: int = Field(..., ge=1, le=2**62, examples=[1234])
    quantity: int = Field(1, ge=1, le=MAX_QUANTITY)


@router.post("/cart/items", response={201: CartOut, **ERRORS}, summary="Add an offer to the cart")
@idempotent
def add_item(request: HttpRequest, payload: CartItemIn) -> Status[CartOut]:
    cart = _cart_of(request, _market(payload.market))
    checkout.add_to_cart(cart=cart, offer_id=payload.offer_id, quantity=payload.quantity)
    return Status(201, _cart_out(cart))


class QuantityIn(BuyerIn):
    market: str = Field("en-gb", max_length=5)
    quantity: int = Field(..., ge=0, le=MAX_QUANTITY, description="0 removes the line")


@router.put("/cart/items/{line_id}", response={200: CartOut, **ERRORS}, summary="Change a line's quantity")
@idempotent
def set_item_quantity(request: HttpRequest, line_id: int, payload: QuantityIn) -> CartOut:
    cart = _cart_of(request, _market(payload.market))
    if not cart.lines.filter(pk=line_id).exists():
        raise NotFound(_("No such cart line"), code="cart_line_not_found")
    checkout.set_quantity(cart=cart, line_id=line_id, quantity=payload.quantity)
    return _cart_out(cart)


# --- Checkout ------------------------------------------------------------------------------------------------


class AddressIn(BuyerIn):
    full_name: str = Field(..., max_length=150, examples=["Ada Lovelace"])
    line1: str = Field(..., max_length=200, examples=["1 High Street"])
    line2: str = Field("", max_length=200)
    postal_code: str = Field("", max_length=20, examples=["SW1A 1AA"])
    city: str = Field(..., max_length=100, examples=["London"])
    region: str = Field("", max_length=100)
    country: str = Field(..., min_length=2, max_length=2, examples=["GB"])
    phone: str = Field("", max_length=30)


class CheckoutIn(BuyerIn):
    market: str = Field("en-gb", max_length=5)
    shipping_address: AddressIn
    shipping: dict[str, Literal["standard", "express"]] = Field(
        default_factory=dict, description="Seller id → shipping method (standard when not given)"
    )
    expected_total: int | None = Field(
        None, ge=0, description="The total the buyer was shown (minor units); refused with total_changed if it moved"
    )
    return_url: str = Field(
        "", max_length=500, description="Where the provider sends the buyer back (your app's deep link)"
    )


class LineOut(Schema):
    id: int
    title: str
    variant: str
    seller: str
    grade: str
    quantity: int
    unit_price: MoneyOut
    state: str = Field(..., examples=["paid", "shipped", "delivered", "return_requested"])
    warranty_months: int
    avoided_kgco2e: float | None = Field(None, description="Per unit, with the method at /impact/methodology")
    avoided_kgco2e_low: float | None = Field(
        None, description="Low end of the per-unit range (docs/impact.md); null for lines placed before ranges"
    )
    avoided_kgco2e_high: float | None = Field(None, description="High end of the per-unit range")


def _kg(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


class ParcelEventOut(Schema):
    status: str
    description: str
    location: str
    occurred_at: dt.datetime


class ParcelOut(Schema):
    carrier: str
    tracking_number: str
    tracking_url: str | None
    status: str
    shipped_at: dt.datetime
    expected_delivery: dt.date
    delivered_at: dt.datetime | None
    events: list[ParcelEventOut]


class SellerPartOut(Schema):
    seller: str
    shipping_method: str
    shipping: MoneyOut
    lines: list[LineOut]
    parcels: list[ParcelOut]


class OrderOut(Schema):
    number: str = Field(..., examples=["RL-7KQ2M9XA"])
    market: str
    status: str = Field(..., examples=["pending_payment", "paid", "payment_failed", "expired"])
    total: MoneyOut
    created_at: dt.datetime
    paid_at: dt.datetime | None
    parts: list[SellerPartOut]


class PaymentOut(Schema):
    reference: str
    redirect_url: str = Field(
        ..., description="Open it for the buyer to confirm the payment on the provider's page; empty when paid"
    )


class CheckoutOut(Schema):
    order: OrderOut
    payment: PaymentOut


def _order_out(order: Order, *, with_parcels: bool = False) -> OrderOut:
    market = order.market
    return OrderOut(
        number=order.number,
        market=market,
        status=order.status,
        total=_money(order.total, order.currency, market),
        created_at=order.created_at,
        paid_at=order.paid_at,
        parts=[
            SellerPartOut(
                seller=part.seller.name,
                shipping_method=part.shipping_method,
                shipping=_money(part.shipping_amount, order.currency, market),
                lines=[
                    LineOut(
                        id=line.pk,
                        title=line.product_title,
                        variant=line.variant_label,
                        seller=line.seller_name,
                        grade=line.grade,
                        quantity=line.quantity,
                        unit_price=_money(line.unit_price, order.currency, market),
                        state=line.state,
                        warranty_months=line.warranty_months,
                        avoided_kgco2e=float(line.avoided_kgco2e) if line.avoided_kgco2e is not None else None,
                        avoided_kgco2e_low=_kg(line.avoided_kgco2e_low),
                        avoided_kgco2e_high=_kg(line.avoided_kgco2e_high),
                    )
                    for line in part.lines.all()
                ],
                parcels=[
                    ParcelOut(
                        carrier=s.carrier,
                        tracking_number=s.tracking_number,
                        tracking_url=tracking_url(s.carrier, s.tracking_number),
                        status=s.status,
                        shipped_at=s.shipped_at,
                        expected_delivery=s.expected_delivery,
                        delivered_at=s.delivered_at,
                        events=[
                            ParcelEventOut(
                                status=e.status,
                                description=e.description,
                                location=e.location,
                                occurred_at=e.occurred_at,
                            )
                            for e in s.events.all()
                        ],
                    )
                    for s in (part.shipments.all() if with_parcels else [])
                ],
            )
            for part in order.seller_orders.all()
        ],
    )


def _any_order(buyer: User, number: str) -> Order:
    """One of the buyer's orders in any status (the one just checked out may await payment)."""
    order = (
        Order.objects.filter(buyer=buyer, number=number[:20])
        .prefetch_related("seller_orders__seller", "seller_orders__lines", "seller_orders__shipments__events")
        .first()
    )
    if order is None:
        raise OrderNotFound(_("No such order"))
    return order


@router.post("/checkout", response={201: CheckoutOut, **ERRORS}, summary="Check out the cart")
@idempotent
def start_checkout(request: HttpRequest, payload: CheckoutIn) -> Status[CheckoutOut]:
    """Reserve the cart's units and create the payment for exactly the total shown; the buyer confirms it on
    the provider's page (``payment.redirect_url``). Then ``POST /orders/{number}/payment`` (or the provider's
    webhook) settles it. The ``Idempotency-Key`` is also the checkout attempt: the same key never makes a second
    order or a second payment. Errors: ``empty_cart``, ``sold_out``, ``price_changed``, ``total_changed``,
    ``invalid_address``, ``payment_declined``."""
    buyer = _buyer(request)
    market = get_market(_market(payload.market))
    address = clean_address(payload.shipping_address.model_dump(), allowed_countries=[market.country])
    try:
        shipping = {int(seller): method for seller, method in payload.shipping.items()}
    except ValueError as exc:
        raise NotFound(_("Unknown seller in shipping"), code="invalid_shipping") from exc
    key = request.headers.get("Idempotency-Key", "")
    started = checkout.start_checkout(
        checkout=checkout.Checkout(
            buyer=buyer,
            cart=_cart_of(request, market.code),
            shipping_address=address.as_dict(),
            shipping=shipping,
            idempotency_key=f"api:{buyer.pk}:{key}"[:100],
            return_url=payload.return_url,
            expected_total=payload.expected_total,
        )
    )
    record = CheckoutPayment.objects.filter(order=started.order).order_by("-pk").first()
    return Status(
        201,
        CheckoutOut(
            order=_order_out(_any_order(buyer, started.order.number)),
            payment=PaymentOut(reference=record.reference if record else "", redirect_url=started.redirect_url),
        ),
    )


@router.post(
    "/orders/{number}/payment", response={200: OrderOut, **ERRORS}, summary="Settle the payment after the provider"
)
@idempotent
def settle(request: HttpRequest, number: str) -> OrderOut:
    """Call it when the buyer comes back from the provider's page: the order is paid, or closed (payment failed
    or abandoned, units given back) — as the web's return page does."""
    order = _any_order(_buyer(request), number)
    record = CheckoutPayment.objects.filter(order=order).order_by("-pk").first()
    if record is not None:
        settle_payment(reference=record.reference, source="redirect")
    return _order_out(_any_order(_buyer(request), number), with_parcels=True)


class OrderListOut(Schema):
    items: list[OrderOut]


@router.get("/orders", response={200: OrderListOut, **ERRORS}, summary="The buyer's paid orders")
def list_orders(request: HttpRequest) -> OrderListOut:
    """Newest first, the latest 50, with lines (three queries whatever their number)."""
    return OrderListOut(items=[_order_out(o) for o in orders.buyer_orders(buyer=_buyer(request))[:50]])


@router.get("/orders/{number}", response={200: OrderOut, **ERRORS}, summary="One order with its parcels")
def get_order(request: HttpRequest, number: str) -> OrderOut:
    """The order with each seller's parcels and their tracking events."""
    return _order_out(_any_order(_buyer(request), number), with_parcels=True)


# --- Returns and warranty claims -----------------------------------------------------------------------------


class CaseIn(BuyerIn):
    line_id: int = Field(..., ge=1, le=2**62)
    kind: Literal["return", "warranty"] = Field(..., description="30-day return, or a warranty claim")
    reason: str = Field(
        ..., max_length=30, examples=[Reason.CHANGE_OF_MIND.value], description=", ".join(Reason.values)
    )
    description: str = Field(..., min_length=1, max_length=2000)
    photos: list[str] = Field(
        default_factory=list, max_length=5, description="Up to 5 JPEG, PNG or WebP photos, base64-encoded"
    )
    battery_reading: int | None = Field(
        None,
        ge=0,
        le=100,
        description="For the reason battery_below_floor (warranty only): the battery health the device shows, in %",
    )


class CaseOut(Schema):
    id: int
    kind: str
    state: str = Field(..., examples=["opened", "awaiting_return", "escalated", "resolved"])
    reason: str
    order: str
    line_id: int
    opened_at: dt.datetime
    answer_due_at: dt.datetime
    return_instructions: str
    resolution: str


class ShippedBackIn(BuyerIn):
    carrier: str = Field(..., max_length=20, examples=["royal_mail"])
    tracking_number: str = Field(..., min_length=1, max_length=60)


class CaseListOut(Schema):
    items: list[CaseOut]


def _case_out(case: Case) -> CaseOut:
    return CaseOut(
        id=case.pk,
        kind=case.kind,
        state=case.state,
        reason=case.reason,
        order=case.order.number,
        line_id=case.line_id,
        opened_at=case.opened_at,
        answer_due_at=case.answer_due_at,
        return_instructions=case.return_instructions,
        resolution=case.resolution,
    )


def _photos(encoded: list[str]) -> list[aftersales.Photo]:
    photos = []
    for n, text in enumerate(encoded, start=1):
        if len(text) > 7_000_000:
            raise InvalidPhoto(_("Photo %(n)s is larger than 5 MB") % {"n": n}, code="photo_too_large")
        try:
            photos.append(aftersales.Photo(name=f"photo-{n}", content=base64.b64decode(text, validate=True)))
        except (binascii.Error, ValueError) as exc:
            raise InvalidPhoto(_("Photo %(n)s is not base64") % {"n": n}, code="invalid_photo") from exc
    return photos


@router.post("/cases", response={201: CaseOut, **ERRORS}, summary="Return an item or claim its warranty")
@idempotent
def open_case(request: HttpRequest, payload: CaseIn) -> Status[CaseOut]:
    """Errors: ``not_delivered``, ``case_already_open``, ``return_window_closed``/``warranty_expired``,
    ``invalid_reason``, ``invalid_photo``; another buyer's line is ``order_not_found``. A warranty claim for
    ``battery_below_floor`` takes ``battery_reading`` and may also answer ``battery_reading_required``,
    ``battery_above_floor`` or ``no_battery_guarantee``."""
    opener = aftersales.open_return if payload.kind == CaseKind.RETURN else aftersales.open_warranty_claim
    if payload.kind == CaseKind.WARRANTY and payload.reason == Reason.BATTERY_BELOW_FLOOR:
        case = aftersales.open_battery_claim(
            actor=_buyer(request),
            line_id=payload.line_id,
            battery_reading=payload.battery_reading,
            description=payload.description,
            photos=_photos(payload.photos),
        )
    else:
        case = opener(
            actor=_buyer(request),
            line_id=payload.line_id,
            reason=payload.reason,
            description=payload.description,
            photos=_photos(payload.photos),
        )
    return Status(201, _case_out(aftersales_selectors.buyer_case(buyer=_buyer(request), case_id=case.pk)))


@router.get("/cases", response={200: CaseListOut, **ERRORS}, summary="The buyer's returns and claims")
def list_cases(request: HttpRequest) -> CaseListOut:
    return CaseListOut(items=[_case_out(c) for c in aftersales_selectors.buyer_cases(buyer=_buyer(request))[:100]])


@router.get("/cases/{case_id}", response={200: CaseOut, **ERRORS}, summary="One return or claim")
def get_case(request: HttpRequest, case_id: int) -> CaseOut:
    return _case_out(aftersales_selectors.buyer_case(buyer=_buyer(request), case_id=case_id))


@router.post("/cases/{case_id}/shipped-back", response={200: CaseOut, **ERRORS}, summary="I sent the item back")
@idempotent
def shipped_back(request: HttpRequest, case_id: int, payload: ShippedBackIn) -> CaseOut:
    aftersales.mark_shipped_back(
        actor=_buyer(request), case_id=case_id, carrier=payload.carrier, tracking_number=payload.tracking_number
    )
    return _case_out(aftersales_selectors.buyer_case(buyer=_buyer(request), case_id=case_id))


# --- Reviews -------------------------------------------------------------------------------------------------


class ReviewIn(BuyerIn):
    line_id: int = Field(..., ge=1, le=2**62)
    product_rating: int = Field(..., ge=1, le=5)
    seller_rating: int = Field(..., ge=1, le=5)
    text: str = Field("", max_length=2000)


class ReviewOut(Schema):
    id: int
    line_id: int
    product_rating: int
    seller_rating: int
    text: str


@router.post("/reviews", response={201: ReviewOut, **ERRORS}, summary="Review a delivered purchase")
@idempotent
def write_review(request: HttpRequest, payload: ReviewIn) -> Status[ReviewOut]:
    review = reviews.write_review(
        actor=_buyer(request),
        line_id=payload.line_id,
        product_rating=payload.product_rating,
        seller_rating=payload.seller_rating,
        text=payload.text,
    )
    return Status(
        201,
        ReviewOut(
            id=review.pk,
            line_id=review.line_id,
            product_rating=review.product_rating,
            seller_rating=review.seller_rating,
            text=review.text,
        ),
    )
