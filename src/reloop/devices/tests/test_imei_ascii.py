"""An IMEI is 15 ASCII digits: the same number typed in full-width digits (a Japanese keyboard) passes
``str.isdigit`` and python-stdnum's check digit, and was stored as another identifier — a second device for the
same unit, a passport split in two, a duplicate unit in one parcel not caught. It is refused like any non-IMEI."""

from __future__ import annotations

import pytest

from reloop.devices.domain import InvalidUnitId, parse_unit_id

ASCII = "490154203237518"
FULL_WIDTH = "".join(chr(ord(c) + 0xFEE0) for c in ASCII)  # "４９０１５４２０３２３７５１８"


@pytest.mark.parametrize("imei_required", [True, False])
def test_a_full_width_imei_is_refused(imei_required):
    assert FULL_WIDTH.isdigit()  # what let it through
    with pytest.raises(InvalidUnitId) as error:
        parse_unit_id(FULL_WIDTH, imei_required=imei_required)
    assert error.value.code in ("invalid_imei", "invalid_serial")


def test_the_ascii_imei_is_still_read():
    assert parse_unit_id(ASCII, imei_required=True).value == ASCII
