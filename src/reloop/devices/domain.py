"""How a unit is identified: IMEI (15 digits with a Luhn check digit), a manufacturer serial, or a unit record
the platform numbers itself. Pure rules.

Each category says which applies (``catalog.models.Category.unit_identification``, inherited down the tree).
Phones always have an IMEI, and it is what blocklists and the device passport key on, so a unit of an ``imei``
category must be identified by its IMEI. Other devices are identified by their serial (4–40 letters and digits);
a 15-digit number given for one of them (a cellular tablet or watch) is taken as an IMEI and must pass the check
digit too, so a typo is caught either way. Things without any identifier (``none``: a game disc or cartridge) are
given a platform unit record when they ship: ``<order number>-L<line id>-<n>`` (``platform_unit_id``), so that
returns, passports and support searches have one row per unit like every other device.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from stdnum import imei as stdnum_imei

IMEI = "imei"
SERIAL = "serial"
UNIT = "unit"  # a platform unit record, for things without an IMEI or serial

#: ``Category.unit_identification`` values (as ``catalog.models.UnitIdentification``).
IDENTIFIED_BY_IMEI = "imei"
IDENTIFIED_BY_SERIAL = "serial"
IDENTIFIED_BY_NOTHING = "none"

_SERIAL = re.compile(r"^[A-Z0-9]{4,40}$")
_SEPARATORS = re.compile(r"[\s\-./]")


@dataclass(frozen=True)
class UnitId:
    kind: str  # IMEI, SERIAL or UNIT
    value: str  # normalized: digits only for an IMEI, upper-case letters and digits for a serial


class InvalidUnitId(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def platform_unit_id(*, order_number: str, line_id: int, n: int) -> UnitId:
    """The unit record of the ``n``-th unit (from 1) of an order line whose category has no identifier. Derived from
    the line, so shipping the same order again (a replay) names the same units."""
    return UnitId(UNIT, f"{order_number}-L{line_id}-{n}".upper()[:40])


def parse_imei(raw: str) -> str:
    """The 15 digits of a valid IMEI (spaces and dashes allowed in ``raw``), or ``InvalidUnitId``."""
    digits = _SEPARATORS.sub("", raw or "")
    if not (digits.isascii() and digits.isdigit()) or len(digits) != 15:  # full-width digits pass isdigit
        raise InvalidUnitId(
            "invalid_imei", _("%(value)s is not an IMEI: an IMEI has 15 digits") % {"value": raw.strip() or "''"}
        )
    if not stdnum_imei.is_valid(digits):
        raise InvalidUnitId(
            "invalid_imei", _("%(value)s is not a valid IMEI: its check digit is wrong") % {"value": raw.strip()}
        )
    return digits


def parse_serial(raw: str) -> str:
    value = _SEPARATORS.sub("", raw or "").upper()
    if not _SERIAL.match(value):
        raise InvalidUnitId(
            "invalid_serial",
            _("%(value)s is not a serial number: use 4 to 40 letters and digits") % {"value": raw.strip() or "''"},
        )
    return value


def parse_unit_id(raw: str, *, imei_required: bool) -> UnitId:
    """Read what a seller typed for one unit: an IMEI where one is required, else a serial (or an IMEI)."""
    compact = _SEPARATORS.sub("", raw or "")
    if imei_required or (compact.isascii() and compact.isdigit() and len(compact) == 15):
        return UnitId(IMEI, parse_imei(raw))
    return UnitId(SERIAL, parse_serial(raw))
