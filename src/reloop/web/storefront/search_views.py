"""Search autocomplete: the suggestions list under the search box (HTMX fragment, combobox pattern)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from reloop.search import selectors as search


@require_safe
def suggest(request: HttpRequest) -> HttpResponse:
    """Up to six models (at the storage size typed, when they have it) and three categories; empty under two
    characters. Without JavaScript the search form submits to the results page instead."""
    raw = request.GET.get("q", "")[:100].replace("\x00", "")
    market = request.market  # type: ignore[attr-defined]
    found = (
        search.suggest(query=raw, market=market.code, language=get_language() or market.code)
        if len(raw.strip()) >= 2
        else None
    )
    return render(request, "web/storefront/_suggest.html", {"found": found, "q": raw})
