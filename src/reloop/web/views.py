"""The site shell's own routes, the same for every audience: the health check, the market chooser at ``/``
and the market switcher in the header (``/market/<code>/``)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse, translate_url
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_safe

from reloop.markets.data import MARKET_CODES
from reloop.markets.middleware import COOKIE_AGE
from reloop.markets.registry import UnknownMarket, get_market


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """A trivial view on the full middleware stack: liveness checks and the benchmark floor."""
    return HttpResponse(b"ok", content_type="text/plain")


@require_safe
def switch_market(request: HttpRequest, code: str) -> HttpResponse:
    """The switcher's links: the page the person was on (``next``), in market ``code``: a storefront page in that
    market's language, a back-office or console page itself (its market comes from the cookie set here).

    Translating the path happens here, on the one click, rather than for 16 links on every page view.
    """
    try:
        market = get_market(code)
    except UnknownMarket as exc:
        raise Http404(str(exc)) from exc
    next_path = request.GET.get("next", "")
    if not next_path.startswith("/") or not url_has_allowed_host_and_scheme(next_path, allowed_hosts=None):
        next_path = "/"
    source = next_path.split("/")[1] if next_path.count("/") > 1 else ""
    with translation.override(source if source in MARKET_CODES else None):  # resolve in the page's own market
        target = translate_url(next_path, market.code)
    if target == next_path and not _outside_market_prefix(next_path):  # not translatable: the market's home
        with translation.override(market.code):
            target = reverse("web:home")
    response = HttpResponseRedirect(target)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, market.code, max_age=COOKIE_AGE, samesite="Lax", httponly=True)
    return response


def _outside_market_prefix(path: str) -> bool:
    """A page of the seller back office or the operator console (``/seller/…``, ``/operator/…``): it has no market
    in its path (it reads the market cookie), so switching market keeps the person on it."""
    bare = urlsplit(path).path
    if bare.split("/")[1] in MARKET_CODES or bare.startswith(("/market/", "/api/", "/admin/")) or bare == "/":
        return False
    try:
        resolve(bare)
    except Resolver404:
        return False
    return True


@require_safe
def choose_market(request: HttpRequest) -> HttpResponse:
    """``/`` → the buyer's market: their cookie, else their browser's language, else the default market."""
    code = translation.get_language_from_request(request, check_path=False)
    with translation.override(code):
        return HttpResponseRedirect(reverse("web:home"))
