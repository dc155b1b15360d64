"""Template helpers for parcels on the buyer's pages."""

from __future__ import annotations

from django import template

from reloop.fulfillment.conf import carrier_tracking

register = template.Library()


@register.simple_tag
def tracking_is_simulated() -> bool:
    """Whether tracking news comes from the built-in simulated carrier (the page says so: no made-up claims)."""
    return carrier_tracking() == "simulated"
