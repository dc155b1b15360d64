"""Attach the request's market, chosen by Django's LocaleMiddleware from the URL prefix (``/fr-fr/…``)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

from reloop.markets.registry import UnknownMarket, default_market, get_market


class MarketMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            market = get_market(translation.get_language() or "")
        except UnknownMarket:
            market = default_market()
        request.market = market  # type: ignore[attr-defined]
        return self.get_response(request)
