"""Operator pages for trade-ins at ``/operator/trade-ins/``: the queue of escalated trade-ins (late inspection,
unanswered counter-offer, failed device check, failed bank transfer) and one trade-in with its decisions. The
local blocklist the offline device check reads is edited in the admin (Devices → Blocked devices)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_safe

from reloop.buyback import selectors, services
from reloop.buyback.errors import TradeInNotFound
from reloop.core.errors import DomainError
from reloop.web.console.access import operator_required
from reloop.web.console.tradein_forms import DecisionForm
from reloop.web.tradein_pages import photo_response, tradein_context

VIEW = "buyback.view_tradein"
DECIDE = "buyback.change_tradein"


@require_safe
@operator_required(VIEW)
def queue(request: HttpRequest) -> HttpResponse:
    tradeins = list(selectors.operator_queue()[: selectors.LIST_LIMIT])
    return render(request, "web/console/tradein/list.html", {"tradeins": tradeins})


@require_http_methods(["GET", "POST"])
@operator_required(VIEW)
def detail(request: HttpRequest, number: str) -> HttpResponse:
    try:
        tradein = selectors.operator_tradein(number=number)
    except TradeInNotFound as exc:
        raise Http404(str(exc)) from exc
    form = DecisionForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm(DECIDE):
            return HttpResponse(status=403)
        if form.is_valid():
            try:
                services.operator_decide(
                    actor=request.user,  # type: ignore[arg-type]
                    number=number,
                    decision=form.cleaned_data["decision"],
                    note=form.cleaned_data["note"],
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, "Done.")
                return HttpResponseRedirect(request.path)
    context = tradein_context(tradein, photo_url="operator:tradein_photo")
    context["form"] = form
    return render(request, "web/console/tradein/detail.html", context)


@require_safe
@operator_required(VIEW)
def photo(request: HttpRequest, number: str, photo_id: int) -> HttpResponse:
    try:
        tradein = selectors.operator_tradein(number=number)
    except TradeInNotFound as exc:
        raise Http404(str(exc)) from exc
    item = tradein.photos.filter(pk=photo_id).first()
    if item is None:
        raise Http404("No such photo")
    return photo_response(item)
