"""Template helpers: money in the market's locale, storage sizes, kg CO2e."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from babel.numbers import format_decimal
from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from reloop.catalog import names as catalog_names
from reloop.catalog.grading import HIGH_BATTERY_MINIMUM, BatteryTier
from reloop.catalog.models import format_storage
from reloop.checkout.all_in import all_in_price
from reloop.core.money import Money
from reloop.markets.registry import enabled_markets
from reloop.markets.tax import charges_sales_tax
from reloop.offers.models import VatScheme
from reloop.web import cards
from reloop.web.templatetags.allin_tags import buyer_state

register = template.Library()


@register.simple_tag(takes_context=True)
def money(context: dict[str, Any], amount: int | None, currency: str | None = None) -> str:
    """``{% money amount %}``: minor units shown in the request market's currency and locale."""
    if amount is None:
        return ""
    market = context["market"]
    return Money(int(amount), currency or market.currency).format(market.locale)


@register.filter
def storage(gb: int | None) -> str:
    return format_storage(gb) if gb else ""


@register.filter
def colour_name(colour: str) -> str:
    """The catalogue's English colour name as its maker gives it in the active language ("Midnight" → "Minuit")."""
    return catalog_names.colour_name(colour)


@register.filter
def storage_list(sizes: list[int]) -> str:
    return ", ".join(format_storage(gb) for gb in sizes)


@register.filter
def storage_text(value: str) -> str:
    """A size held as text (option values such as RAM), shown like ``storage``."""
    return format_storage(int(value)) if value.isdigit() else value


@register.simple_tag(takes_context=True)
def kg(context: dict[str, Any], value: Decimal) -> str:
    return format_decimal(value, format="#,##0.#", locale=context["market"].locale)


@register.filter
def percent(share: Decimal) -> str:
    return f"{(share * 100).quantize(Decimal(1))}%"


SPEC_LABELS = {
    "display_in": _("Screen size"),
    "chip": _("Chip"),
    "cpu": _("Processor"),
    "ram_gb": _("Memory (RAM)"),
    "weight_g": _("Weight"),
    "weight_kg": _("Weight"),
    "battery_mah": _("Battery capacity"),
    "5g": _("5G"),
    "max_resolution": _("Maximum resolution"),
    "water_resistance": _("Water resistance"),
    "type": _("Type"),
    "noise_cancelling": _("Active noise cancelling"),
    "battery_hours": _("Battery life"),
}
SPEC_UNITS = {
    "display_in": "″",
    "weight_g": " g",
    "weight_kg": " kg",
    "battery_mah": " mAh",
    "battery_hours": " h",
}


@register.filter
def spec_label(key: str) -> str:
    return str(SPEC_LABELS.get(key, key.replace("_", " ").capitalize()))


@register.simple_tag(takes_context=True)
def spec_value(context: dict[str, Any], value: object, key: str) -> str:
    """A spec value for people: yes/no translated, numbers in the market's locale, with their unit."""
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, int | float):
        value = format_decimal(value, locale=context["market"].locale)
    if key == "ram_gb":
        return str(_("%(size)s GB") % {"size": value})
    return f"{value}{SPEC_UNITS.get(key, '')}"


@register.filter
def selected_choice(choices: list[Any]) -> bool:
    return any(c.selected for c in choices)


@register.simple_tag
def battery_text(tier: str, category: Any) -> str:
    """What a battery tier promises in this category (80% for phones, 85% for other devices)."""
    if tier == BatteryTier.NEW:
        return str(_("New battery"))
    if tier == BatteryTier.HIGH:
        return str(_("%(minimum)s%% capacity or more") % {"minimum": HIGH_BATTERY_MINIMUM})
    if category.battery_min_health:
        return str(_("%(minimum)s%% capacity or more") % {"minimum": category.battery_min_health})
    return str(_("Tested"))


@register.simple_tag(takes_context=True)
def vat_note(context: dict[str, Any], vat_scheme: str) -> str:
    market = context["market"]
    if not market.prices_include_tax:
        return str(_("Sales tax, where due, is added at checkout."))
    if not market.has_margin_scheme:
        return str(_("Tax included."))
    if vat_scheme == VatScheme.MARGIN:
        return str(
            _("VAT included under the margin scheme for second-hand goods: it is not shown separately on the invoice.")
        )
    return str(_("VAT included and shown on the invoice."))


@register.simple_tag(takes_context=True)
def model_cards(context: dict[str, Any], models: Any) -> str:
    """``{% model_cards page.object_list %}``: the cards of a list of models (see web/cards.py), priced to the
    buyer's door (``us_state`` in the context: the US state whose estimated sales tax is added)."""
    market = context["market"]
    state = context.get("us_state")
    if not state and charges_sales_tax(market):  # a page not cached per state: the buyer's own
        state = buyer_state(context.get("request"))
    if not state:
        return cards.model_cards(models, market)
    return cards.model_cards(
        models, market, to_door=lambda amount: all_in_price(amount=amount, market=market, state=state).total.amount
    )


NEXT = "__NEXT__"


@lru_cache(maxsize=64)
def _market_list(language: str, current: str) -> str:
    """The switcher's list for one language and current market, with a placeholder for the page's path."""
    items = format_html_join(
        "\n",
        '<li><a href="{}?next={}" hreflang="{}-{}" lang="{}"{}><span class="flag" aria-hidden="true">{}</span> {} '
        '<span class="muted">{}</span></a></li>',
        (
            (
                reverse("switch_market", args=[m.code]),
                NEXT,
                m.language,
                m.country,
                m.language,
                mark_safe(' aria-current="true"') if m.code == current else "",
                m.country,
                m.country_name,
                m.currency,
            )
            for m in enabled_markets()
        ),
    )
    return format_html('<ul class="market-list">{}</ul>', items)


@register.simple_tag(takes_context=True)
def market_list(context: dict[str, Any], **kwargs: Any) -> str:
    """``{% market_list %}``: every market, each link leading to this page in that market (see views.switch_market)."""
    request = context["request"]
    html = _market_list(get_language() or "", context["market"].code)
    path = quote(request.get_full_path(), safe="/")  # percent-encoded: nothing left to escape in an attribute
    return mark_safe(html.replace(NEXT, path))  # noqa: S308  # built by format_html_join, path percent-encoded
