"""All-in prices (issue 16, item 5): what the buyer pays to their door in the market they browse.

European, British, Australian and Japanese prices include VAT or GST already; the cheapest delivery is added
(standard delivery is free today, and the page then says "free delivery", which is true). US prices are shown
before sales tax: the all-in price adds an **estimate** of the sales tax of a state the buyer picks (remembered in
the session and a cookie; California until they pick), at the state base rate of ``markets.tax.US_STATE_RATES``
(local rates are not included, which is why it is an estimate), plus the cheapest delivery. Checkout computes the
exact tax of the delivery address.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from reloop.checkout.domain import shipping_options
from reloop.core.errors import InvalidInput
from reloop.core.money import Money
from reloop.markets.data import Market
from reloop.markets.tax import US_SHIPPING_TAXABLE, US_STATE_RATES, charges_sales_tax, line_tax

#: The state assumed until the buyer picks one: the most populous.
DEFAULT_US_STATE = "CA"
#: Session key and cookie name for the buyer's state.
STATE_SESSION_KEY = "reloop_us_state"
STATE_COOKIE = "reloop_us_state"

US_STATE_NAMES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan",
    "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas",
    "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin",
    "WY": "Wyoming",
}  # fmt: skip


class UnknownState(InvalidInput):
    code = "unknown_state"


def parse_state(value: str | None) -> str:
    """A US state code from a form or cookie, upper-cased; ``UnknownState`` when it is not one of the 50 + DC."""
    code = (value or "").strip().upper()
    if code not in US_STATE_RATES:
        raise UnknownState(_("Choose a US state from the list"))
    return code


def state_or_default(value: str | None) -> str:
    """The remembered state when valid, else the default (a stale or tampered cookie is ignored)."""
    try:
        return parse_state(value)
    except UnknownState:
        return DEFAULT_US_STATE


def cheapest_shipping(currency: str) -> Money:
    return min((o.price for o in shipping_options(currency)), key=lambda m: m.amount)


@dataclass(frozen=True, slots=True)
class AllInPrice:
    total: Money  # to the door: the item, the estimated sales tax (US), the cheapest delivery
    item: Money
    tax: Money  # estimated sales tax; zero where prices include VAT/GST
    shipping: Money
    state: str | None  # the US state of the estimate
    tax_rate: Decimal

    @property
    def free_delivery(self) -> bool:
        return self.shipping.amount == 0

    @property
    def state_name(self) -> str:
        return US_STATE_NAMES.get(self.state or "", self.state or "")


def all_in_price(*, amount: int, market: Market, state: str | None = None) -> AllInPrice:
    """The price of one unit to the buyer's door in ``market`` (minor units of the market's currency)."""
    if amount < 0:
        raise ValueError("a price cannot be negative")
    item = Money(amount, market.currency)
    shipping = cheapest_shipping(market.currency)
    if charges_sales_tax(market):
        state = state_or_default(state)
        rate = US_STATE_RATES[state]
        tax = line_tax(item, rate)
        if state in US_SHIPPING_TAXABLE:  # the state taxes the delivery too, as checkout does (markets.tax)
            tax += line_tax(shipping, rate)
        return AllInPrice(item + tax + shipping, item, tax, shipping, state, rate)
    return AllInPrice(item + shipping, item, Money.zero(market.currency), shipping, None, Decimal(0))
