"""Customer trade-in pages, under the market prefix: find your device (search and browse), answer the
questionnaire, see the quote, accept it, then follow the trade-in (label, packing guide, counter-offer, payment).

Views parse, call ``buyback`` services and selectors, and render; a refused step is a form error, never a 5xx. A
customer only ever loads their own trade-ins (``customer_tradein``): another's is a 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Max, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from reloop.buyback import selectors, services
from reloop.buyback.domain import CONDITION_DEFINITIONS, Condition, State
from reloop.buyback.errors import QuoteNotFound, TradeInNotFound
from reloop.catalog.models import ProductModel
from reloop.core import clock
from reloop.core.errors import DomainError
from reloop.fulfillment.carriers import CARRIERS
from reloop.web.storefront.tradein_forms import AcceptQuoteForm, QuestionnaireForm
from reloop.web.tradein_pages import photo_response, tradein_context

PICKER_LIMIT = 48


def _market(request: HttpRequest) -> str:
    return request.market.code  # type: ignore[attr-defined]


@require_safe
def start(request: HttpRequest) -> HttpResponse:
    """Find the device: a search box and the models refurbishers buy in this market, by category, with the best
    price offered for each (one query whatever the number of models)."""
    market = _market(request)
    query = (request.GET.get("q") or "").replace("\x00", "").strip()[:100]
    models = ProductModel.objects.filter(
        variants__tradein_bids__market=market, variants__tradein_bids__is_active=True
    ).select_related("brand", "category")
    for word in query.split()[:5]:
        models = models.filter(Q(name__icontains=word) | Q(brand__name__icontains=word))
    rows = list(
        models.annotate(best=Max("variants__tradein_bids__price")).order_by("category__name", "-best")[:PICKER_LIMIT]
    )
    groups: dict[str, list[ProductModel]] = {}
    for model in rows:
        groups.setdefault(model.category.name, []).append(model)
    currency = request.market.currency  # type: ignore[attr-defined]
    return render(
        request,
        "web/storefront/tradein/start.html",
        {"groups": groups, "query": query, "currency": currency, "limited": len(rows) == PICKER_LIMIT},
    )


@require_safe
def conditions(request: HttpRequest) -> HttpResponse:
    """The public definition of each of the six trade-in conditions."""
    rows = [{"code": c, "label": Condition(c).label, "text": CONDITION_DEFINITIONS[c]} for c in Condition.values]
    return render(request, "web/storefront/tradein/conditions.html", {"conditions": rows})


@require_http_methods(["GET", "POST"])
def describe(request: HttpRequest, model_slug: str) -> HttpResponse:
    """The questionnaire for one model: which variant, and its condition. A good answer → a quote page."""
    model = ProductModel.objects.select_related("brand", "category").filter(slug=model_slug).first()
    if model is None:
        raise Http404("Unknown model")
    variants = selectors.quotable_variants(product_model_id=model.pk, market=_market(request))
    form = QuestionnaireForm(request.POST or None, variants=variants, initial={"variant": request.GET.get("variant")})
    if request.method == "POST" and form.is_valid():
        try:
            quote = services.get_quote(
                actor=request.user if request.user.is_authenticated else None,
                variant_id=form.cleaned_data["variant"],
                market=_market(request),
                answers=form.answers(),
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return HttpResponseRedirect(reverse("web:tradein_quote", kwargs={"quote_id": quote.public_id}))
    return render(request, "web/storefront/tradein/describe.html", {"model": model, "form": form, "variants": variants})


def _impact(model: ProductModel) -> Any:
    from reloop.impact.selectors import estimate_for_model

    return estimate_for_model(model)


@require_http_methods(["GET", "POST"])
def quote(request: HttpRequest, quote_id: str) -> HttpResponse:
    """The quote: amount, who buys it (name and rating), how long it holds, what happens next, the CO2e a second
    life avoids. Accepting needs an account (the payment goes to it)."""
    from reloop.reviews.selectors import seller_rating

    user = request.user if request.user.is_authenticated else None
    try:
        the_quote = selectors.quote_for(public_id=quote_id, customer=user)
    except QuoteNotFound as exc:
        raise Http404(str(exc)) from exc
    form = AcceptQuoteForm(request.POST or None)
    if request.method == "POST":
        if user is None:
            return HttpResponseRedirect(f"{reverse('web:login')}?next={request.path}")
        if form.is_valid():
            try:
                tradein = services.accept_quote(
                    actor=user,
                    quote_id=str(the_quote.public_id),
                    payout_method=form.cleaned_data["payout_method"],
                    iban=form.cleaned_data["iban"],
                    account_holder=form.cleaned_data["account_holder"],
                )
            except DomainError as error:
                field = "iban" if error.code == "invalid_iban" else None
                if error.code == "invalid_account_holder":
                    field = "account_holder"
                form.add_error(field, error.message)
            else:
                return HttpResponseRedirect(reverse("web:tradein", kwargs={"number": tradein.number}))
    return render(
        request,
        "web/storefront/tradein/quote.html",
        {
            "quote": the_quote,
            "form": form,
            "rating": seller_rating(seller=the_quote.seller),
            "impact": _impact(the_quote.variant.product_model),
            "expired": the_quote.expires_at <= clock.now(),
            "condition_text": CONDITION_DEFINITIONS[the_quote.condition],
        },
    )


@login_required
@require_safe
def tradein_list(request: HttpRequest) -> HttpResponse:
    tradeins = list(selectors.customer_tradeins(customer=request.user)[:100])  # type: ignore[arg-type]
    currency = request.market.currency  # type: ignore[attr-defined]
    credit = selectors.credit_balance(customer=request.user, currency=currency)  # type: ignore[arg-type]
    return render(
        request, "web/storefront/tradein/list.html", {"tradeins": tradeins, "credit": credit, "currency": currency}
    )


CUSTOMER_ACTIONS = ("shipped", "cancel", "accept_counter", "refuse_counter")


@login_required
@require_http_methods(["GET", "POST"])
def tradein_detail(request: HttpRequest, number: str) -> HttpResponse:
    try:
        tradein = selectors.customer_tradein(customer=request.user, number=number)  # type: ignore[arg-type]
    except TradeInNotFound as exc:
        raise Http404(str(exc)) from exc
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in CUSTOMER_ACTIONS:
            return HttpResponse(_("Unknown action"), status=400)
        try:
            if action == "shipped":
                services.mark_shipped(actor=request.user, number=number)  # type: ignore[arg-type]
            elif action == "cancel":
                services.cancel_tradein(actor=request.user, number=number)  # type: ignore[arg-type]
            else:
                services.answer_counter_offer(
                    actor=request.user,  # type: ignore[arg-type]
                    number=number,
                    accept=action == "accept_counter",
                )
        except DomainError as error:
            messages.error(request, error.message)
        return HttpResponseRedirect(request.path)
    return render(
        request, "web/storefront/tradein/detail.html", tradein_context(tradein, photo_url="web:tradein_photo")
    )


@login_required
@require_safe
def label(request: HttpRequest, number: str) -> HttpResponse:
    """The printable prepaid label and packing guide."""
    try:
        tradein = selectors.customer_tradein(customer=request.user, number=number)  # type: ignore[arg-type]
    except TradeInNotFound as exc:
        raise Http404(str(exc)) from exc
    if tradein.state != State.AWAITING_SHIPMENT:
        raise Http404("No label to print")
    carrier = CARRIERS.get(tradein.label_carrier)
    return render(
        request,
        "web/storefront/tradein/label.html",
        {"tradein": tradein, "carrier_name": carrier.name if carrier else tradein.label_carrier},
    )


@login_required
@require_safe
def photo(request: HttpRequest, number: str, photo_id: int) -> HttpResponse:
    try:
        tradein = selectors.customer_tradein(customer=request.user, number=number)  # type: ignore[arg-type]
    except TradeInNotFound as exc:
        raise Http404(str(exc)) from exc
    item = tradein.photos.filter(pk=photo_id).first()
    if item is None:
        raise Http404("No such photo")
    return photo_response(item)
