"""US sales tax: the built-in state table and the tax-service adapter, both through the ``TaxProvider`` shape."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from reloop.core.money import Money
from reloop.markets.data import MARKETS
from reloop.markets.tax import (
    US_SHIPPING_TAXABLE,
    US_SHIPPING_TAXABLE_SOURCE,
    US_STATE_RATES,
    StateRateTable,
    TaxableItem,
    TaxAddress,
    TaxProvider,
    TaxServiceProvider,
    TaxUnavailable,
    charges_sales_tax,
)

ITEMS = [TaxableItem("1", Money(29999, "USD")), TaxableItem("2", Money(1999, "USD"), quantity=2)]


def test_only_the_us_market_adds_tax_at_checkout() -> None:
    assert [m.code for m in MARKETS if charges_sales_tax(m)] == ["en-us"]


def test_state_table_has_every_state_and_dc() -> None:
    assert len(US_STATE_RATES) == 51
    assert all(Decimal(0) <= rate < Decimal(10) for rate in US_STATE_RATES.values())


def test_california_base_rate_per_line_rounded_half_up() -> None:
    quote = StateRateTable().quote(address=TaxAddress("US", "ca", "94103"), currency="USD", items=ITEMS)
    # 299.99 × 7.25% = 21.749275 → 21.75; 19.99 × 7.25% = 1.449275 → 1.45
    assert [(line.key, line.rate, line.amount) for line in quote.lines] == [
        ("1", Decimal("7.25"), Money(2175, "USD")),
        ("2", Decimal("7.25"), Money(145, "USD")),
    ]
    assert quote.total == Money(2320, "USD")
    assert quote.jurisdiction == "US-CA"
    assert "Tax Foundation" in quote.source


def test_states_without_sales_tax_and_territories_charge_nothing() -> None:
    for state in ("OR", "NH", "PR"):
        quote = StateRateTable().quote(address=TaxAddress("US", state), currency="USD", items=ITEMS)
        assert quote.total == Money(0, "USD")


def test_unknown_state_is_refused_not_guessed() -> None:
    with pytest.raises(TaxUnavailable):
        StateRateTable().quote(address=TaxAddress("US", "California!"), currency="USD", items=ITEMS)


def test_outside_the_us_no_tax_is_added() -> None:
    quote = StateRateTable().quote(
        address=TaxAddress("FR"), currency="EUR", items=[TaxableItem("1", Money(100, "EUR"))]
    )
    assert quote.total == Money(0, "EUR")
    assert quote.jurisdiction == ""


def test_tax_service_adapter_maps_request_and_answer() -> None:
    seen: dict[str, Any] = {}

    def post(url: str, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
        seen.update(url=url, headers=headers, body=body)
        return {
            "jurisdiction": "US-CA-SAN FRANCISCO",
            "lines": [{"id": "1", "rate": "8.625", "tax": 2587}, {"id": "2", "rate": "8.625", "tax": 172}],
        }

    provider: TaxProvider = TaxServiceProvider(url="https://tax.example/v1/quote", api_key="k", post=post)
    quote = provider.quote(address=TaxAddress("US", "CA", "94103", "San Francisco"), currency="USD", items=ITEMS)
    assert seen["headers"] == {"Authorization": "Bearer k"}
    assert seen["body"]["to"] == {"country": "US", "state": "CA", "zip": "94103", "city": "San Francisco"}
    assert seen["body"]["lines"] == [
        {"id": "1", "amount": 29999, "quantity": 1, "shipping": False},
        {"id": "2", "amount": 1999, "quantity": 2, "shipping": False},
    ]
    assert quote.total == Money(2759, "USD")
    assert quote.for_key("1") is not None
    assert quote.jurisdiction == "US-CA-SAN FRANCISCO"


@pytest.mark.parametrize(
    "answer",
    [{"lines": []}, {"lines": [{"id": "1", "rate": "x", "tax": 1}]}, {"lines": [{"id": "1", "rate": "1", "tax": -5}]}],
)
def test_tax_service_failure_stops_checkout(answer: dict[str, Any]) -> None:
    provider = TaxServiceProvider(url="https://tax.example", api_key="k", post=lambda *a: answer)
    with pytest.raises(TaxUnavailable):
        provider.quote(address=TaxAddress("US", "CA"), currency="USD", items=ITEMS[:1])


def test_tax_service_down_stops_checkout() -> None:
    def down(*args: object) -> dict[str, Any]:
        raise OSError("connection refused")

    with pytest.raises(TaxUnavailable):
        TaxServiceProvider(url="https://tax.example", api_key="k", post=down).quote(
            address=TaxAddress("US", "CA"), currency="USD", items=ITEMS
        )


@pytest.mark.parametrize(("state", "taxed"), [("NY", True), ("TX", True), ("WA", True), ("CA", False), ("FL", False)])
def test_shipping_is_taxed_at_the_state_rate_where_the_state_taxes_shipping(state: str, taxed: bool) -> None:
    items = [TaxableItem("1", Money(29999, "USD")), TaxableItem("shipping:7", Money(1299, "USD"), shipping=True)]
    quote = StateRateTable().quote(address=TaxAddress("US", state), currency="USD", items=items)
    goods, shipping = quote.for_key("1"), quote.for_key("shipping:7")
    assert goods is not None
    assert shipping is not None
    assert goods.rate == US_STATE_RATES[state]
    assert shipping.rate == (US_STATE_RATES[state] if taxed else Decimal(0))
    assert shipping.amount == Money(1299, "USD").percentage(shipping.rate)


def test_the_shipping_table_names_only_states_with_a_sales_tax() -> None:
    assert {state for state, rate in US_STATE_RATES.items() if rate > 0} >= US_SHIPPING_TAXABLE
    assert "TaxJar" in US_SHIPPING_TAXABLE_SOURCE
