from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from reloop.catalog.selectors import category_tree, top_categories


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Top-level categories for the header, loaded only by templates that show them (one query)."""
    return {"nav_categories": SimpleLazyObject(lambda: top_categories(category_tree()))}
