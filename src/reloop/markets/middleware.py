"""Attach the request's market, chosen by Django's LocaleMiddleware from the URL prefix (``/fr-fr/…``)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from reloop.markets.registry import UnknownMarket, default_market, get_market

COOKIE = settings.LANGUAGE_COOKIE_NAME
COOKIE_AGE = 365 * 24 * 3600


class MarketMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            market = get_market(translation.get_language() or "")
        except UnknownMarket:
            market = default_market()
        request.market = market  # type: ignore[attr-defined]
        response = self.get_response(request)
        # Remember the market of the last storefront page so that "/" brings the buyer back to it.
        if request.path_info.startswith(f"/{market.code}/") and request.COOKIES.get(COOKIE) != market.code:
            response.set_cookie(COOKIE, market.code, max_age=COOKIE_AGE, samesite="Lax", httponly=True)
        return response
