"""Tests for reloop.core.money: pure functions, no database."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from babel.numbers import format_currency, get_currency_precision
from hypothesis import given
from hypothesis import strategies as st

from reloop.core.errors import DomainError
from reloop.core.money import (
    CURRENCY_EXPONENTS,
    Currency,
    CurrencyMismatch,
    InvalidAmount,
    Money,
    UnknownCurrency,
    get_currency,
)

NBSP = "\u00a0"

currencies = st.sampled_from(sorted(CURRENCY_EXPONENTS))
amounts = st.integers(min_value=-(10**15), max_value=10**15)
decimal_weights = st.decimals(min_value=0, max_value=1000, places=2, allow_nan=False, allow_infinity=False)
weight_lists = st.lists(st.integers(min_value=0, max_value=1000) | decimal_weights, min_size=1, max_size=12).filter(
    lambda weights: sum(weights) > 0
)


def money(currency: str) -> st.SearchStrategy[Money]:
    return amounts.map(lambda amount: Money(amount, currency))


def half_up(value: Fraction) -> int:
    """Reference rounding for the tests: half a minor unit goes away from zero."""
    magnitude = abs(value)
    rounded = (magnitude.numerator * 2 + magnitude.denominator) // (magnitude.denominator * 2)
    return rounded if value >= 0 else -rounded


# Currencies and exponents


@pytest.mark.parametrize(("code", "exponent"), [("JPY", 0), ("EUR", 2), ("GBP", 2), ("USD", 2), ("KWD", 3)])
def test_exponent_table(code, exponent):
    assert get_currency(code) == Currency(code=code, exponent=exponent)


@pytest.mark.parametrize("code", sorted(CURRENCY_EXPONENTS))
def test_pinned_exponents_agree_with_babel_so_formatting_shows_every_minor_unit(code):
    assert CURRENCY_EXPONENTS[code] == get_currency_precision(code)


def test_currency_outside_the_table_takes_its_exponent_from_babel():
    assert get_currency("BHD") == Currency("BHD", 3)
    assert get_currency("CHF") == Currency("CHF", 2)


@pytest.mark.parametrize("code", ["eur", "Eur", "EURO", "EU", "", "E1R", "ABC", " EUR"])
def test_unknown_currency_codes_are_refused(code):
    with pytest.raises(UnknownCurrency) as raised:
        get_currency(code)

    assert raised.value.code == "unknown_currency"
    assert isinstance(raised.value, DomainError)


# Construction


def test_money_validates_its_currency():
    with pytest.raises(UnknownCurrency):
        Money(100, "XYZ")


@pytest.mark.parametrize("amount", [True, 1.5, Decimal("1"), "100", None])
def test_money_amount_must_be_an_int_of_minor_units(amount):
    with pytest.raises(TypeError):
        Money(amount, "EUR")


def test_money_is_immutable():
    price = Money(100, "EUR")

    with pytest.raises(AttributeError):
        price.amount = 5

    assert price == Money(100, "EUR")


def test_zero():
    assert Money.zero("JPY") == Money(0, "JPY")


# from_major / to_major


@pytest.mark.parametrize(
    ("value", "currency", "minor"),
    [
        ("19.99", "EUR", 1999),
        (Decimal("19.99"), "EUR", 1999),
        (15, "EUR", 1500),
        ("1.500", "EUR", 150),  # trailing zeros are not extra precision
        ("-0.01", "EUR", -1),
        ("1500", "JPY", 1500),
        ("1.234", "KWD", 1234),
        ("1E+2", "GBP", 10000),
    ],
)
def test_from_major_exact_values(value, currency, minor):
    assert Money.from_major(value, currency) == Money(minor, currency)


@pytest.mark.parametrize(
    ("value", "currency", "rounding", "minor"),
    [
        ("1.005", "EUR", ROUND_HALF_UP, 101),
        ("1.005", "EUR", ROUND_HALF_EVEN, 100),
        ("-1.005", "EUR", ROUND_HALF_UP, -101),
        ("1.009", "EUR", ROUND_DOWN, 100),
        ("1500.5", "JPY", ROUND_HALF_UP, 1501),
        ("0.0005", "KWD", ROUND_HALF_UP, 1),
    ],
)
def test_from_major_rounds_only_when_told_how(value, currency, rounding, minor):
    assert Money.from_major(value, currency, rounding=rounding) == Money(minor, currency)


@pytest.mark.parametrize(("value", "currency"), [("1.005", "EUR"), ("1500.5", "JPY"), ("1.2345", "KWD")])
def test_from_major_refuses_excess_precision_without_rounding(value, currency):
    with pytest.raises(InvalidAmount) as raised:
        Money.from_major(value, currency)

    assert raised.value.code == "invalid_amount"
    assert "rounding=" in str(raised.value)


@pytest.mark.parametrize("value", [19.99, 1.0, True])
def test_from_major_refuses_floats_and_bools(value):
    with pytest.raises(TypeError):
        Money.from_major(value, "EUR")


@pytest.mark.parametrize("value", ["", "abc", "1,99", "NaN", "Infinity", Decimal("NaN")])
def test_from_major_refuses_what_is_not_a_finite_number(value):
    with pytest.raises(InvalidAmount):
        Money.from_major(value, "EUR")


def test_from_major_refuses_an_unknown_rounding_mode():
    with pytest.raises(ValueError, match="rounding"):
        Money.from_major("1.005", "EUR", rounding="HALF_UP")


@pytest.mark.parametrize(
    ("minor", "currency", "text"),
    [
        (1500, "JPY", "1500"),
        (1999, "EUR", "19.99"),
        (0, "EUR", "0.00"),
        (-5, "EUR", "-0.05"),
        (5, "KWD", "0.005"),
    ],
)
def test_to_major_has_the_currency_exponent(minor, currency, text):
    major = Money(minor, currency).to_major()

    assert major == Decimal(text)
    assert str(major) == text  # same exponent, not just the same value


@given(currency=currencies, data=st.data())
def test_from_major_of_to_major_round_trips(currency, data):
    price = data.draw(money(currency))

    assert Money.from_major(price.to_major(), currency) == price
    assert Money.from_major(str(price.to_major()), currency) == price


def test_to_major_is_exact_beyond_the_default_decimal_precision():
    amount = 10**40 + 7

    assert Money(amount, "EUR").to_major() == Decimal("100000000000000000000000000000000000000.07")


# Arithmetic and comparisons


def test_add_subtract_negate_abs():
    a, b = Money(1999, "EUR"), Money(501, "EUR")

    assert a + b == Money(2500, "EUR")
    assert a - b == Money(1498, "EUR")
    assert b - a == Money(-1498, "EUR")
    assert -a == Money(-1999, "EUR")
    assert abs(Money(-1999, "EUR")) == a


@given(currency=currencies, data=st.data())
def test_adding_then_subtracting_gives_back_the_original(currency, data):
    a, b = data.draw(money(currency)), data.draw(money(currency))

    assert a + b - b == a
    assert a + b == b + a


@given(currency=currencies, data=st.data())
def test_sum_of_a_list(currency, data):
    items = data.draw(st.lists(money(currency), min_size=1, max_size=20))

    assert sum(items) == Money(sum(item.amount for item in items), currency)
    assert sum(items, Money.zero(currency)) == sum(items)


def test_sum_of_an_empty_list_needs_a_start_value():
    assert sum([], Money.zero("EUR")) == Money(0, "EUR")


def test_sum_of_mixed_currencies_raises():
    with pytest.raises(CurrencyMismatch):
        sum([Money(1, "EUR"), Money(1, "GBP")])


@pytest.mark.parametrize(
    "operation",
    [
        lambda a, b: a + b,
        lambda a, b: a - b,
        lambda a, b: a < b,
        lambda a, b: a <= b,
        lambda a, b: a > b,
        lambda a, b: a >= b,
    ],
)
def test_mixing_currencies_raises_for_arithmetic_and_ordering(operation):
    with pytest.raises(CurrencyMismatch) as raised:
        operation(Money(100, "EUR"), Money(100, "GBP"))

    assert raised.value.code == "currency_mismatch"
    assert isinstance(raised.value, DomainError)


def test_equality_across_currencies_is_false_not_an_error():
    assert Money(100, "EUR") != Money(100, "GBP")
    assert not (Money(100, "EUR") == Money(100, "GBP"))  # noqa: SIM201 -- exercising __eq__ itself


def test_equal_amounts_hash_alike():
    assert hash(Money(100, "EUR")) == hash(Money(100, "EUR"))
    assert {Money(100, "EUR"), Money(100, "EUR"), Money(100, "USD")} == {Money(100, "EUR"), Money(100, "USD")}


def test_ordering_within_a_currency():
    cheap, dear = Money(999, "EUR"), Money(1999, "EUR")

    assert cheap < dear
    assert cheap <= dear
    assert cheap <= Money(999, "EUR")
    assert dear > cheap
    assert dear >= cheap
    assert sorted([dear, cheap]) == [cheap, dear]
    assert max([cheap, dear]) == dear


@pytest.mark.parametrize(
    "operation",
    [
        lambda m: m + 0,  # only sum()'s starting 0 is accepted, on the right-hand side
        lambda m: 1 + m,
        lambda m: False + m,
        lambda m: m + Decimal("1"),
        lambda m: m - 1,
        lambda m: m < 5,
    ],
)
def test_money_does_not_mix_with_bare_numbers(operation):
    with pytest.raises(TypeError):
        operation(Money(100, "EUR"))


def test_zero_plus_money_supports_sum():
    assert 0 + Money(5, "EUR") == Money(5, "EUR")


# Multiplication and percentages


def test_multiplying_by_an_int():
    assert Money(1999, "EUR") * 3 == Money(5997, "EUR")
    assert 3 * Money(1999, "EUR") == Money(5997, "EUR")
    assert Money(1999, "EUR") * -1 == Money(-1999, "EUR")


@pytest.mark.parametrize("factor", [Decimal("1.5"), 1.5, True])
def test_the_operator_only_multiplies_by_ints(factor):
    with pytest.raises(TypeError):
        Money(1999, "EUR") * factor


@pytest.mark.parametrize(
    ("amount", "factor", "rounding", "expected"),
    [
        (1999, Decimal("1.5"), ROUND_HALF_UP, 2999),  # 2998.5
        (1999, Decimal("1.5"), ROUND_HALF_EVEN, 2998),
        (-1999, Decimal("1.5"), ROUND_HALF_UP, -2999),
        (1999, Decimal("0.333"), ROUND_HALF_UP, 666),  # 665.667
        (1999, 2, ROUND_HALF_UP, 3998),
        (1999, Decimal("0.333"), ROUND_DOWN, 665),
    ],
)
def test_multiply_rounds_to_a_minor_unit(amount, factor, rounding, expected):
    assert Money(amount, "EUR").multiply(factor, rounding=rounding) == Money(expected, "EUR")


@pytest.mark.parametrize("factor", [1.5, True, "2", Decimal("NaN"), Decimal("Infinity")])
def test_multiply_refuses_floats_and_non_numbers(factor):
    with pytest.raises((TypeError, ValueError)):
        Money(1999, "EUR").multiply(factor)


@pytest.mark.parametrize(
    ("amount", "rate", "expected"),
    [
        (1999, Decimal("10"), 200),  # 199.9, the marketplace commission on 19.99 EUR
        (10, Decimal("5"), 1),  # exactly half a cent rounds up
        (-10, Decimal("5"), -1),  # ... and away from zero for a refund
        (10, Decimal("-5"), -1),
        (30, Decimal("5"), 2),  # 1.5
        (29, Decimal("5"), 1),  # 1.45
        (1000, Decimal("5.5"), 55),
        (1999, 20, 400),  # 399.8
        (0, Decimal("20"), 0),
    ],
)
def test_percentage_is_half_up(amount, rate, expected):
    assert Money(amount, "EUR").percentage(rate) == Money(expected, "EUR")


def test_percentage_can_be_rounded_another_way_on_request():
    assert Money(10, "EUR").percentage(Decimal("5"), rounding=ROUND_HALF_EVEN) == Money(0, "EUR")


def test_percentage_refuses_floats():
    with pytest.raises(TypeError):
        Money(1999, "EUR").percentage(10.0)


@given(
    currency=currencies,
    data=st.data(),
    rate=st.decimals(min_value=-100, max_value=100, places=3, allow_nan=False, allow_infinity=False),
)
def test_percentage_matches_exact_half_up_rounding(currency, data, rate):
    price = data.draw(money(currency))

    result = price.percentage(rate)

    assert result == Money(half_up(Fraction(price.amount) * Fraction(rate) / 100), currency)


def test_multiply_is_exact_beyond_the_default_decimal_precision():
    big = Money(10**40 + 1, "EUR")

    assert big.multiply(Decimal("0.5")) == Money(5 * 10**39 + 1, "EUR")  # ...000.5 rounds up


# Allocation and splitting


@pytest.mark.parametrize(
    ("amount", "weights", "expected"),
    [
        (100, [1, 1, 1], [34, 33, 33]),
        (-100, [1, 1, 1], [-34, -33, -33]),
        (5, [3, 7], [2, 3]),  # 1.5 and 3.5: equal remainders, the earlier part gets the cent
        (1000, [1, 0, 1], [500, 0, 500]),
        (100, [Decimal("33.3"), Decimal("66.7")], [33, 67]),
        (2, [1, 1, 1], [1, 1, 0]),
        (0, [1, 2], [0, 0]),
        (101, [70, 20, 10], [71, 20, 10]),  # 70.7, 20.2, 10.1: the largest remainder wins
    ],
)
def test_allocate_examples(amount, weights, expected):
    parts = Money(amount, "EUR").allocate(weights)

    assert parts == [Money(part, "EUR") for part in expected]


@given(currency=currencies, data=st.data(), weights=weight_lists)
def test_allocate_parts_sum_exactly_and_stay_within_one_minor_unit(currency, data, weights):
    total = data.draw(money(currency))

    parts = total.allocate(weights)

    assert len(parts) == len(weights)
    assert all(part.currency == currency for part in parts)
    assert sum(parts) == total
    weight_sum = sum(Fraction(weight) for weight in weights)
    for part, weight in zip(parts, weights, strict=True):
        exact_share = Fraction(total.amount) * Fraction(weight) / weight_sum
        assert abs(part.amount - exact_share) < 1
        if weight == 0:
            assert part.amount == 0


@given(currency=currencies, data=st.data(), weights=weight_lists)
def test_allocate_is_deterministic_and_symmetric_for_negative_totals(currency, data, weights):
    total = data.draw(money(currency))

    parts = total.allocate(weights)

    assert total.allocate(list(weights)) == parts
    assert (-total).allocate(weights) == [-part for part in parts]


@pytest.mark.parametrize(
    ("weights", "error", "message"),
    [
        ([], ValueError, "positive sum"),
        ([0, 0], ValueError, "positive sum"),
        ([1, -1, 2], ValueError, "non-negative"),
        ([Decimal("NaN")], ValueError, "finite"),
        ([1.5, 1], TypeError, "int or a Decimal"),
        ([True, 1], TypeError, "int or a Decimal"),
    ],
)
def test_allocate_refuses_bad_weights(weights, error, message):
    with pytest.raises(error, match=message):
        Money(100, "EUR").allocate(weights)


@pytest.mark.parametrize(
    ("amount", "n", "expected"),
    [
        (100, 3, [34, 33, 33]),
        (-100, 3, [-34, -33, -33]),
        (1000, 4, [250, 250, 250, 250]),
        (2, 5, [1, 1, 0, 0, 0]),
        (1999, 1, [1999]),
    ],
)
def test_split_examples(amount, n, expected):
    assert Money(amount, "JPY").split(n) == [Money(part, "JPY") for part in expected]


@given(currency=currencies, data=st.data(), n=st.integers(min_value=1, max_value=50))
def test_split_parts_sum_exactly_and_differ_by_at_most_one_with_the_first_parts_larger(currency, data, n):
    total = data.draw(money(currency))

    parts = total.split(n)

    assert len(parts) == n
    assert sum(parts) == total
    magnitudes = [abs(part.amount) for part in parts]
    assert max(magnitudes) - min(magnitudes) <= 1
    assert magnitudes == sorted(magnitudes, reverse=True)
    assert total.split(n) == parts
    assert (-total).split(n) == [-part for part in parts]


@pytest.mark.parametrize(("n", "error"), [(0, ValueError), (-2, ValueError), (True, TypeError), (2.0, TypeError)])
def test_split_refuses_bad_part_counts(n, error):
    with pytest.raises(error):
        Money(100, "EUR").split(n)


# Display


def test_format_literal_examples():
    assert Money(1999, "EUR").format("fr_FR") == f"19,99{NBSP}€"
    assert Money(1999, "GBP").format("en_GB") == "£19.99"
    assert Money(-1999, "EUR").format("fr_FR") == f"-19,99{NBSP}€"


@pytest.mark.parametrize(
    ("minor", "currency", "locale"),
    [
        (1500, "JPY", "ja_JP"),
        (1999, "EUR", "de_DE"),
        (1999, "USD", "en_US"),
        (123456789, "SEK", "sv_SE"),
        (1234, "KWD", "en_GB"),
        (1999, "AUD", "en_AU"),
    ],
)
def test_format_is_babels_output_for_the_major_value(minor, currency, locale):
    price = Money(minor, currency)

    assert price.format(locale) == format_currency(price.to_major(), currency, locale=locale)


@pytest.mark.parametrize(("django_locale", "babel_locale"), [("fr-fr", "fr_FR"), ("en-gb", "en_GB"), ("fr", "fr")])
def test_format_accepts_django_locale_names(django_locale, babel_locale):
    price = Money(1999, "EUR")

    assert price.format(django_locale) == price.format(babel_locale)


def test_format_refuses_an_unknown_locale():
    with pytest.raises(ValueError, match="locale"):
        Money(1999, "EUR").format("xx-yy")


def test_str_is_for_logs_and_repr_rebuilds_the_value():
    assert str(Money(1999, "EUR")) == "19.99 EUR"
    assert str(Money(1500, "JPY")) == "1500 JPY"
    assert str(Money(-5, "KWD")) == "-0.005 KWD"
    assert repr(Money(1999, "EUR")) == "Money(amount=1999, currency='EUR')"
