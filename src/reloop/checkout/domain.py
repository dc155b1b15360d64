"""Checkout rules without the database: shipping options and their prices, commission per seller part."""

from __future__ import annotations

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
