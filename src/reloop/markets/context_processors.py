from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from reloop.markets.registry import default_market, enabled_markets


def market(request: HttpRequest) -> dict[str, Any]:
    return {
        "market": getattr(request, "market", None) or default_market(),
        "markets": enabled_markets(),
    }
