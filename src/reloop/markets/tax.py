"""Sales tax where prices are shown before tax (the US), behind one small protocol.

EU, UK, Australian and Japanese prices are tax-inclusive: the rate is the market's (``markets.data``) and nothing
is added at checkout. In the US the platform is the *marketplace facilitator*: it computes the sales tax of the
delivery address at checkout, collects it with the payment and remits it (docs/invoicing.md, ADR 0022).

``TaxProvider`` is what checkout calls. Two implementations:

- ``StateRateTable`` (default, offline): the **state base rate** of the delivery state, from the table below, on
  the goods and — in the states that tax delivery charges of taxable goods (``US_SHIPPING_TAXABLE``) — on the
  shipping. It is an approximation: local (county, city, district) rates, product exemptions, sales-tax holidays
  and the conditions some states put on taxing shipping are ignored, so the tax it charges is usually below the
  combined rate the buyer owes.
- ``TaxServiceProvider``: the shape of an adapter for a real tax service (address-level rates, nexus, product
  codes). It posts one JSON request per checkout to ``RELOOP_TAX_SERVICE_URL`` with ``RELOOP_TAX_SERVICE_KEY`` and
  reads one amount per line back; the HTTP call is injectable so it is tested offline.

``RELOOP_TAX_PROVIDER`` chooses (``table`` or ``service``). Amounts are integer minor units; each line's tax is
rounded half-up on its own, and the order's tax is the sum of its lines' taxes.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from django.conf import settings

from reloop.core.errors import InvalidInput
from reloop.core.money import Money
from reloop.markets.data import Market

#: Where the table comes from, printed on checkout, order and invoice pages next to the tax.
STATE_RATES_SOURCE = "Tax Foundation, “State and Local Sales Tax Rates, 2025” (state rates as of 1 January 2025)"
STATE_RATES_DATE = "2025-01-01"

#: State-level general sales tax rates in percent (no local rates). DC is included; the territories are not
#: states for sales tax (no tax is charged there by this table).
US_STATE_RATES: dict[str, Decimal] = {
    "AL": Decimal("4"), "AK": Decimal("0"), "AZ": Decimal("5.6"), "AR": Decimal("6.5"), "CA": Decimal("7.25"),
    "CO": Decimal("2.9"), "CT": Decimal("6.35"), "DE": Decimal("0"), "DC": Decimal("6"), "FL": Decimal("6"),
    "GA": Decimal("4"), "HI": Decimal("4"), "ID": Decimal("6"), "IL": Decimal("6.25"), "IN": Decimal("7"),
    "IA": Decimal("6"), "KS": Decimal("6.5"), "KY": Decimal("6"), "LA": Decimal("5"), "ME": Decimal("5.5"),
    "MD": Decimal("6"), "MA": Decimal("6.25"), "MI": Decimal("6"), "MN": Decimal("6.875"), "MS": Decimal("7"),
    "MO": Decimal("4.225"), "MT": Decimal("0"), "NE": Decimal("5.5"), "NV": Decimal("6.85"), "NH": Decimal("0"),
    "NJ": Decimal("6.625"), "NM": Decimal("4.875"), "NY": Decimal("4"), "NC": Decimal("4.75"), "ND": Decimal("5"),
    "OH": Decimal("5.75"), "OK": Decimal("4.5"), "OR": Decimal("0"), "PA": Decimal("6"), "RI": Decimal("7"),
    "SC": Decimal("6"), "SD": Decimal("4.2"), "TN": Decimal("7"), "TX": Decimal("6.25"), "UT": Decimal("6.1"),
    "VT": Decimal("6"), "VA": Decimal("5.3"), "WA": Decimal("6.5"), "WV": Decimal("6"), "WI": Decimal("5"),
    "WY": Decimal("4"),
}  # fmt: skip


#: Where a separately stated shipping charge for taxable goods is itself taxable, for a marketplace shipping by
#: common carrier. Source: TaxJar, "Is shipping taxable?" (last updated October 2023), its list of states where
#: shipping is taxable whether or not it is stated separately. An approximation: the states that tax shipping only
#: under conditions (not separately stated, handling included, the buyer cannot pick up: e.g. CA, FL, IL, KS, MI,
#: TX's handling rules) are counted by what applies to Reloop's separately stated carrier shipping, and the rules
#: change; the tax service (``TaxServiceProvider``) decides per address when configured.
US_SHIPPING_TAXABLE_SOURCE = "TaxJar, “Is shipping taxable?” (updated October 2023), states taxing shipping"
US_SHIPPING_TAXABLE: frozenset[str] = frozenset({
    "AR", "CT", "DC", "GA", "HI", "IN", "KY", "MN", "MS", "NE", "NJ", "NM", "NY", "NC", "ND", "OH", "PA", "RI", "SC",
    "SD", "TN", "TX", "VT", "WA", "WV", "WI",
})  # fmt: skip


class TaxUnavailable(InvalidInput):
    """The tax of this address cannot be computed (unknown state, the tax service down): checkout stops."""

    code = "tax_unavailable"


@dataclass(frozen=True, slots=True)
class TaxAddress:
    country: str  # ISO 3166-1 alpha-2
    region: str = ""  # US state code
    postal_code: str = ""
    city: str = ""


@dataclass(frozen=True, slots=True)
class TaxableItem:
    key: str  # the caller's identifier of the line (an offer id), echoed back
    amount: Money  # the line total before tax
    quantity: int = 1
    shipping: bool = False  # a shipping charge (taxed where the state taxes shipping), not goods


@dataclass(frozen=True, slots=True)
class LineTax:
    key: str
    rate: Decimal  # percent
    amount: Money


@dataclass(frozen=True, slots=True)
class TaxQuote:
    """The sales tax of one checkout: per line, the total, and where it comes from."""

    currency: str
    lines: tuple[LineTax, ...]
    jurisdiction: str  # "US-CA"; "" when no tax applies
    source: str  # what computed it, shown with the tax

    @property
    def total(self) -> Money:
        return sum((line.amount for line in self.lines), Money.zero(self.currency))

    def for_key(self, key: str) -> LineTax | None:
        return next((line for line in self.lines if line.key == key), None)


def no_tax(currency: str, items: Sequence[TaxableItem]) -> TaxQuote:
    return TaxQuote(currency, tuple(LineTax(i.key, Decimal(0), Money.zero(currency)) for i in items), "", "")


def charges_sales_tax(market: Market) -> bool:
    """Whether checkout adds tax on top of the prices: only where prices are shown before tax (the US)."""
    return not market.prices_include_tax


class TaxProvider(Protocol):
    name: str

    def quote(self, *, address: TaxAddress, currency: str, items: Sequence[TaxableItem]) -> TaxQuote:
        """The tax of ``items`` delivered to ``address``, or ``TaxUnavailable``."""
        ...


def line_tax(amount: Money, rate: Decimal) -> Money:
    """``rate`` percent of one line, half-up to the minor unit."""
    return amount.percentage(rate)


def tax_to_refund(*, line_total: int, line_tax: int, refunded_gross: int, refunded_tax: int, refund: int) -> int:
    """The sales tax to give back with ``refund`` more of a line's goods (minor units), pro rata.

    Computed on the running total and rounded half-up there (not on each part), then clamped to what is left: the
    tax given back over any sequence of partial refunds never exceeds ``line_tax``, and the refund that brings the
    goods refunded to ``line_total`` gives back exactly what is left of it (docs/adr/0022-sales-tax.md).
    """
    if line_total <= 0 or line_tax < 0:
        raise ValueError(f"A line's total is positive and its tax not negative, not {line_total}/{line_tax}")
    if not (refunded_gross >= 0 and 0 <= refunded_tax <= line_tax and refund > 0):
        raise ValueError(f"Invalid refund {refund} after {refunded_gross} refunded (tax {refunded_tax})")
    after = refunded_gross + refund
    if after > line_total:
        raise ValueError(f"Refunding {refund} more would exceed the line's {line_total} ({refunded_gross} refunded)")
    quotient, remainder = divmod(line_tax * after, line_total)
    due = quotient + 1 if 2 * remainder >= line_total else quotient
    return max(0, min(due - refunded_tax, line_tax - refunded_tax))


class StateRateTable:
    """The built-in table: the delivery state's base rate on each line (an approximation, see the module doc)."""

    name = "table"

    def __init__(self, rates: dict[str, Decimal] | None = None) -> None:
        self.rates = rates if rates is not None else US_STATE_RATES

    def quote(self, *, address: TaxAddress, currency: str, items: Sequence[TaxableItem]) -> TaxQuote:
        if address.country != "US":
            return no_tax(currency, items)
        state = address.region.strip().upper()
        rate = self.rates.get(state)
        if rate is None:
            if len(state) == 2 and state.isascii() and state.isalpha():  # a territory (PR, GU…): no state sales tax
                rate = Decimal(0)
            else:
                raise TaxUnavailable(f"Sales tax: unknown US state {address.region!r}")
        shipping_rate = rate if state in US_SHIPPING_TAXABLE else Decimal(0)
        return TaxQuote(
            currency=currency,
            lines=tuple(
                LineTax(i.key, shipping_rate, line_tax(i.amount, shipping_rate))
                if i.shipping
                else LineTax(i.key, rate, line_tax(i.amount, rate))
                for i in items
            ),
            jurisdiction=f"US-{state}",
            source=f"state base rate, {STATE_RATES_SOURCE}",
        )


