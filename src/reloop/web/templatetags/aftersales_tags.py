"""Template helpers of the after-sales pages."""

from __future__ import annotations

from typing import Any

from django import template

from reloop.markets.registry import market_timezone

register = template.Library()


@register.filter
def for_line(mapping: dict[int, Any] | None, line_id: int) -> Any:
    """``{{ line_aftersales|for_line:line.pk }}``: the after-sales facts of one order line (or ``None``)."""
    return (mapping or {}).get(line_id)


# ``{{ code|market_timezone }}``: a case's times read in the buyer's market.
register.filter("market_timezone", market_timezone)
