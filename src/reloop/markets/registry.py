"""Which markets are open on this installation (``RELOOP_MARKETS``) and lookups by code."""

from __future__ import annotations

from functools import cache

from django.conf import settings

from reloop.core.errors import NotFound
from reloop.markets.data import MARKETS, Market


class UnknownMarket(NotFound):
    code = "unknown_market"


@cache
def _enabled() -> dict[str, Market]:
    wanted = settings.RELOOP_MARKETS
    return {m.code: m for m in MARKETS if not wanted or m.code in wanted}


def enabled_markets() -> list[Market]:
    return list(_enabled().values())


def get_market(code: str) -> Market:
    try:
        return _enabled()[code.lower()]
    except KeyError:
        raise UnknownMarket(f"Unknown market {code!r}; expected one of {', '.join(_enabled())}") from None


def market_timezone(code: str) -> str:
    """The time zone a market's times are shown in (``en-gb`` → ``Europe/London``); UTC for a market closed
    since (an old order's times still read)."""
    try:
        return get_market(code).timezone
    except UnknownMarket:
        return "UTC"


def default_market() -> Market:
    return get_market(settings.RELOOP_DEFAULT_MARKET)


def currency_markets(currency: str) -> list[Market]:
    return [m for m in _enabled().values() if m.currency == currency]
