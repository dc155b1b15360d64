"""Unit passport errors, with stable codes (docs/seller-api.md, docs/unit-passports.md)."""

from reloop.core.errors import DomainError, InvalidInput, NotFound


class UnitNotFound(NotFound):
    """A unit that does not exist, or another seller's (answered alike)."""

    code = "unit_not_found"


class InvalidUnitPassport(InvalidInput):
    """A unit's identifier or passport facts cannot be right (``invalid_imei``, ``invalid_battery_health``…)."""

    code = "invalid_passport"

    def __init__(self, message: str, *, code: str | None = None, field: str = "", index: int | None = None) -> None:
        super().__init__(message, code=code)
        self.field, self.index = field, index


class UnitListedElsewhere(DomainError):
    """The unit is already live (available or reserved) on another offer."""

    code = "unit_on_another_offer"
    http_status = 409


class UnitUnavailable(DomainError):
    """The unit was reserved or sold meanwhile, or withdrawn."""

    code = "unit_unavailable"
    http_status = 409


class UnitNotShippable(InvalidInput):
    """The unit given at shipping is not one the offer lists, or not the one the buyer chose."""

    code = "unit_not_listed"
