from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from reloop.catalog.selectors import category_tree, top_categories


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Top-level categories for the header, queried only when the cached navigation fragment is cold."""
    return {
        "nav_categories": SimpleLazyObject(lambda: top_categories(category_tree())),
        "catalogue_ttl": settings.RELOOP_CATALOGUE_CACHE_SECONDS,
    }
