"""Context every page's shell reads: the header's categories and cart count."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from reloop.catalog.selectors import category_tree, top_categories

# The number of items in the buyer's cart per market, kept in the session by the storefront's cart pages (the cart,
# checkout, sign-in, the return from payment), so that the header shows it without a query on every page.
CART_COUNTS = "cart_counts"


def cart_count(request: HttpRequest) -> int:
    """Items in the cart of the request's market, as the storefront last saw them (0 when unknown).

    A visitor without a session cookie has no cart: their session is not even loaded. Anyone else's session is
    already loaded by the page's header (``request.user``), so reading it costs no query.
    """
    session = getattr(request, "session", None)
    if session is None or (settings.SESSION_COOKIE_NAME not in request.COOKIES and not session.modified):
        return 0
    market = getattr(request, "market", None)
    counts = session.get(CART_COUNTS) or {}
    return int(counts.get(market.code, 0)) if market is not None and isinstance(counts, dict) else 0


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Top-level categories for the header, queried only when the cached navigation fragment is cold; the cart
    count, read only if the page's template shows it."""
    return {
        "nav_categories": SimpleLazyObject(lambda: top_categories(category_tree())),
        "catalogue_ttl": settings.RELOOP_CATALOGUE_CACHE_SECONDS,
        "cart_count": partial(cart_count, request),
    }
