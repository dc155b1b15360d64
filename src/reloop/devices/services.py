"""Device writes: recording units and what happens to them (the device passport's events)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from reloop.catalog.models import Variant
from reloop.devices.domain import IDENTIFIED_BY_IMEI, InvalidUnitId, UnitId, parse_unit_id
from reloop.devices.errors import InvalidUnit
from reloop.devices.models import Device, DeviceEvent, DeviceEventKind
from reloop.sellers.models import Seller


def identification_for(variant: Variant) -> str:
    """How a unit of ``variant`` is identified: ``imei``, ``serial`` or ``none`` (``devices.domain``), from its
    category or the nearest ancestor that says. Select ``product_model__category__parent__parent`` with the
    variant to keep it free of queries."""
    return variant.product_model.category.effective_unit_identification


def imei_required_for(variant: Variant) -> bool:
    return identification_for(variant) == IDENTIFIED_BY_IMEI


def check_unit_id(*, raw: str, imei_required: bool) -> UnitId:
    """``parse_unit_id`` answering a domain error (422 ``invalid_imei`` / ``invalid_serial``)."""
    try:
        return parse_unit_id(raw, imei_required=imei_required)
    except InvalidUnitId as exc:
        raise InvalidUnit(exc.message, code=exc.code) from None


@transaction.atomic
def record_sale(
    *,
    seller: Seller,
    variant: Variant,
    unit: UnitId,
    reference: str,
    occurred_at: datetime,
    details: dict[str, Any] | None = None,
) -> Device:
    """The unit was sold and shipped by ``seller``: the device (found or created by its identifier) gets a
    ``sold`` event. Recording the same reference again adds nothing. Runs inside the caller's transaction."""
    device, created = Device.objects.get_or_create(
        kind=unit.kind, identifier=unit.value, defaults={"variant": variant, "seller": seller}
    )
    if not created and device.seller_id != seller.pk:  # resold: the variant first recorded stays
        Device.objects.filter(pk=device.pk).update(seller=seller)
        device.seller = seller
    DeviceEvent.objects.get_or_create(
        device=device,
        kind=DeviceEventKind.SOLD,
        reference=reference[:80],
        defaults={"seller": seller, "occurred_at": occurred_at, "details": details or {}},
    )
    return device


@transaction.atomic
def record_intake(
    *, seller: Seller, variant: Variant, unit: UnitId, reference: str, occurred_at: datetime, details: dict[str, Any]
) -> Device:
    """A trade-in reached ``seller`` and passed its checks: the device's history starts (``traded_in``), with only
    what the next owner may see (the condition found, the checks passed) — never who sold it. Idempotent per
    ``reference``; runs inside the caller's transaction."""
    device, created = Device.objects.get_or_create(
        kind=unit.kind, identifier=unit.value, defaults={"variant": variant, "seller": seller}
    )
    if not created and device.seller_id != seller.pk:
        Device.objects.filter(pk=device.pk).update(seller=seller)
        device.seller = seller
    DeviceEvent.objects.get_or_create(
        device=device,
        kind=DeviceEventKind.TRADED_IN,
        reference=reference[:80],
        defaults={"seller": seller, "occurred_at": occurred_at, "details": details},
    )
    return device


MAX_WORK_ITEMS = 20


def check_work(details: dict[str, Any]) -> dict[str, Any]:
    """The refurbishing record as stored: battery health 1–100 %, cycles ≥ 0, lists of short texts, a certificate
    reference; anything else refused with ``invalid_work``."""
    clean: dict[str, Any] = {}
    health = details.get("battery_health")
    if health not in (None, ""):
        if not isinstance(health, int) or isinstance(health, bool) or not 1 <= health <= 100:
            raise InvalidUnit("Battery health is a whole percentage from 1 to 100.", code="invalid_work")
        clean["battery_health"] = health
    cycles = details.get("battery_cycles")
    if cycles not in (None, ""):
        if not isinstance(cycles, int) or isinstance(cycles, bool) or not 0 <= cycles <= 100_000:
            raise InvalidUnit("A battery cycle count is a whole number from 0.", code="invalid_work")
        clean["battery_cycles"] = cycles
    clean["battery_replaced"] = bool(details.get("battery_replaced"))
    for key in ("parts_replaced", "tests_passed"):
        items = details.get(key) or []
        if not isinstance(items, list) or len(items) > MAX_WORK_ITEMS:
            raise InvalidUnit(f"{key} is a list of at most {MAX_WORK_ITEMS} items.", code="invalid_work")
        clean[key] = [str(item).strip()[:80] for item in items if str(item).strip()]
    certificate = str(details.get("erasure_certificate") or "").strip()
    if len(certificate) > 80:
        raise InvalidUnit("An erasure certificate reference has at most 80 characters.", code="invalid_work")
    clean["erasure_certificate"] = certificate
    return clean


@transaction.atomic
def record_refurbishment(
    *, seller: Seller, device: Device, reference: str, occurred_at: datetime, details: dict[str, Any]
) -> DeviceEvent:
    """``seller`` refurbished the unit it holds: battery health or replacement, parts, tests, data erasure. One
    record per ``reference`` (a second call returns the first)."""
    clean = check_work(details)
    event, _ = DeviceEvent.objects.get_or_create(
        device=device,
        kind=DeviceEventKind.REFURBISHED,
        reference=reference[:80],
        defaults={"seller": seller, "occurred_at": occurred_at, "details": clean},
    )
    return event
