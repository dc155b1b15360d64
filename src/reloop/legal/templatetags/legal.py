"""``{% legal_links market as links %}``: the legal pages a market publishes, for the footer."""

from __future__ import annotations

from typing import Any

from django import template

from reloop.legal import domain

register = template.Library()


@register.simple_tag
def legal_links(market: Any) -> list[tuple[str, str]]:
    return [(kind, str(domain.KIND_LABELS[kind])) for kind in domain.kinds_for_country(market.country)]
