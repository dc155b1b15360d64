"""The US delivery-state picker behind all-in prices (issue 16, item 5; ``checkout.all_in``)."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from reloop.checkout.all_in import STATE_COOKIE, STATE_SESSION_KEY, UnknownState, parse_state
from reloop.markets.tax import charges_sales_tax

STATE_COOKIE_AGE = int(dt.timedelta(days=365).total_seconds())


@require_POST
def choose_state(request: HttpRequest) -> HttpResponse:
    """Remember the buyer's US state (session and cookie) and go back to the page: its prices then include that
    state's estimated sales tax. Only in markets whose prices are shown before tax; 400 for an unknown state."""
    if not charges_sales_tax(request.market):  # type: ignore[attr-defined]
        raise Http404("prices in this market include tax")
    try:
        state = parse_state(request.POST.get("state"))
    except UnknownState as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    request.session[STATE_SESSION_KEY] = state
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        target = reverse("web:home")
    response = redirect(target)
    response.set_cookie(STATE_COOKIE, state, max_age=STATE_COOKIE_AGE, samesite="Lax", httponly=True)
    return response
