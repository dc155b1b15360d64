"""``{% offer_impact offer product_model as impact %}``: one offer's avoided CO2e in the page's market, with its
range (docs/adr/0042-per-offer-co2e-ranges.md). No query: the footprint table is cached, and the offer's seller and
the page's product model (with its category) are already loaded."""

from __future__ import annotations

from typing import Any

from django import template

from reloop.catalog.models import ProductModel
from reloop.impact.domain import OfferImpact
from reloop.impact.selectors import estimate_for_offer
from reloop.offers.models import Offer

register = template.Library()


@register.simple_tag(takes_context=True)
def offer_impact(context: dict[str, Any], offer: Offer, product_model: ProductModel) -> OfferImpact | None:
    return estimate_for_offer(offer, context["market"].code, product_model=product_model)
