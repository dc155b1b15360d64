"""Device reads: the passport a buyer sees for the units of their order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from reloop.devices.models import DeviceEvent, DeviceEventKind

#: The only details a passport shows: what was done to the unit, never who owned or sold it before.
PUBLIC_DETAILS = frozenset(
    {
        "condition",
        "checks",
        "battery_health",
        "battery_cycles",
        "battery_replaced",
        "parts_replaced",
        "tests_passed",
        "erasure_certificate",
    }
)


@dataclass(frozen=True)
class PassportEntry:
    kind: str
    label: str
    occurred_at: datetime
    seller_name: str  # the refurbisher (a business), never a private person
    details: dict[str, Any]


def passports(device_ids: Iterable[int]) -> dict[int, list[PassportEntry]]:
    """The history of each device, oldest first (one query whatever the number of devices). Only the kinds and
    details a next owner may see: trade-in intake (condition found, checks), refurbishing work, sales."""
    ids = sorted(set(device_ids))
    result: dict[int, list[PassportEntry]] = defaultdict(list)
    if not ids:
        return result
    shown = (DeviceEventKind.TRADED_IN, DeviceEventKind.REFURBISHED, DeviceEventKind.SOLD)
    for event in DeviceEvent.objects.filter(device_id__in=ids, kind__in=shown).select_related("seller"):
        result[event.device_id].append(
            PassportEntry(
                kind=event.kind,
                label=str(DeviceEventKind(event.kind).label),
                occurred_at=event.occurred_at,
                seller_name=event.seller.name if event.seller else "",
                details={k: v for k, v in (event.details or {}).items() if k in PUBLIC_DETAILS},
            )
        )
    return result
