"""The all-in price's sales tax estimate follows checkout: the delivery is taxed where the state taxes shipping."""

from __future__ import annotations

import pytest

from reloop.checkout import all_in
from reloop.core.money import Money
from reloop.markets.registry import get_market


@pytest.mark.parametrize(("state", "tax"), [("NY", 1200 + 40), ("CA", 2175)])
def test_a_paid_delivery_is_taxed_in_states_that_tax_shipping(monkeypatch, state, tax):
    monkeypatch.setattr(all_in, "cheapest_shipping", lambda currency: Money(1000, currency))
    price = all_in.all_in_price(amount=29999, market=get_market("en-us"), state=state)
    assert price.tax == Money(tax, "USD")
    assert price.total == Money(29999 + 1000 + tax, "USD")


def test_free_delivery_adds_no_tax() -> None:
    price = all_in.all_in_price(amount=29999, market=get_market("en-us"), state="NY")
    assert (price.shipping, price.tax) == (Money(0, "USD"), Money(1200, "USD"))
