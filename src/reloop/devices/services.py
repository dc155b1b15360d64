"""Device writes: recording units and what happens to them (the device passport's events)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from reloop.catalog.models import Category, Variant
from reloop.devices.domain import InvalidUnitId, UnitId, parse_unit_id, requires_imei
from reloop.devices.errors import InvalidUnit
from reloop.devices.models import Device, DeviceEvent, DeviceEventKind
from reloop.sellers.models import Seller


def category_path(category: Category) -> list[str]:
    """The slugs of ``category`` and its ancestors (the tree is a few levels deep; parents are cached)."""
    slugs: list[str] = []
    node: Category | None = category
    while node is not None and len(slugs) < 10:
        slugs.append(node.slug)
        node = node.parent
    return slugs


def imei_required_for(variant: Variant) -> bool:
    return requires_imei(category_path(variant.product_model.category))


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
