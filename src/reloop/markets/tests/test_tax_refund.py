"""The sales tax given back with partial refunds of a line: pro rata, never more than was collected in total, and
all of it once the whole line is refunded (``markets.tax.tax_to_refund``)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reloop.markets.tax import tax_to_refund


@st.composite
def refunds_of_a_line(draw: st.DrawFn) -> tuple[int, int, list[int]]:
    total = draw(st.integers(min_value=1, max_value=10_000_000))
    tax = draw(st.integers(min_value=0, max_value=total))
    parts: list[int] = []
    left = total
    for _ in range(draw(st.integers(min_value=1, max_value=8))):
        if left == 0:
            break
        part = draw(st.integers(min_value=1, max_value=left))
        parts.append(part)
        left -= part
    if draw(st.booleans()) and left:
        parts.append(left)  # often refund the line to the end
    return total, tax, parts


@given(refunds_of_a_line())
def test_partial_refunds_never_give_back_more_tax_than_was_collected(case: tuple[int, int, list[int]]) -> None:
    total, tax, parts = case
    refunded = refunded_tax = 0
    for part in parts:
        share = tax_to_refund(
            line_total=total, line_tax=tax, refunded_gross=refunded, refunded_tax=refunded_tax, refund=part
        )
        assert share >= 0
        refunded += part
        refunded_tax += share
        assert refunded_tax <= tax
        # The running total is the exact share rounded half-up: off by at most half a minor unit.
        assert abs(refunded_tax * total - tax * refunded) * 2 <= total
    if refunded == total:
        assert refunded_tax == tax  # a line refunded in full gives back all of its tax


def test_three_equal_parts_give_back_the_tax_in_running_halves_up() -> None:
    # 1.00 of tax on 3.00 in three parts: 0.33, 0.34 (0.67 so far), 0.33 (1.00).
    shares, refunded, refunded_tax = [], 0, 0
    for _ in range(3):
        share = tax_to_refund(line_total=300, line_tax=100, refunded_gross=refunded, refunded_tax=refunded_tax,
                              refund=100)  # fmt: skip
        shares.append(share)
        refunded, refunded_tax = refunded + 100, refunded_tax + share
    assert shares == [33, 34, 33]


@pytest.mark.parametrize(
    "arguments",
    [
        {"line_total": 100, "line_tax": 7, "refunded_gross": 50, "refunded_tax": 3, "refund": 51},  # past the line
        {"line_total": 100, "line_tax": 7, "refunded_gross": 0, "refunded_tax": 0, "refund": 0},
        {"line_total": 0, "line_tax": 0, "refunded_gross": 0, "refunded_tax": 0, "refund": 1},
        {"line_total": 100, "line_tax": 7, "refunded_gross": 0, "refunded_tax": 8, "refund": 1},
    ],
)
def test_impossible_refunds_are_refused(arguments: dict[str, int]) -> None:
    with pytest.raises(ValueError, match=r"A line's total|Invalid refund|would exceed"):
        tax_to_refund(**arguments)
