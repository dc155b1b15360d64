"""``{% support_horizon product %}``: the manufacturer's committed software-support horizon of a model
(``catalog.support``), said plainly when there is none. No query: the data ships with the code."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from reloop.catalog import support
from reloop.core import clock

register = template.Library()


def horizon_of(product: Any) -> support.Horizon:
    return support.horizon(brand=product.brand.name, name=product.name, release_date=product.release_date)


@register.simple_tag
def support_horizon(product: Any) -> SafeString:
    """The horizon as a one-item ``<dl>``; empty for a category without software updates."""
    if not support.applies(product.category.slug):
        return mark_safe("")
    horizon = horizon_of(product)
    html = render_to_string(
        "web/catalog/_support_horizon.html",
        {"horizon": horizon, "ended": horizon.ended(clock.today()), "brand": product.brand.name},
    )
    return mark_safe(html.strip())  # noqa: S308  # our own template, every value escaped by it
