"""All-in prices in templates (issue 16, item 5; ``checkout.all_in``).

``{% allin amount %}`` shows what one unit costs to the buyer's door in the page's market: the price, the estimated
US sales tax of the buyer's state, the cheapest delivery. ``{% allin_note %}`` says what it includes. The state is
``request.us_state`` when the view set it (``buyer_state``), else the default; pages cached per state."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest

from reloop.checkout.all_in import (
    DEFAULT_US_STATE,
    STATE_COOKIE,
    STATE_SESSION_KEY,
    US_STATE_NAMES,
    AllInPrice,
    all_in_price,
    state_or_default,
)
from reloop.markets.tax import charges_sales_tax

register = template.Library()


def buyer_state(request: HttpRequest | None) -> str:
    """The buyer's US state: the session's, else the cookie's, else the default."""
    if request is None:
        return DEFAULT_US_STATE
    session = getattr(request, "session", None)
    remembered = session.get(STATE_SESSION_KEY) if session is not None else None
    return state_or_default(remembered or request.COOKIES.get(STATE_COOKIE))


def _state(context: dict[str, Any]) -> str:
    return context.get("us_state") or buyer_state(context.get("request"))


@register.simple_tag(takes_context=True)
def allin_price(context: dict[str, Any], amount: int | None) -> AllInPrice | None:
    if amount is None:
        return None
    market = context["market"]
    # only US prices depend on the buyer's state: elsewhere it is not looked up (a page shows a dozen prices)
    state = _state(context) if charges_sales_tax(market) else None
    return all_in_price(amount=int(amount), market=market, state=state)


@register.simple_tag(takes_context=True)
def allin(context: dict[str, Any], amount: int | None) -> str:
    """The all-in price, formatted in the market's locale ("" without an amount)."""
    price = allin_price(context, amount)
    return price.total.format(context["market"].locale) if price else ""


@register.inclusion_tag("web/storefront/_allin_note.html", takes_context=True)
def allin_note(context: dict[str, Any], picker: bool = False) -> dict[str, Any]:
    market = context["market"]
    state = _state(context)
    return {
        "market": market,
        "request": context.get("request"),
        "us": charges_sales_tax(market),
        "state": state,
        "state_name": US_STATE_NAMES[state],
        "states": sorted(US_STATE_NAMES.items(), key=lambda item: item[1]),
        "free_delivery": all_in_price(amount=0, market=market, state=state).free_delivery,
        "picker": picker,
    }
