"""Unit passports in templates: the passports of a product page's offers (one query for the page), of an order's
lines (one query for the order), and one unit's facts as a sentence."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

from reloop.passports.domain import unit_phrases
from reloop.passports.selectors import LineUnit, OfferUnits, line_units, offer_passports

register = template.Library()


@register.simple_tag
def page_passports(offers: Any) -> dict[int, OfferUnits]:
    """``{% page_passports offers as passports %}``: the buy-box and listed offers' passports (``pricing``'s
    ``ProductOffers``), in one query whatever the number of offers."""
    lines = ([offers.buy_box] if offers.buy_box else []) + list(offers.others)
    return offer_passports(line.offer.pk for line in lines)


@register.simple_tag
def order_passports(order: Any) -> dict[int, list[LineUnit]]:
    """``{% order_passports order as units %}``: the unit each line reserved or shipped, one query."""
    return line_units(line.pk for part in order.seller_orders.all() for line in part.lines.all())


@register.simple_tag
def lookup(mapping: Mapping[Any, Any] | None, key: Any) -> Any:
    """``{% lookup passports line.offer.pk as op %}``: ``mapping[key]`` or None."""
    return (mapping or {}).get(key)


@register.filter
def unit_sentence(unit: Any) -> str:
    """A chosen unit (``OfferUnit``) as a buyer reads it: "battery 96 %; 120 cycles; …"."""
    return "; ".join(unit_phrases(unit.facts)) if unit is not None else ""
