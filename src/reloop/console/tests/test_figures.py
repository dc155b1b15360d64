"""The console's figures equal sums computed independently, here in Python, from the orders and the ledger's line
refunds (hypothesis over random orders, markets, currencies, days and refunds); their queries do not grow with the
number of orders; the pure conversion rules."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from reloop.catalog.tests.factories import VariantFactory
from reloop.console import domain, roles, selectors
from reloop.console.tests.helpers import at, order_paid, staff_with
from reloop.core import clock
from reloop.core.money import Money, get_currency
from reloop.offers.tests.factories import make_offer
from reloop.orders.models import OrderLine
from reloop.payments.services import record_cancellation, record_refund
from reloop.sellers.tests.factories import SellerFactory

MARKETS = [("en-gb", "GBP"), ("fr-fr", "EUR"), ("de-de", "EUR"), ("ja-jp", "JPY"), ("sv-se", "SEK"), ("en-us", "USD")]
FIRST, LAST = dt.date(2026, 3, 1), dt.date(2026, 3, 10)
PERIOD = domain.Period(first=FIRST, last=LAST)


def independent_conversion(totals: dict[str, int], rates: dict[str, Decimal], to: str) -> int:
    """The reporting total, computed without the code under test: major units, through the euro, half-up."""
    result = 0
    for currency, minor in totals.items():
        major = Decimal(minor) / (10 ** get_currency(currency).exponent)
        converted = major / rates[currency] * rates[to]
        result += int((converted * 10 ** get_currency(to).exponent).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return result


order_spec = st.fixed_dictionaries(
    {
        "market": st.sampled_from(range(len(MARKETS))),
        "unit": st.integers(min_value=100, max_value=500_000),
        "quantity": st.integers(min_value=1, max_value=3),
        "shipping": st.integers(min_value=0, max_value=2_000),
        "day": st.integers(min_value=-3, max_value=12),  # days after FIRST - 1: some fall outside the period
        "refund": st.sampled_from(["none", "refund", "cancel"]),
        "refund_share": st.integers(min_value=1, max_value=100),
    }
)


class FigureTests(TestCase):
    """``hypothesis.extra.django.TestCase`` rolls the database back after every example."""

    @classmethod
    def setUpTestData(cls):
        seller = SellerFactory()
        cls.offer = make_offer(seller=seller, variant=VariantFactory(), stock=1000)

    @settings(max_examples=20, deadline=None)
    @given(specs=st.lists(order_spec, min_size=0, max_size=8))
    def test_market_and_platform_figures_equal_independent_sums(self, specs):
        expected: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for n, spec in enumerate(specs):
            market, currency = MARKETS[spec["market"]]
            day = FIRST + dt.timedelta(days=spec["day"] - 1)
            paid_at = dt.datetime.combine(day, dt.time(10, n), tzinfo=dt.UTC)
            line_total = spec["unit"] * spec["quantity"]
            commission = line_total // 10
            order = order_paid(
                offer=self.offer,
                market=market,
                currency=currency,
                unit=spec["unit"],
                quantity=spec["quantity"],
                shipping=spec["shipping"],
                commission=commission,
                paid_at=paid_at,
            )
            line = OrderLine.objects.get(seller_order__order=order)
            in_period = FIRST <= day <= LAST
            if in_period:
                expected[market]["gmv"] += line_total + spec["shipping"]
                expected[market]["orders"] += 1
                expected[market]["commission"] += commission
                expected[market]["units"] += spec["quantity"]
            if spec["refund"] != "none":
                gross = max(1, line_total * spec["refund_share"] // 100)
                record = record_refund if spec["refund"] == "refund" else record_cancellation
                with at(paid_at + dt.timedelta(hours=1)):
                    record(
                        key=f"t-{order.number}",
                        reference=f"order:{order.number}",
                        seller_id=self.offer.seller_id,
                        gross=Money(gross, currency),
                        commission=Money(gross // 10, currency),
                        line_id=line.pk,
                    )
                if in_period:
                    expected[market]["refunded" if spec["refund"] == "refund" else "cancelled_amount"] += gross

        markets = selectors.market_figures(start=PERIOD.start, end=PERIOD.end)
        got = {
            f.market: {
                k: getattr(f, k)
                for k in ("gmv", "orders", "commission", "units", "refunded", "cancelled_amount")
                if getattr(f, k)
            }
            for f in markets
        }
        assert got == {m: {k: v for k, v in figures.items() if v} for m, figures in expected.items()}

        rates = selectors.rates_on(LAST)
        platform = selectors.platform_figures(markets, rates)
        for name in ("gmv", "commission", "refunded"):
            by_currency: dict[str, int] = defaultdict(int)
            for market, figures in expected.items():
                by_currency[dict(MARKETS)[market]] += figures.get(name, 0)
            assert getattr(platform, name) == Money(independent_conversion(by_currency, rates.per_eur, "EUR"), "EUR"), (
                name
            )
        assert platform.orders == sum(f.get("orders", 0) for f in expected.values())
        assert platform.missing_rates == []


def test_conversion_goes_through_the_euro_and_rounds_half_up():
    rates = {"EUR": Decimal(1), "GBP": Decimal("0.8"), "JPY": Decimal("150")}
    assert domain.convert(Money(800, "GBP"), to="EUR", per_eur=rates) == Money(1000, "EUR")
    assert domain.convert(Money(1, "JPY"), to="EUR", per_eur=rates) == Money(1, "EUR")  # 0.0067 € → 0.01 half-up
    assert domain.convert(Money(1000, "EUR"), to="JPY", per_eur=rates) == Money(1500, "JPY")
    total, missing = domain.convert_totals({"GBP": 800, "USD": 100}, to="EUR", per_eur=rates)
    assert (total, missing) == (Money(1000, "EUR"), ["USD"])


def test_rates_and_averages_are_none_without_a_base():
    assert domain.ratio(1, 0) is None
    assert domain.ratio(1, 3) == Decimal("0.3333")
    assert domain.average(Money(1000, "EUR"), 0) is None
    assert domain.average(Money(1001, "EUR"), 2) == Money(501, "EUR")


@pytest.mark.django_db
def test_the_shipped_rates_carry_their_date_and_source():
    rates = selectors.rates_on(dt.date(2026, 1, 1))
    assert set(rates.per_eur) >= {"EUR", "GBP", "USD", "SEK", "JPY", "AUD"}
    assert all(r.source.startswith("ECB") and r.as_of == dt.date(2023, 12, 29) for r in rates.rows)


@pytest.mark.django_db
def test_the_home_runs_the_same_queries_for_1_and_10_orders(client):
    offer = make_offer(seller=SellerFactory(), variant=VariantFactory(), stock=100)
    client.force_login(staff_with(roles.FINANCE))

    def count() -> int:
        with clock.frozen_at(dt.datetime(2026, 3, 10, 18, tzinfo=dt.UTC)), CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("operator:home"))
        assert response.status_code == 200
        return len(ctx.captured_queries)

    when = dt.datetime(2026, 3, 9, 12, tzinfo=dt.UTC)
    order_paid(offer=offer, market="en-gb", currency="GBP", unit=1000, paid_at=when)
    count()  # the first request of a session also loads and saves it
    one = count()
    for n in range(9):
        market, currency = MARKETS[n % len(MARKETS)]
        order_paid(offer=offer, market=market, currency=currency, unit=1000 + n, paid_at=when - dt.timedelta(days=n))
    assert count() == one


@pytest.mark.django_db
def test_the_seller_list_runs_the_same_queries_for_1_and_10_sellers(client):
    client.force_login(staff_with(roles.SUPPORT))
    SellerFactory()
    client.get(reverse("operator:seller_directory"))  # the first request of a session also loads and saves it
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("operator:seller_directory")).status_code == 200
    one = len(ctx.captured_queries)
    for _ in range(9):
        offer = make_offer(seller=SellerFactory(), variant=VariantFactory(), stock=5)
        order_paid(offer=offer, market="fr-fr", currency="EUR", unit=5000, paid_at=clock.now())
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("operator:seller_directory")).status_code == 200
    assert len(ctx.captured_queries) == one
