"""Seller back office, trade-in: buy prices (bids) with their rank and price to win, CSV import/export, the queue
of trade-ins (to receive, to inspect, waiting for the customer, to send back) and one trade-in with its steps.

Every read goes through ``buyback.selectors`` with the member's seller: another seller's trade-in is a 404.
"""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from reloop.aftersales.services import Photo
from reloop.buyback import selectors, services
from reloop.buyback.domain import State
from reloop.buyback.errors import TradeInNotFound
from reloop.core.errors import DomainError
from reloop.core.money import Money
from reloop.markets.registry import enabled_markets, get_market
from reloop.web.backoffice.shell import seller_of, seller_required
from reloop.web.backoffice.tradein_forms import BidCsvForm, BidForm, CounterOfferForm, ReceiveForm, ReturnForm, WorkForm
from reloop.web.tradein_pages import photo_response, tradein_context

QUEUE_LABELS = {
    "to_receive": gettext_lazy("To receive"),
    "to_inspect": gettext_lazy("To inspect"),
    "waiting_customer": gettext_lazy("Waiting for the customer"),
    "to_send_back": gettext_lazy("To send back"),
    "on_hold": gettext_lazy("On hold"),
    "closed": gettext_lazy("Closed"),
}


def _markets() -> list[tuple[str, str]]:
    return [(m.code, f"{m.code} ({m.currency})") for m in enabled_markets()]


@seller_required
@require_http_methods(["GET", "POST"])
def bids(request: HttpRequest) -> HttpResponse:
    seller = seller_of(request)
    market = request.GET.get("market") or None
    if market not in {code for code, _label in _markets()}:
        market = None
    action = request.POST.get("action") if request.method == "POST" else None
    form = BidForm(request.POST if action == "bid" else None, markets=_markets())
    csv_form = BidCsvForm(request.POST if action == "csv" else None, request.FILES if action == "csv" else None)
    if action == "bid" and form.is_valid():
        data = form.cleaned_data
        try:
            price = Money.from_major(data["price"].replace(",", "."), get_market(data["market"]).currency).amount
            services.set_bid(
                actor=request.user,  # type: ignore[arg-type]
                seller=seller,
                variant_id=data["variant"],
                condition=data["condition"],
                market=data["market"],
                price=price,
            )
        except (DomainError, ValueError, ArithmeticError) as error:
            form.add_error(None, getattr(error, "message", _("Enter a price such as 180.00")))
        else:
            messages.success(request, _("Buy price saved."))
            return HttpResponseRedirect(request.get_full_path())
    elif action == "csv" and csv_form.is_valid():
        try:
            result = services.import_bids(
                actor=request.user,  # type: ignore[arg-type]
                seller=seller,
                content=csv_form.cleaned_data["file"].read(),
            )
        except DomainError as error:
            csv_form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("%(created)s buy prices added, %(updated)s changed.")
                % {"created": result.created, "updated": result.updated},
            )
            return HttpResponseRedirect(request.get_full_path())
    elif action == "delete":
        try:
            services.delete_bid(actor=request.user, seller=seller, bid_id=int(request.POST.get("bid") or 0))  # type: ignore[arg-type]
        except (DomainError, ValueError):
            messages.error(request, _("No such buy price"))
        return HttpResponseRedirect(request.get_full_path())
    elif action is not None and action not in ("bid", "csv"):
        return HttpResponse(_("Unknown action"), status=400)
    rows = selectors.seller_bids(seller=seller, market=market)
    return render(
        request,
        "web/backoffice/tradein/bids.html",
        {"rows": rows, "form": form, "csv_form": csv_form, "markets": _markets(), "selected_market": market},
    )


@seller_required
@require_safe
def bids_export(request: HttpRequest) -> HttpResponse:
    """The seller's bids as the CSV the import reads (prices in major units; 0 for a bid switched off)."""
    seller = seller_of(request)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(services.CSV_COLUMNS)
    for row in selectors.seller_bids(seller=seller, limit=services.MAX_CSV_LINES):
        bid = row.bid
        price = Money(bid.price, bid.currency).to_major() if bid.is_active else 0
        writer.writerow([bid.variant_id, bid.condition, bid.market, price])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="tradein-buy-prices.csv"'
    return response


