"""Pure ledger rules: commission rounding, returned commission, balanced postings. No database."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reloop.core.errors import InvalidInput
from reloop.core.money import Money
from reloop.payments import domain
from reloop.payments.domain import SellerShare, commission, commission_to_return
from reloop.payments.errors import InvalidShare, InvalidTransaction, UnbalancedTransaction, UnknownAccount


@pytest.mark.parametrize(
    ("amount", "currency", "rate", "expected"),
    [
        (1995, "EUR", Decimal("10"), 200),  # 199.5 → 200: half-up
        (1994, "EUR", Decimal("10"), 199),  # 199.4 → 199
        (15, "EUR", Decimal("10"), 2),  # 1.5 → 2
        (25, "EUR", Decimal("10"), 3),  # 2.5 → 3 (half-up, not banker's 2)
        (12345, "JPY", Decimal("12.5"), 1543),  # 1543.125 yen → 1543
        (0, "EUR", Decimal("10"), 0),
        (1000, "GBP", Decimal("0"), 0),
        (1000, "GBP", Decimal("100"), 1000),
    ],
)
def test_commission_is_the_rate_rounded_half_up(amount, currency, rate, expected):
    assert commission(Money(amount, currency), rate) == Money(expected, currency)


@pytest.mark.parametrize("rate", [Decimal("-1"), Decimal("100.01"), Decimal("NaN")])
def test_commission_refuses_a_rate_outside_0_to_100(rate):
    with pytest.raises(InvalidInput) as excinfo:
        commission(Money(1000, "EUR"), rate)
    assert excinfo.value.code == "invalid_rate"


def test_commission_refuses_a_float_rate():
    with pytest.raises(TypeError):
        commission(Money(1000, "EUR"), 10.0)


def test_returned_commission_in_parts_adds_up_to_the_commission_charged():
    gross, fee = Money(1500, "EUR"), Money(150, "EUR")
    # 10% of 15.00 charged 1.50; three refunds of 5.00 return 0.50 each (not 0.50 rounded three ways)
    returned = []
    refunded_gross, refunded_fee = Money.zero("EUR"), Money.zero("EUR")
    for _ in range(3):
        part = commission_to_return(
            gross=gross,
            commission=fee,
            refunded_gross=refunded_gross,
            refunded_commission=refunded_fee,
            refund=Money(500, "EUR"),
        )
        returned.append(part.amount)
        refunded_gross += Money(500, "EUR")
        refunded_fee += part
    assert returned == [50, 50, 50]


def test_returned_commission_rounds_the_running_total_not_each_part():
    # 0.15 gross charged 0.02 (1.5 → 2 cents); refunds of 0.05 return 1, 0, 1 cent: never 3 cents in total
    gross, fee = Money(15, "EUR"), Money(2, "EUR")
    parts, refunded_fee = [], 0
    for step in range(3):
        part = commission_to_return(
            gross=gross,
            commission=fee,
            refunded_gross=Money(5 * step, "EUR"),
            refunded_commission=Money(refunded_fee, "EUR"),
            refund=Money(5, "EUR"),
        )
        parts.append(part.amount)
        refunded_fee += part.amount
    assert parts == [1, 0, 1]
    assert refunded_fee == 2


def test_refunding_more_than_was_sold_is_refused():
    with pytest.raises(InvalidShare):
        commission_to_return(
            gross=Money(1000, "EUR"),
            commission=Money(100, "EUR"),
            refunded_gross=Money(600, "EUR"),
            refunded_commission=Money(60, "EUR"),
            refund=Money(401, "EUR"),
        )


@given(
    gross=st.integers(min_value=1, max_value=10**9),
    rate=st.decimals(min_value=0, max_value=100, places=2),
    cuts=st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=6),
)
def test_any_refunds_return_at_most_the_commission_and_a_full_refund_returns_all_of_it(gross, rate, cuts):
    sale = Money(gross, "EUR")
    fee = commission(sale, rate)
    # Cut the gross into consecutive refunds (the last one takes what is left)
    points = sorted({min(c, gross) for c in cuts} | {gross})
    refunded_gross, refunded_fee = 0, 0
    for point in points:
        part = commission_to_return(
            gross=sale,
            commission=fee,
            refunded_gross=Money(refunded_gross, "EUR"),
            refunded_commission=Money(refunded_fee, "EUR"),
            refund=Money(point - refunded_gross, "EUR"),
        )
        assert part.amount >= 0
        refunded_gross, refunded_fee = point, refunded_fee + part.amount
        assert refunded_fee <= fee.amount
    assert refunded_fee == fee.amount


def test_account_codes():
    assert domain.account_spec("psp:receivable").kind == domain.ASSET
    assert domain.account_spec("platform:clearing").kind == domain.LIABILITY
    assert domain.account_spec("platform:commission").kind == domain.REVENUE
    spec = domain.account_spec("seller:42:payable")
    assert (spec.kind, spec.seller_id) == (domain.LIABILITY, 42)
    for bad in ["seller:0:payable", "seller:abc:payable", "seller:1:payable:x", "bank", ""]:
        with pytest.raises(UnknownAccount):
            domain.account_spec(bad)


def test_check_postings_names_each_broken_rule():
    eur = Money(100, "EUR")
    with pytest.raises(InvalidTransaction) as too_few:
        domain.check_postings([("psp:receivable", eur)])
    assert too_few.value.code == "too_few_postings"
    with pytest.raises(InvalidTransaction) as zero:
        domain.check_postings([("psp:receivable", eur), ("platform:clearing", -eur), ("seller:1:payable", eur * 0)])
    assert zero.value.code == "zero_posting"
    with pytest.raises(UnbalancedTransaction) as unbalanced:
        domain.check_postings([("psp:receivable", eur), ("platform:clearing", Money(-99, "EUR"))])
    assert unbalanced.value.code == "unbalanced_transaction"
    # Balanced in total but not per currency
    with pytest.raises(UnbalancedTransaction):
        domain.check_postings([("psp:receivable", eur), ("platform:clearing", Money(-100, "GBP"))])
    domain.check_postings([("psp:receivable", eur), ("platform:clearing", -eur)])


def test_split_postings_credit_each_seller_net_and_the_platform_the_commission():
    shares = [
        SellerShare.at_rate(1, Money(30000, "EUR"), Decimal("10")),
        SellerShare.at_rate(2, Money(1995, "EUR"), Decimal("10")),
    ]
    assert domain.split_postings(shares) == [
        ("platform:clearing", Money(31995, "EUR")),
        ("seller:1:payable", Money(-27000, "EUR")),
        ("seller:2:payable", Money(-1795, "EUR")),
        ("platform:commission", Money(-3200, "EUR")),
    ]


def test_split_leaves_out_zero_legs():
    # No commission at 0%, and a seller whose whole gross is commission is owed nothing
    assert domain.split_postings([SellerShare(1, Money(500, "EUR"), Money(0, "EUR"))]) == [
        ("platform:clearing", Money(500, "EUR")),
        ("seller:1:payable", Money(-500, "EUR")),
    ]
    assert domain.split_postings([SellerShare(1, Money(500, "EUR"), Money(500, "EUR"))]) == [
        ("platform:clearing", Money(500, "EUR")),
        ("platform:commission", Money(-500, "EUR")),
    ]


@pytest.mark.parametrize(
    "shares",
    [
        [],
        [SellerShare(1, Money(500, "EUR"), Money(0, "EUR")), SellerShare(2, Money(500, "GBP"), Money(0, "GBP"))],
        [SellerShare(1, Money(0, "EUR"), Money(0, "EUR"))],
        [SellerShare(1, Money(500, "EUR"), Money(501, "EUR"))],
        [SellerShare(1, Money(500, "EUR"), Money(-1, "EUR"))],
        [SellerShare(0, Money(500, "EUR"), Money(0, "EUR"))],
    ],
)
def test_split_refuses_bad_shares(shares):
    with pytest.raises(InvalidShare):
        domain.split_postings(shares)


def test_refund_postings_reverse_one_sellers_part():
    assert domain.refund_postings(seller_id=7, gross=Money(10000, "GBP"), commission=Money(1000, "GBP")) == [
        ("seller:7:payable", Money(9000, "GBP")),
        ("platform:commission", Money(1000, "GBP")),
        ("psp:receivable", Money(-10000, "GBP")),
    ]
