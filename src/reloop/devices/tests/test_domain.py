"""Unit identifiers: IMEI with its Luhn check digit, serials, and which categories need an IMEI."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn

from reloop.devices.domain import IMEI, SERIAL, UNIT, InvalidUnitId, parse_unit_id, platform_unit_id

digits14 = st.text(alphabet="0123456789", min_size=14, max_size=14)


@given(digits14)
def test_any_14_digits_with_their_luhn_digit_is_an_imei(body):
    assert parse_unit_id(body + luhn.calc_check_digit(body), imei_required=True).kind == IMEI


@given(digits14, st.integers(min_value=1, max_value=9))
def test_any_other_check_digit_is_refused(body, shift):
    wrong = (int(luhn.calc_check_digit(body)) + shift) % 10
    with pytest.raises(InvalidUnitId) as exc:
        parse_unit_id(f"{body}{wrong}", imei_required=True)
    assert exc.value.code == "invalid_imei"


@pytest.mark.parametrize(
    ("raw", "imei_required", "expected"),
    [
        ("35-209900-176148-1", True, (IMEI, "352099001761481")),
        ("352099001761481", False, (IMEI, "352099001761481")),  # a cellular tablet's IMEI is checked too
        (" c02xk1abcd ", False, (SERIAL, "C02XK1ABCD")),
        ("R58M-12AB", False, (SERIAL, "R58M12AB")),
    ],
)
def test_what_a_seller_types_is_normalized(raw, imei_required, expected):
    unit = parse_unit_id(raw, imei_required=imei_required)
    assert (unit.kind, unit.value) == expected


@pytest.mark.parametrize(
    ("raw", "imei_required", "code"),
    [
        ("C02XK1ABCD", True, "invalid_imei"),
        ("35209900176148", True, "invalid_imei"),  # 14 digits: no check digit
        ("3520990017614810", True, "invalid_imei"),  # 16 digits (IMEISV) is not an IMEI
        ("352099001761482", False, "invalid_imei"),
        ("ABC", False, "invalid_serial"),
        ("A" * 41, False, "invalid_serial"),
        ("SN#12345", False, "invalid_serial"),
        ("", False, "invalid_serial"),
    ],
)
def test_impossible_identifiers_are_refused(raw, imei_required, code):
    with pytest.raises(InvalidUnitId) as exc:
        parse_unit_id(raw, imei_required=imei_required)
    assert exc.value.code == code


def test_a_platform_unit_record_is_derived_from_the_order_line():
    unit = platform_unit_id(order_number="rl-7kq2m", line_id=31, n=2)
    assert (unit.kind, unit.value) == (UNIT, "RL-7KQ2M-L31-2")
    assert platform_unit_id(order_number="RL-7KQ2M", line_id=31, n=2) == unit  # a replay names the same unit
