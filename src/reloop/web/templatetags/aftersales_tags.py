"""Template helpers of the after-sales pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def for_line(mapping: dict[int, Any] | None, line_id: int) -> Any:
    """``{{ line_aftersales|for_line:line.pk }}``: the after-sales facts of one order line (or ``None``)."""
    return (mapping or {}).get(line_id)
