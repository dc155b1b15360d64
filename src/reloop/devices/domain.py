"""How a unit is identified: IMEI (15 digits with a Luhn check digit) or a manufacturer serial. Pure rules.

Phones always have an IMEI, and it is what blocklists and the device passport key on, so a unit of a category in
``IMEI_CATEGORIES`` (or below one) must be identified by its IMEI. Other devices are identified by their serial
(4–40 letters and digits); a 15-digit number given for one of them (a cellular tablet or watch) is taken as an
IMEI and must pass the check digit too, so a typo is caught either way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from stdnum import imei as stdnum_imei

#: Catalogue category slugs whose units must be identified by IMEI (catalog/data/categories.json).
IMEI_CATEGORIES = frozenset({"smartphones"})

IMEI = "imei"
SERIAL = "serial"

_SERIAL = re.compile(r"^[A-Z0-9]{4,40}$")
_SEPARATORS = re.compile(r"[\s\-./]")


@dataclass(frozen=True)
class UnitId:
    kind: str  # IMEI or SERIAL
    value: str  # normalized: digits only for an IMEI, upper-case letters and digits for a serial


class InvalidUnitId(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def requires_imei(category_slugs: Iterable[str]) -> bool:
    """``category_slugs``: the unit's category and its ancestors."""
    return any(slug in IMEI_CATEGORIES for slug in category_slugs)


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