@seller_required
@require_safe
def tradein_list(request: HttpRequest) -> HttpResponse:
    seller = seller_of(request)
    queue = request.GET.get("queue") or None
    if queue not in selectors.SELLER_QUEUES:
        queue = None
    counts = selectors.seller_queue_counts(seller=seller)
    tradeins = list(selectors.seller_tradeins(seller=seller, queue=queue)[: selectors.LIST_LIMIT])
    queues = [{"code": c, "label": QUEUE_LABELS[c], "count": counts[c]} for c in selectors.SELLER_QUEUES]
    return render(request, "web/backoffice/tradein/list.html", {"tradeins": tradeins, "queues": queues, "queue": queue})


SELLER_ACTIONS = ("receive", "validate", "counter", "return", "work")


@seller_required
@require_http_methods(["GET", "POST"])
def tradein_detail(request: HttpRequest, number: str) -> HttpResponse:
    seller = seller_of(request)
    try:
        tradein = selectors.seller_tradein(seller=seller, number=number)
    except TradeInNotFound as exc:
        raise Http404(str(exc)) from exc
    action = request.POST.get("action") if request.method == "POST" else None
    if action is not None and action not in SELLER_ACTIONS:
        return HttpResponse(_("Unknown action"), status=400)
    data, files = request.POST, request.FILES
    forms = {
        "receive": ReceiveForm(data if action == "receive" else None),
        "counter": CounterOfferForm(
            data if action == "counter" else None, files if action == "counter" else None, currency=tradein.currency
        ),
        "return": ReturnForm(data if action == "return" else None, market=tradein.market),
        "work": WorkForm(data if action == "work" else None),
    }
    user = request.user
    try:
        if action == "validate":
            services.validate_tradein(actor=user, seller=seller, number=number)  # type: ignore[arg-type]
            messages.success(request, _("Validated: the customer is paid."))
            return HttpResponseRedirect(request.path)
        form = forms.get(action or "")
        if form is not None and form.is_valid():
            clean = form.cleaned_data
            if action == "receive":
                services.receive_tradein(actor=user, seller=seller, number=number, identifier=clean["identifier"])  # type: ignore[arg-type]
            elif action == "counter":
                services.counter_offer(
                    actor=user,  # type: ignore[arg-type]
                    seller=seller,
                    number=number,
                    condition_found=clean["condition_found"],
                    amount=clean["amount"] or 0,
                    reason=clean["reason"],
                    photos=[Photo(name=f.name or "photo", content=f.read()) for f in clean["photos"]],
                )
            elif action == "return":
                services.return_device(
                    actor=user,  # type: ignore[arg-type]
                    seller=seller,
                    number=number,
                    carrier=clean["carrier"],
                    tracking_number=clean["tracking_number"],
                )
            elif action == "work":
                services.record_work(actor=user, seller=seller, number=number, details=form.details())  # type: ignore[arg-type, attr-defined]
            messages.success(request, _("Saved."))
            return HttpResponseRedirect(request.path)
    except DomainError as error:
        target = forms.get(action or "")
        if target is not None:
            target.add_error(None, error.message)
        else:
            messages.error(request, error.message)
    context = tradein_context(tradein, photo_url="seller:tradein_photo")
    context.update(forms=forms, can_inspect=tradein.state == State.RECEIVED)
    return render(request, "web/backoffice/tradein/detail.html", context)


@seller_required
@require_safe
def photo(request: HttpRequest, number: str, photo_id: int) -> HttpResponse:
    try:
        tradein = selectors.seller_tradein(seller=seller_of(request), number=number)
    except TradeInNotFound as exc:
        raise Http404(str(exc)) from exc
    item = tradein.photos.filter(pk=photo_id).first()
    if item is None:
        raise Http404("No such photo")
    return photo_response(item)


def nav_url() -> str:
    return reverse("seller:tradeins")
