"""Seller API, unit passports: list the units behind an offer, with their passports, and withdraw one.

Every write goes through ``passports.services`` and takes an ``Idempotency-Key`` (required on POST); listing the
same units again is itself a no-op. Another seller's offer or unit is a 404, like a missing one
(docs/seller-api.md, docs/unit-passports.md).
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Schema

from reloop.api.errors import ErrorOut
from reloop.api.idempotency import idempotent
from reloop.api.seller import AUTH_ERRORS, SellerIn, offer_writer, router
from reloop.offers.selectors import seller_offer
from reloop.passports.domain import ERASURE_METHODS, PARTS, TESTS
from reloop.passports.errors import UnitNotFound
from reloop.passports.models import OfferUnit
from reloop.passports.selectors import seller_unit, seller_units
from reloop.passports.services import UnitInput, attach_units, withdraw_unit

__all__ = ["router"]

UNIT_WRITE_ERRORS: dict[int, Any] = {**AUTH_ERRORS, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut}
UNIT_READ_ERRORS: dict[int, Any] = {**AUTH_ERRORS, 404: ErrorOut}


class PartIn(SellerIn):
    part: str = Field(..., max_length=40, description=f"One of: {', '.join(PARTS)}", examples=["screen"])
    provenance: Literal["original", "certified", "third_party"]


class TestIn(SellerIn):
    test: str = Field(..., max_length=40, description=f"One of: {', '.join(TESTS)}", examples=["display"])
    passed: bool


class UnitIn(SellerIn):
    """One unit behind the offer and its passport. Omitted facts are "not recorded": nothing is claimed for them
    (no "Unlocked" unless all three lock facts are true; no "Data erased" without an erasure method)."""

    unit: str = Field(..., min_length=1, max_length=60, description="IMEI (phones: 15 digits, Luhn) or serial")
    battery_health: int | None = Field(None, description="State of health, 0–100 %", examples=[94])
    battery_cycles: int | None = Field(None, description="Charge cycles, ≥ 0", examples=[212])
    parts: list[PartIn] = Field(default_factory=list, max_length=20, description="Parts replaced")
    tests: list[TestIn] = Field(default_factory=list, max_length=40, description="Tests run, passed or not")
    erasure_method: str = Field("", max_length=30, description=f"One of: {', '.join(ERASURE_METHODS)}")
    erasure_certificate: str = Field("", max_length=60, description="The erasure certificate's reference")
    carrier_unlocked: bool | None = None
    activation_lock_off: bool | None = Field(None, description="Find My / Google FRP off")
    mdm_free: bool | None = Field(None, description="Not enrolled in any device management")


class UnitsIn(SellerIn):
    units: list[UnitIn] = Field(..., min_length=1, max_length=500)

    model_config = {
        "extra": "forbid",
        "json_schema_extra": {
            "examples": [
                {
                    "units": [
                        {
                            "unit": "356938035643809",
                            "battery_health": 94,
                            "battery_cycles": 212,
                            "parts": [{"part": "screen", "provenance": "original"}],
                            "tests": [{"test": "display", "passed": True}, {"test": "cellular", "passed": True}],
                            "erasure_method": "blancco",
                            "erasure_certificate": "BL-2026-000123",
                            "carrier_unlocked": True,
                            "activation_lock_off": True,
                            "mdm_free": True,
                        }
                    ]
                }
            ]
        },
    }


class PartOut(Schema):
    part: str
    provenance: str


class TestOut(Schema):
    test: str
    passed: bool


class UnitOut(Schema):
    id: int
    offer_id: int
    kind: str = Field(..., description="imei or serial")
    unit: str = Field(..., description="The IMEI or serial, normalized")
    status: str = Field(..., description="available, reserved (a buyer chose it), sold or withdrawn")
    battery_health: int | None
    battery_cycles: int | None
    parts: list[PartOut]
    tests: list[TestOut]
    erasure_method: str
    erasure_certificate: str
    carrier_unlocked: bool | None
    activation_lock_off: bool | None
    mdm_free: bool | None


class AttachOut(Schema):
    created: int
    updated: int
    unchanged: int
    moved: int = Field(..., description="Taken off another of your offers that is off sale")
    units: list[UnitOut]


def _unit(unit: OfferUnit) -> UnitOut:
    return UnitOut(
        id=unit.pk,
        offer_id=unit.offer_id,
        kind=unit.kind,
        unit=unit.identifier,
        status=unit.status,
        battery_health=unit.battery_health,
        battery_cycles=unit.battery_cycles,
        parts=[PartOut(**p) for p in unit.parts],
        tests=[TestOut(**t) for t in unit.tests],
        erasure_method=unit.erasure_method,
        erasure_certificate=unit.erasure_certificate,
        carrier_unlocked=unit.carrier_unlocked,
        activation_lock_off=unit.activation_lock_off,
        mdm_free=unit.mdm_free,
    )


@router.get(
    "/offers/{offer_id}/units",
    response={200: list[UnitOut], **UNIT_READ_ERRORS},
    summary="List the units behind an offer",
    description="Every unit you listed on the offer, whatever its status, oldest first.",
)
def list_offer_units(request: HttpRequest, offer_id: int) -> list[UnitOut]:
    seller = request.auth  # type: ignore[attr-defined]
    seller_offer(seller=seller, offer_id=offer_id)  # 404 for a missing offer and another seller's alike
    return [_unit(u) for u in seller_units(seller=seller, offer_id=offer_id)]


@router.post(
    "/offers/{offer_id}/units",
    response={200: AttachOut, **UNIT_WRITE_ERRORS},
    summary="List units behind an offer, with their passports",
    description=(
        "Adds the units, or updates the passports of units already listed on this offer (sending the same units "
        "again changes nothing). Every unit is checked first and nothing is written unless all are right: 422 "
        "`invalid_imei` (wrong length or check digit), `invalid_serial`, `invalid_battery_health` (0–100), "
        "`invalid_battery_cycles` (≥ 0), `unknown_part`, `unknown_provenance`, `unknown_test`, "
        "`unknown_erasure_method`, `invalid_erasure_certificate`, `duplicate_unit`; 409 `unit_on_another_offer` "
        "(live on another of your live offers, or listed by another seller) or `unit_unavailable` (reserved for a "
        "buyer or sold: its passport is frozen). A unit available on one of your offers that is off sale moves "
        "here. Requires an `Idempotency-Key`."
    ),
)
@idempotent
def attach_offer_units(request: HttpRequest, offer_id: int, payload: UnitsIn) -> AttachOut:
    seller = offer_writer(request)
    units = [
        UnitInput(
            u.unit,
            {
                "battery_health": u.battery_health,
                "battery_cycles": u.battery_cycles,
                "parts": [p.model_dump() for p in u.parts],
                "tests": [t.model_dump() for t in u.tests],
                "erasure_method": u.erasure_method,
                "erasure_certificate": u.erasure_certificate,
                "carrier_unlocked": u.carrier_unlocked,
                "activation_lock_off": u.activation_lock_off,
                "mdm_free": u.mdm_free,
            },
        )
        for u in payload.units
    ]
    report = attach_units(seller=seller, offer_id=offer_id, units=units)
    return AttachOut(
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        moved=report.moved,
        units=[_unit(u) for u in report.units],
    )


@router.post(
    "/units/{unit_id}/withdraw",
    response={200: UnitOut, **UNIT_WRITE_ERRORS},
    summary="Withdraw a unit from its offer",
    description=(
        "The unit is no longer offered (sold elsewhere, failed a check). Withdrawing it again changes nothing; a "
        "unit reserved for a buyer or sold is 409 `unit_unavailable`. Requires an `Idempotency-Key`."
    ),
)
@idempotent
def withdraw_offer_unit(request: HttpRequest, unit_id: int) -> UnitOut:
    seller = offer_writer(request)
    withdraw_unit(seller=seller, unit_id=unit_id)
    unit = seller_unit(seller=seller, unit_id=unit_id)
    if unit is None:  # pragma: no cover  (withdraw_unit found it)
        raise UnitNotFound(f"No unit {unit_id}")
    return _unit(unit)
