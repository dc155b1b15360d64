"""``{% battery_guarantee tier category %}``: the battery floor an offer guarantees for its whole warranty, the
same number a battery-floor warranty claim is checked against (``aftersales.domain.battery_floor``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from reloop.aftersales.domain import battery_floor

register = template.Library()


@register.simple_tag
def battery_guarantee(tier: str, category: Any) -> str:
    floor = battery_floor(battery_tier=tier, category_minimum=category.battery_min_health)
    if floor is None:
        return ""
    return _("Guaranteed at %(floor)s%% or more for the whole warranty") % {"floor": floor}
