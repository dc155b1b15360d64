"""Template helpers for parcels on the buyer's pages."""

from __future__ import annotations

from django import template

from reloop.fulfillment.carriers import CARRIERS
from reloop.fulfillment.conf import carrier_tracking

register = template.Library()


@register.simple_tag
def tracking_is_simulated() -> bool:
    """Whether tracking news comes from the built-in simulated carrier (the page says so: no made-up claims)."""
    return carrier_tracking() == "simulated"


@register.filter
def carrier_name(code: str) -> str:
    """A carrier's name from its stored code (``royal_mail`` → Royal Mail); an unknown code is shown as it is."""
    info = CARRIERS.get(code)
    return info.name if info else code
