"""Cart reads: the cart as the buyer should see it now (current prices, stock, warnings), in constant queries."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from uuid import UUID

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from reloop.accounts.models import User
from reloop.checkout.domain import (
    CheckoutTotal,
    LineDraft,
    PartDraft,
    ShippingOption,
    checkout_total,
    shipping_options,
    shipping_price,
)
from reloop.checkout.models import Cart, CartLine, CheckoutPayment
from reloop.core.errors import DomainError, InvalidInput
from reloop.core.money import Money
from reloop.markets.registry import get_market
from reloop.markets.tax import TaxableItem, TaxAddress, TaxQuote, TaxUnavailable, charges_sales_tax, get_tax_provider
from reloop.offers.models import Offer, OfferPrice
from reloop.orders.models import Order, OrderStatus, ShippingMethod
from reloop.passports.models import UnitStatus
from reloop.payments.providers import InstalmentPlan, get_provider
from reloop.pricing.eligibility import offer_is_eligible
from reloop.sellers.models import Seller


def find_cart(*, user: User | None, token: str | UUID | None, market: str) -> Cart | None:
    """The user's cart in this market, else the anonymous cart of the session's token (one query)."""
    if user is not None and user.is_authenticated:
        return Cart.objects.filter(user=user, market=market).first()
    if token:
        try:
            return Cart.objects.filter(token=UUID(str(token)), user__isnull=True, market=market).first()
        except ValueError:
            return None
    return None


@dataclass
class CartItem:
    line: CartLine
    offer: Offer
    price: Money | None  # current price in the cart's market; None: no longer sold there
    available: bool
    price_changed: bool

    @property
    def seen(self) -> Money:
        return Money(self.line.price_seen, self.line.currency)

    @property
    def total(self) -> Money | None:
        return self.price * self.line.quantity if self.price else None


@dataclass
class CartPart:
    seller: Seller
    items: list[CartItem]
    options: list[ShippingOption]

    @property
    def items_total(self) -> Money:
        return sum((i.total for i in self.items if i.total and i.available), Money.zero(self.options[0].price.currency))


@dataclass
class CartReview:
    cart: Cart | None
    currency: str
    parts: list[CartPart] = field(default_factory=list)

    @property
    def items(self) -> list[CartItem]:
        return [i for p in self.parts for i in p.items]

    @property
    def count(self) -> int:
        return sum(i.line.quantity for i in self.items)

    @property
    def items_total(self) -> Money:
        return sum((p.items_total for p in self.parts), Money.zero(self.currency))

    @property
    def has_problems(self) -> bool:
        return any(not i.available or i.price_changed for i in self.items)


def review_cart(*, cart: Cart | None, currency: str) -> CartReview:
    """Lines grouped by seller with current prices and stock: two queries, whatever the number of lines."""
    review = CartReview(cart, currency)
    if cart is None:
        return review
    lines = list(
        cart.lines.select_related(
            "offer__seller",
            "offer__variant__product_model__brand",
            "offer__variant__product_model__category",
            "unit",  # the unit the buyer chose, if any: still available?
        ).prefetch_related(
            Prefetch("offer__prices", queryset=OfferPrice.objects.filter(market=cart.market), to_attr="market_prices")
        )
    )
    by_seller: dict[int, CartPart] = {}
    for line in lines:
        offer = line.offer
        prices = offer.market_prices  # type: ignore[attr-defined]
        price = Money(prices[0].amount, prices[0].currency) if prices else None
        available = price is not None and offer_is_eligible(offer) and offer.stock >= line.quantity
        if line.unit is not None and (line.unit.status != UnitStatus.AVAILABLE or line.unit.offer_id != offer.pk):
            available = False  # the unit chosen was taken by another buyer or withdrawn
        item = CartItem(line, offer, price, available, price is not None and price.amount != line.price_seen)
        part = by_seller.setdefault(offer.seller_id, CartPart(offer.seller, [], shipping_options(currency)))
        part.items.append(item)
    review.parts = list(by_seller.values())
    return review


def checkout_drafts(*, review: CartReview, shipping: Mapping[int, str], currency: str) -> list[PartDraft]:
    """The seller parts as they will be charged: each line at today's price, the chosen shipping (standard when
    none is chosen). ``InvalidInput`` for a shipping method the market does not offer."""
    drafts = []
    for part in review.parts:
        method = shipping.get(part.seller.pk, ShippingMethod.STANDARD)
        price = shipping_price(method, currency)
        if price is None:
            raise InvalidInput(_("Unknown shipping method %(method)s") % {"method": method}, code="invalid_shipping")
        lines = tuple(
            LineDraft(str(item.offer.pk), item.price, item.line.quantity) for item in part.items if item.price
        )
        drafts.append(PartDraft(part.seller.pk, part.seller.name, method, price, lines))
    return drafts


def with_sales_tax(
    *, drafts: list[PartDraft], market: str, address: Mapping[str, str] | None
) -> tuple[list[PartDraft], TaxQuote | None]:
    """The drafts with each line's and each part's shipping's sales tax where the market adds it (the US), quoted
    by ``markets.tax`` from the delivery address (shipping is taxed where the state taxes it); unchanged elsewhere,
    or while the address has no state yet (quote ``None``). ``TaxUnavailable`` when the tax of that address cannot
    be computed."""
    where = get_market(market)
    if not charges_sales_tax(where) or not address or not (address.get("region") or "").strip():
        return drafts, None
    items = [TaxableItem(line.key, line.total, line.quantity) for part in drafts for line in part.lines]
    items += [
        TaxableItem(_shipping_key(part.seller_id), part.shipping, shipping=True)
        for part in drafts
        if part.shipping.amount
    ]
    quote = get_tax_provider().quote(
        address=TaxAddress(
            where.country, address.get("region", ""), address.get("postal_code", ""), address.get("city", "")
        ),
        currency=where.currency,
        items=items,
    )
    taxed = [
        replace(
            part,
            lines=tuple(replace(line, tax=_tax_of(quote, line.key)) for line in part.lines),
            shipping_tax=_tax_of(quote, _shipping_key(part.seller_id)),
        )
        for part in drafts
    ]
    return taxed, quote


def _shipping_key(seller_id: int) -> str:
    return f"shipping:{seller_id}"


def _tax_of(quote: TaxQuote, key: str) -> Money:
    line = quote.for_key(key)
    return line.amount if line is not None else Money.zero(quote.currency)


def checkout_summary(
    *, review: CartReview, shipping: Mapping[int, str], address: Mapping[str, str] | None = None
) -> CheckoutTotal:
    """The total shown before the pay button: per seller part its items, shipping method and price and tax, and
    the grand total the provider will be asked for. No query beyond the review's. In the US the sales tax of
    ``address`` (the delivery address typed so far) is added; without a state yet, or one the tax cannot be
    computed for, none is (checkout itself then refuses)."""
    drafts = checkout_drafts(review=review, shipping=shipping, currency=review.currency)
    if review.cart is not None:
        with contextlib.suppress(TaxUnavailable):  # shown without tax; placing the order refuses it
            drafts, _quote = with_sales_tax(drafts=drafts, market=review.cart.market, address=address)
    return checkout_total(currency=review.currency, parts=drafts)


@dataclass(frozen=True)
class PendingPayment:
    """An order of the buyer that is not paid (awaiting the provider, declined, expired) and its payment."""

    order: Order
    payment: CheckoutPayment | None


def unpaid_order(*, buyer: User, number: str) -> PendingPayment | None:
    """The buyer's order ``number`` when it is not paid, with its payment (two queries); ``None`` otherwise,
    including for another buyer's order."""
    order = Order.objects.filter(buyer=buyer, number=number).exclude(status=OrderStatus.PAID).first()
    if order is None:
        return None
    return PendingPayment(order, CheckoutPayment.objects.filter(order=order).first())


def payment_for_buyer(*, buyer: User, reference: str) -> CheckoutPayment | None:
    """The buyer's payment ``reference`` (another buyer's is answered as missing)."""
    return CheckoutPayment.objects.select_related("order").filter(reference=reference, order__buyer=buyer).first()


def instalment_plans(*, amount: Money) -> list[InstalmentPlan]:
    """The "pay in n" plans the payment provider offers for ``amount`` (shown on the product page and at
    checkout); none outside the provider's limits or currencies, or when the provider cannot say."""
    if amount.amount <= 0:
        return []
    try:
        return list(get_provider().instalment_plans(amount=amount))
    except DomainError:  # a provider not configured: offer none rather than fail the page
        return []
