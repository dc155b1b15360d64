"""Rate limits of the seller API: per token, per minute, reads and writes counted apart (ADR 0013).

``check_rate_limit(request, token_digest)`` runs in the token authentication, right after the token is known: it
counts the request (atomically, see ``core.ratelimit``) and raises ``RateLimited`` (429 ``rate_limited`` with
``Retry-After``) past the limit. Every seller API answer carries ``X-RateLimit-Limit`` and
``X-RateLimit-Remaining`` (``stamp_headers``), errors and idempotent replays included.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from reloop.core.errors import DomainError
from reloop.core.ratelimit import Hit, hit

WINDOW_SECONDS = 60
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class RateLimited(DomainError):
    code = "rate_limited"
    http_status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def _limit_for(method: str) -> tuple[str, int]:
    if method in READ_METHODS:
        return "read", int(settings.RELOOP_SELLER_API_RATE_READ)
    return "write", int(settings.RELOOP_SELLER_API_RATE_WRITE)


def check_rate_limit(request: HttpRequest, *, token_digest: str) -> None:
    """Count this request against its token's read or write limit; raise ``RateLimited`` past it."""
    kind, limit = _limit_for(request.method or "GET")
    if limit <= 0:
        return
    result = hit(f"seller-token:{token_digest[:32]}:{kind}", limit=limit, window_seconds=WINDOW_SECONDS)
    request.rate_limit = result  # type: ignore[attr-defined]  # read by stamp_headers
    if not result.allowed:
        raise RateLimited(
            _("Too many requests: %(limit)s %(kind)s requests a minute per token; retry in %(seconds)s s")
            % {"limit": limit, "kind": kind, "seconds": result.reset_in},
            retry_after=result.reset_in,
        )


def stamp_headers(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Add the rate-limit headers of this request, if it was counted."""
    result: Hit | None = getattr(request, "rate_limit", None)
    if result is not None:
        response["X-RateLimit-Limit"] = str(result.limit)
        response["X-RateLimit-Remaining"] = str(result.remaining)
        response["X-RateLimit-Reset"] = str(result.reset_in)
        if not result.allowed:
            response["Retry-After"] = str(result.reset_in)
    return response
