"""Template helpers of the after-sales pages."""

from __future__ import annotations

from typing import Any

from django import template

from reloop.markets.registry import UnknownMarket, get_market

register = template.Library()


@register.filter
def for_line(mapping: dict[int, Any] | None, line_id: int) -> Any:
    """``{{ line_aftersales|for_line:line.pk }}``: the after-sales facts of one order line (or ``None``)."""
    return (mapping or {}).get(line_id)


@register.filter
def market_timezone(code: str) -> str:
    """The time zone of a market (``en-gb`` → ``Europe/London``): a case's times read in the buyer's market."""
    try:
        return get_market(code).timezone
    except UnknownMarket:
        return "UTC"
