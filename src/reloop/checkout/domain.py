"""Checkout rules without the database: shipping options and their prices, commission per seller part, and the
total the buyer sees before paying (items + shipping + tax per seller part)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from reloop.core.money import Money
from reloop.orders.models import ShippingMethod
from reloop.payments import conf as payments_conf

#: Express shipping per seller parcel, in minor units of each currency (standard is free). RELOOP_EXPRESS_SHIPPING
#: overrides these.
DEFAULT_EXPRESS_SHIPPING = {"EUR": 990, "GBP": 899, "USD": 1299, "SEK": 11900, "JPY": 1500, "AUD": 1500}
TRANSIT_DAYS: dict[str, int] = {ShippingMethod.STANDARD: 3, ShippingMethod.EXPRESS: 1}


@dataclass(frozen=True)
class ShippingOption:
    method: str
    label: str
    price: Money
    transit_days: int


def shipping_options(currency: str) -> list[ShippingOption]:
    table = {**DEFAULT_EXPRESS_SHIPPING, **settings.RELOOP_EXPRESS_SHIPPING}
    options = [
        ShippingOption(
            ShippingMethod.STANDARD, str(_("Standard, free")), Money.zero(currency), TRANSIT_DAYS["standard"]
        )
    ]
    if currency in table:
        options.append(
            ShippingOption(
                ShippingMethod.EXPRESS, str(_("Express")), Money(table[currency], currency), TRANSIT_DAYS["express"]
            )
        )
    return options


def shipping_price(method: str, currency: str) -> Money | None:
    """The price of ``method`` in ``currency``, or ``None`` when that method is not offered."""
    return next((o.price for o in shipping_options(currency) if o.method == method), None)


def commission_rate(category_rate: Decimal | None) -> Decimal:
    """Percent: the category's override when set, else RELOOP_COMMISSION_RATE (10% by default)."""
    return category_rate if category_rate is not None else payments_conf.commission_rate()


# --- The total before the pay button ----------------------------------------------------------------------


@dataclass(frozen=True)
class LineDraft:
    """One cart line as it will be charged: ``tax`` is its sales tax (``None``: no tax added, as in every market
    whose prices include VAT)."""

    key: str  # the caller's name for the line (an offer id)
    unit_price: Money
    quantity: int
    tax: Money | None = None

    @property
    def total(self) -> Money:
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class PartDraft:
    """One seller's part of a checkout: its lines and the shipping method the buyer chose; ``shipping_tax`` is the
    sales tax on the shipping (``None``: none added)."""

    seller_id: int
    seller_name: str
    shipping_method: str
    shipping: Money
    lines: tuple[LineDraft, ...]
    shipping_tax: Money | None = None


@dataclass(frozen=True)
class PartTotal:
    seller_id: int
    seller_name: str
    shipping_method: str
    items: Money
    shipping: Money
    tax: Money

    @property
    def total(self) -> Money:
        return self.items + self.shipping + self.tax


@dataclass(frozen=True)
class CheckoutTotal:
    """What the buyer is shown before paying and exactly what the provider is asked to charge."""

    currency: str
    parts: tuple[PartTotal, ...]

    @property
    def items(self) -> Money:
        return sum((p.items for p in self.parts), Money.zero(self.currency))

    @property
    def shipping(self) -> Money:
        return sum((p.shipping for p in self.parts), Money.zero(self.currency))

    @property
    def tax(self) -> Money:
        return sum((p.tax for p in self.parts), Money.zero(self.currency))

    @property
    def grand_total(self) -> Money:
        return self.items + self.shipping + self.tax


def checkout_total(*, currency: str, parts: Sequence[PartDraft]) -> CheckoutTotal:
    """Items + shipping + tax per seller part, and the grand total. Pure: the caller brings each line's tax and the
    shipping's (a ``markets.tax`` quote where the market adds sales tax; none elsewhere)."""
    zero = Money.zero(currency)
    return CheckoutTotal(
        currency=currency,
        parts=tuple(
            PartTotal(
                seller_id=part.seller_id,
                seller_name=part.seller_name,
                shipping_method=part.shipping_method,
                items=sum((line.total for line in part.lines), zero),
                shipping=part.shipping,
                tax=sum((line.tax for line in part.lines if line.tax is not None), zero) + (part.shipping_tax or zero),
            )
            for part in parts
        ),
    )
