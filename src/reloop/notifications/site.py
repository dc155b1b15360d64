"""The site's address in the links of emails.

``RELOOP_SITE_URL`` when the operator sets it (production: the public address behind the TLS proxy). Without it,
an email that a request sets off (a buyer's order, a seller's answer, a price alert confirmed) links to the
address that request came to, so ``reloop demo --port 8123`` or a development server on another port sends
working links; ``SiteURLMiddleware`` remembers that address for the request's thread or task. An email sent
outside any request (a job, a worker) falls back to ``RELOOP_SITE_URL``'s default, ``http://127.0.0.1:8000``.
The request's host is one ``ALLOWED_HOSTS`` accepts (``request.get_host()`` checks it), never a raw header.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse

_REQUEST_ROOT: ContextVar[str | None] = ContextVar("reloop_request_site_root", default=None)


def site_root() -> str:
    """The scheme and host emails link to, without a trailing slash (``https://reloop.example``)."""
    if not getattr(settings, "RELOOP_SITE_URL_FROM_REQUEST", False):
        return str(settings.RELOOP_SITE_URL).rstrip("/")
    return _REQUEST_ROOT.get() or str(settings.RELOOP_SITE_URL).rstrip("/")


class SiteURLMiddleware:
    """Remember the address the request came to, for the emails it sets off (only when ``RELOOP_SITE_URL`` is not
    configured: ``settings.RELOOP_SITE_URL_FROM_REQUEST``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not getattr(settings, "RELOOP_SITE_URL_FROM_REQUEST", False):
            return self.get_response(request)
        try:
            root = f"{request.scheme}://{request.get_host()}"
        except DisallowedHost:  # Django answers 400 for it further on; no email leaves with that host
            root = None
        token = _REQUEST_ROOT.set(root)
        try:
            return self.get_response(request)
        finally:
            _REQUEST_ROOT.reset(token)
