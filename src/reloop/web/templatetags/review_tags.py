"""Template helpers of the review and quality pages: star ratings, per-line lookups, percentages."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from babel import Locale, UnknownLocaleError
from django import template
from django.utils.html import format_html
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext as _

from reloop.quality.domain import percent as format_percent

register = template.Library()


@register.filter
def get_item(mapping: dict[Any, Any] | None, key: Any) -> Any:
    """``mapping[key]`` or ``None`` (the order page's review slot of a line)."""
    return (mapping or {}).get(key)


@register.simple_tag
def stars(value: Decimal | int | None) -> str:
    """Five stars, filled to the rounded ``value``, with the exact value for screen readers."""
    if value is None:
        return ""
    filled = int(Decimal(value).quantize(Decimal(1), ROUND_HALF_UP))
    label = _("%(value)s out of 5") % {"value": value}
    return format_html(
        '<span class="stars" role="img" aria-label="{}"><span aria-hidden="true">{}{}</span></span>',
        label,
        "★" * filled,
        "☆" * (5 - filled),
    )


@register.filter
def as_percent(fraction: Decimal | None) -> str:
    return "—" if fraction is None else format_percent(fraction)


@register.filter
def country_name(code: str) -> str:
    """``FR`` → “France”, in the page's language (Babel's CLDR names); the code itself when unknown."""
    try:
        locale = Locale.parse(to_locale(get_language() or "en"))
    except (UnknownLocaleError, ValueError):
        locale = Locale.parse("en")
    return str(locale.territories.get(code.upper(), code))
