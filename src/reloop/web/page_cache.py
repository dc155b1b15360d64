"""Read-through cache of rendered page bodies, keyed on the versions of what they show.

Keys carry ``Variant.cache_version`` or the ``Category.cache_version`` of every category a listing covers. Those are
bumped after every change that alters what the page shows (offers, prices, stock, buy boxes, catalogue loads), so
a cached body is never served after its data changed: the next view misses and renders afresh, in every process,
whatever the cache backend. The TTL only bounds memory and catalogue edits made outside the services (admin).
See docs/adr/0008-page-cache.md.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import get_language

T = TypeVar("T")
PREFIX = "page:v1"


def key(kind: str, *parts: object) -> str:
    """A cache key for ``kind`` (product, browse…) from its parts, the active language included."""
    raw = "|".join(str(p) for p in (get_language(), *parts))
    return f"{PREFIX}:{kind}:{hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()}"


def get_or_render(cache_key: str, render: Callable[[], T]) -> T:
    ttl = settings.RELOOP_CATALOGUE_CACHE_SECONDS
    if ttl <= 0 or not getattr(settings, "RELOOP_PAGE_CACHE", True):
        return render()
    found: T | None = cache.get(cache_key)
    if found is None:
        found = render()
        cache.set(cache_key, found, ttl)
    return found
