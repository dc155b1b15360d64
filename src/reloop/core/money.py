"""Money: integer minor units plus an ISO 4217 currency, and the only arithmetic Reloop does on it.

This module owns the currency exponent table, the ``Money`` value type, conversion from and to major
units (``Decimal``, never ``float``), rounding (always explicit; half-up unless the caller picks another
mode), exact splitting (largest-remainder allocation, so the parts always add up to the whole) and
locale-aware display through Babel. It is pure Python: no Django, no database.

Amounts are Python ints in the currency's minor unit (cents for EUR, yen for JPY, fils for KWD), so a value
goes straight into a ``BIGINT`` column and sums are exact. Mixing currencies in arithmetic or ordering
raises ``CurrencyMismatch``. ``sum()`` works on a non-empty list, but an empty list sums to the int ``0``:
pass a start value (``sum(items, Money.zero("EUR"))``) when the list may be empty.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import (
    ROUND_05UP,
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_DOWN,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Decimal,
    Inexact,
    InvalidOperation,
    Rounded,
    localcontext,
)
from fractions import Fraction
from functools import lru_cache
from typing import final

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, get_currency_precision, is_currency

from reloop.core.errors import DomainError, InvalidInput

__all__ = [
    "CURRENCY_EXPONENTS",
    "Currency",
    "CurrencyMismatch",
    "InvalidAmount",
    "Money",
    "UnknownCurrency",
    "get_currency",
]


class UnknownCurrency(InvalidInput):
    """The code is not three uppercase letters naming a currency Babel (CLDR) knows."""

    code = "unknown_currency"


class CurrencyMismatch(DomainError):
    """Two amounts in different currencies were added, subtracted or ordered."""

    code = "currency_mismatch"


class InvalidAmount(InvalidInput):
    """A major-unit amount could not be turned into minor units (not a number, or too many decimals)."""

    code = "invalid_amount"


# The currencies Reloop trades in, pinned so that a CLDR update can never silently change how many minor
# units a stored amount means. KWD is here to keep three-decimal currencies honest. Other currencies fall
# back to Babel's (CLDR's) number of digits.
CURRENCY_EXPONENTS: dict[str, int] = {
    "EUR": 2,
    "GBP": 2,
    "USD": 2,
    "SEK": 2,
    "JPY": 0,
    "AUD": 2,
    "KWD": 3,
}

_ROUNDING_MODES = frozenset(
    {
        ROUND_05UP,
        ROUND_CEILING,
        ROUND_DOWN,
        ROUND_FLOOR,
        ROUND_HALF_DOWN,
        ROUND_HALF_EVEN,
        ROUND_HALF_UP,
        ROUND_UP,
    }
)
_CODE_SHAPE = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True, slots=True)
class Currency:
    """An ISO 4217 currency; ``exponent`` is how many decimals its minor unit has (EUR 2, JPY 0, KWD 3)."""

    code: str
    exponent: int


_currencies: dict[str, Currency] = {code: Currency(code, exp) for code, exp in CURRENCY_EXPONENTS.items()}


def get_currency(code: str) -> Currency:
    """Return the currency for an ISO 4217 code, or raise ``UnknownCurrency``."""
    currency = _currencies.get(code)
    if currency is not None:
        return currency
    if not isinstance(code, str) or not _CODE_SHAPE.fullmatch(code) or not is_currency(code):
        raise UnknownCurrency(f"Unknown currency code {code!r}: expected an ISO 4217 code such as 'EUR'.")
    currency = Currency(code, get_currency_precision(code))
    _currencies[code] = currency  # a benign race: every thread computes the same value
    return currency


def _check_rounding(rounding: str) -> None:
    if rounding not in _ROUNDING_MODES:
        raise ValueError(f"Unknown rounding mode {rounding!r}: use one of the decimal.ROUND_* constants.")


def _shift(value: Decimal, places: int) -> Decimal:
    """``value * 10**places``, exactly: only the exponent changes, so no context precision applies."""
    sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):  # NaN and infinities carry a str exponent; callers never pass them
        raise ValueError(f"Cannot shift the non-finite value {value}.")
    return Decimal((sign, digits, exponent + places))


def _exact_product(amount: int, factor: Decimal) -> Decimal:
    """``amount * factor`` with enough precision that nothing is rounded (Inexact would raise)."""
    precision = len(str(abs(amount))) + len(factor.as_tuple().digits) + 1
    with localcontext() as context:
        context.prec = precision
        context.traps[Inexact] = True
        context.traps[Rounded] = True
        return Decimal(amount) * factor


def _to_int(value: Decimal, rounding: str) -> int:
    # to_integral_value is exact (it is not limited by the context precision) and takes the mode explicitly.
    return int(value.to_integral_value(rounding=rounding))


def _decimal_factor(factor: Decimal | int, what: str) -> Decimal:
    if isinstance(factor, bool) or not isinstance(factor, int | Decimal):
        raise TypeError(f"{what} must be a Decimal or an int, not {type(factor).__name__}.")
    value = Decimal(factor)
    if not value.is_finite():
        raise ValueError(f"{what} must be a finite number, got {value}.")
    return value


def _weight(weight: int | Decimal, position: int) -> Fraction:
    if isinstance(weight, bool) or not isinstance(weight, int | Decimal):
        raise TypeError(f"Weight at position {position} must be an int or a Decimal, not {type(weight).__name__}.")
    if isinstance(weight, Decimal) and not weight.is_finite():
        raise ValueError(f"Weight at position {position} must be a finite number, got {weight}.")
    if weight < 0:
        raise ValueError(f"Weights must be non-negative; weight at position {position} is {weight}.")
    return Fraction(weight)


@lru_cache(maxsize=256)
def _babel_locale(locale: str) -> Locale:
    """Accept Babel ("fr_FR") and Django ("fr-fr", "zh-hans") locale names."""
    try:
        return Locale.parse(locale.replace("-", "_"))
    except (ValueError, UnknownLocaleError) as error:
        raise ValueError(f"Unknown locale {locale!r}.") from error


@final
@dataclass(frozen=True, slots=True)
class Money:
    """An amount in integer minor units of an ISO 4217 currency: ``Money(1999, "EUR")`` is 19.99 EUR."""

    amount: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise TypeError(
                f"Money amount must be an int of minor units, not {type(self.amount).__name__}; "
                "use Money.from_major() for major units."
            )
        if not isinstance(self.currency, str):
            raise TypeError(f"Money currency must be a str, not {type(self.currency).__name__}.")
        get_currency(self.currency)

    # Constructors and conversions

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def from_major(cls, value: Decimal | int | str, currency: str, *, rounding: str | None = None) -> Money:
        """Build from major units ("19.99" EUR -> 1999 cents); floats are refused.

        A value with more decimals than the currency has raises ``InvalidAmount`` unless ``rounding`` (one of
        the ``decimal.ROUND_*`` modes) says how to round it.
        """
        if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
            raise TypeError(
                f"Money.from_major takes a Decimal, an int or a str, not {type(value).__name__} "
                "(floats cannot represent most prices exactly)."
            )
        if rounding is not None:
            _check_rounding(rounding)
        exponent = get_currency(currency).exponent
        try:
            major = Decimal(value)
        except InvalidOperation:
            raise InvalidAmount(f"{value!r} is not a number.") from None
        if not major.is_finite():
            raise InvalidAmount(f"{value!r} is not a finite amount.")
        minor = _shift(major, exponent)
        if minor == minor.to_integral_value():
            return cls(int(minor), currency)
        if rounding is None:
            raise InvalidAmount(
                f"{value} has more decimals than {currency} allows ({exponent}); pass rounding= to round it."
            )
        return cls(_to_int(minor, rounding), currency)

    def to_major(self) -> Decimal:
        """The amount in major units with exactly the currency's decimals (1999 EUR -> Decimal("19.99"))."""
        return _shift(Decimal(self.amount), -get_currency(self.currency).exponent)

    # Arithmetic

    def _same_currency(self, other: Money, verb: str) -> None:
        if self.currency != other.currency:
            raise CurrencyMismatch(f"Cannot {verb} {self} and {other}: the currencies differ.")

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other, "add")
        return Money(self.amount + other.amount, self.currency)

    def __radd__(self, other: int) -> Money:
        # Only for sum(), which starts from the int 0. Any other number has no currency and is refused.
        if type(other) is int and other == 0:
            return self
        return NotImplemented

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other, "subtract")
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __pos__(self) -> Money:
        return self

    def __abs__(self) -> Money:
        return Money(abs(self.amount), self.currency)

    def __mul__(self, other: int) -> Money:
        if isinstance(other, Decimal | float):
            raise TypeError(
                f"Money * {type(other).__name__} is refused: use Money.multiply(Decimal, rounding=...) "
                "so the rounding is explicit."
            )
        if isinstance(other, bool) or not isinstance(other, int):
            return NotImplemented
        return Money(self.amount * other, self.currency)

    def __rmul__(self, other: int) -> Money:
        return self.__mul__(other)

    def multiply(self, factor: Decimal | int, *, rounding: str = ROUND_HALF_UP) -> Money:
        """``self * factor`` rounded to a whole minor unit (half-up, away from zero on ties, by default)."""
        _check_rounding(rounding)
        return Money(_to_int(_exact_product(self.amount, _decimal_factor(factor, "factor")), rounding), self.currency)

    def percentage(self, rate: Decimal | int, *, rounding: str = ROUND_HALF_UP) -> Money:
        """``rate`` percent of this amount: ``Money(1999, "EUR").percentage(Decimal("10"))`` is 200 cents."""
        _check_rounding(rounding)
        exact = _shift(_exact_product(self.amount, _decimal_factor(rate, "rate")), -2)
        return Money(_to_int(exact, rounding), self.currency)

    # Splitting

    def allocate(self, weights: Sequence[int | Decimal]) -> list[Money]:
        """Split into parts proportional to ``weights`` that add up exactly to this amount.

        Largest-remainder method: each part gets the floor of its exact share, then the minor units left over
        go one each to the parts with the largest remainders, ties going to the earlier position. So each part
        is within one minor unit of its exact share, a zero weight gets zero, and the result is deterministic.
        A negative amount is allocated as its absolute value, then negated.
        """
        ratios = [_weight(weight, position) for position, weight in enumerate(weights)]
        total_weight = sum(ratios, Fraction(0))
        if total_weight == 0:
            raise ValueError(f"Weights must have a positive sum to allocate {self}; got {list(weights)!r}.")
        magnitude = abs(self.amount)
        shares = [magnitude * ratio / total_weight for ratio in ratios]
        parts = [share.numerator // share.denominator for share in shares]
        leftover = magnitude - sum(parts)
        by_remainder = sorted(range(len(parts)), key=lambda i: (parts[i] - shares[i], i))
        for i in by_remainder[:leftover]:
            parts[i] += 1
        sign = -1 if self.amount < 0 else 1
        return [Money(sign * part, self.currency) for part in parts]

    def split(self, n: int) -> list[Money]:
        """Split into ``n`` equal parts; the minor units left over go one each to the first parts."""
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"split() takes an int number of parts, not {type(n).__name__}.")
        if n < 1:
            raise ValueError(f"split() needs at least one part, got {n}.")
        return self.allocate([1] * n)

    # Ordering (equality and hashing come from the dataclass: different currencies are simply unequal)

    def __lt__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other, "compare")
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other, "compare")
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other, "compare")
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same_currency(other, "compare")
        return self.amount >= other.amount

    # Display

    def format(self, locale: str) -> str:
        """Localised display through Babel, e.g. "19,99 €" (with a no-break space) for fr_FR or "fr-fr"."""
        return _format(self.amount, self.currency, locale)

    def __str__(self) -> str:
        """Not localised, for logs and messages: "19.99 EUR"."""
        return f"{self.to_major():f} {self.currency}"


@lru_cache(maxsize=8192)
def _format(amount: int, currency: str, locale: str) -> str:
    """Babel is exact but slow; pages show the same prices again and again, so remember the results."""
    return format_currency(Money(amount, currency).to_major(), currency, locale=_babel_locale(locale))
