"""``{% load email_tags %}``: helpers for email templates, which have no request market."""

from __future__ import annotations

from typing import Any

from django import template

from reloop.core.money import Money
from reloop.markets.data import MARKETS

register = template.Library()
_LOCALES = {m.code: m.locale for m in MARKETS}


@register.simple_tag(takes_context=True)
def money(context: dict[str, Any], amount: int | None, currency: str) -> str:
    """Minor units in the email's market locale (``language``, set by ``render_email``)."""
    if amount is None:
        return ""
    return Money(int(amount), currency).format(_LOCALES.get(context.get("language", ""), "en_GB"))