#: ``post(url, headers, body) -> parsed JSON``; replaced in tests, urllib in production.
Transport = Callable[[str, dict[str, str], dict[str, Any]], dict[str, Any]]


def _urllib_post(url: str, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(  # noqa: S310  # the URL is the operator's setting, https in production
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json", **headers}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        return dict(json.loads(response.read()))


class TaxServiceProvider:
    """An adapter for a real tax service (TaxJar-, Avalara- or Stripe Tax-like): one request per checkout with the
    delivery address and the lines, one tax amount and rate per line back. Any failure is ``TaxUnavailable``:
    checkout then refuses to take the payment rather than under-collect.

    Request: ``{"to": {"country", "state", "zip", "city"}, "currency", "lines": [{"id", "amount", "quantity",
    "shipping"}]}`` (amounts in minor units; ``shipping`` true for a shipping charge, which the service taxes by
    its own rules). Response: ``{"jurisdiction": "US-CA-LOS ANGELES", "lines": [{"id", "rate", "tax"}]}``
    with ``rate`` in percent as a string and ``tax`` in minor units. A real service's own field names are mapped
    here and nowhere else.
    """

    name = "service"

    def __init__(self, *, url: str, api_key: str, post: Transport | None = None) -> None:
        if not url:
            raise ValueError("RELOOP_TAX_SERVICE_URL is required for RELOOP_TAX_PROVIDER=service")
        self.url, self.api_key, self.post = url, api_key, post or _urllib_post

    def quote(self, *, address: TaxAddress, currency: str, items: Sequence[TaxableItem]) -> TaxQuote:
        if address.country != "US":
            return no_tax(currency, items)
        body = {
            "to": {
                "country": address.country,
                "state": address.region,
                "zip": address.postal_code,
                "city": address.city,
            },
            "currency": currency,
            "lines": [
                {"id": i.key, "amount": i.amount.amount, "quantity": i.quantity, "shipping": i.shipping} for i in items
            ],
        }
        try:
            answer = self.post(self.url, {"Authorization": f"Bearer {self.api_key}"}, body)
            by_id = {str(line["id"]): line for line in answer["lines"]}
            lines = tuple(
                LineTax(i.key, Decimal(str(by_id[i.key]["rate"])), Money(int(by_id[i.key]["tax"]), currency))
                for i in items
            )
            jurisdiction = str(answer.get("jurisdiction") or f"US-{address.region}")
        except Exception as exc:  # any transport or shape problem: no guessed tax
            raise TaxUnavailable("Sales tax could not be computed right now; please try again") from exc
        if any(line.amount.amount < 0 for line in lines):
            raise TaxUnavailable("Sales tax service answered a negative tax")
        return TaxQuote(currency, lines, jurisdiction, source=f"tax service {self.url}")


def get_tax_provider() -> TaxProvider:
    """The provider ``RELOOP_TAX_PROVIDER`` names (``table`` by default)."""
    name = getattr(settings, "RELOOP_TAX_PROVIDER", "table")
    if name == "service":
        return TaxServiceProvider(
            url=getattr(settings, "RELOOP_TAX_SERVICE_URL", ""), api_key=getattr(settings, "RELOOP_TAX_SERVICE_KEY", "")
        )
    return StateRateTable()
