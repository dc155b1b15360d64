"""Cart reads: the cart as the buyer should see it now (current prices, stock, warnings), in constant queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from django.db.models import Prefetch

from reloop.accounts.models import User
from reloop.checkout.domain import ShippingOption, shipping_options
from reloop.checkout.models import Cart, CartLine
from reloop.core.money import Money
from reloop.offers.models import Offer, OfferPrice
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
            "offer__seller", "offer__variant__product_model__brand", "offer__variant__product_model__category"
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
        item = CartItem(line, offer, price, available, price is not None and price.amount != line.price_seen)
        part = by_seller.setdefault(offer.seller_id, CartPart(offer.seller, [], shipping_options(currency)))
        part.items.append(item)
    review.parts = list(by_seller.values())
    return review
