"""Template filters of the trade-in pages and the device passport."""

from __future__ import annotations

from typing import Any

from django import template

from reloop.buyback.domain import Condition

register = template.Library()


@register.filter
def condition_label(code: str) -> str:
    """The translated name of a trade-in condition code (``flawless`` → “Flawless”); the code if unknown."""
    return str(Condition(code).label) if code in Condition.values else code


@register.filter
def passport_of(passports: dict[int, Any] | None, device_id: int) -> Any:
    return (passports or {}).get(device_id)
