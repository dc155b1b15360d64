"""Counting a page's queries (a copy of web's helper: tests of a lower layer may not import web)."""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext


def queries_for(client, url: str) -> tuple[int, object]:
    """How many queries one GET of ``url`` runs with cold fragment caches, and the response."""
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries), response
