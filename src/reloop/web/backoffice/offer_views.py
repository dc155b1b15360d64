"""Seller back office: the offers table with inline edit, one offer's page, and listing a new offer.

Views parse, authorize (``seller_required``), call the offers services and the seller-scoped selectors, and render.
Another seller's offer is answered exactly like a missing one (404). The inline edit works with HTMX (the row is
re-rendered in place, errors in the row) and without JavaScript (a normal form post, then a redirect back).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from reloop.catalog.errors import ProductNotFound
from reloop.core.errors import DomainError
from reloop.core.money import Money
from reloop.core.pagination import Paged, paginate
from reloop.markets.registry import enabled_markets, get_market
from reloop.offers import services
from reloop.offers.errors import OfferNotFound
from reloop.offers.models import Offer, OfferPrice
from reloop.offers.selectors import (
    filtered_seller_offers,
    listable_variant,
    listable_variants,
    listing_choices,
    seller_offer,
)
from reloop.pricing.selectors import Competition, competition_by_offer, offer_insight, with_market_filter
from reloop.sellers.models import Seller
from reloop.web.backoffice.forms import (
    NewOfferForm,
    OfferFilterForm,
    OfferRowForm,
    OfferTermsForm,
    PricesForm,
    StockForm,
    field_for,
)
from reloop.web.backoffice.shell import seller_of, seller_required

PER_PAGE = 25


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _offer_or_404(seller: Seller, offer_id: int) -> Offer:
    try:
        return seller_offer(seller=seller, offer_id=offer_id)
    except OfferNotFound as exc:
        raise Http404(exc.message) from exc


def _back_to_list(request: HttpRequest) -> str:
    """The offers-table URL the row form came from (its filters and page), never another site."""
    target = request.POST.get("next", "")
    list_url = reverse("seller:offers")
    if target.startswith(list_url) and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return list_url


# --- The offers table -------------------------------------------------------------------------------------


@dataclass
class OfferRow:
    offer: Offer
    market: str
    price: OfferPrice | None
    competition: Competition | None
    form: OfferRowForm


def _price_in(offer: Offer, market: str) -> OfferPrice | None:
    return next((p for p in offer.prices.all() if p.market == market), None)


def _row(offer: Offer, market: str, comp: Competition | None, form: OfferRowForm | None = None) -> OfferRow:
    price = _price_in(offer, market)
    if form is None:
        initial: dict[str, Any] = {"stock": offer.stock, "market": market}
        if price is not None:
            initial["price"] = Money(price.amount, price.currency).to_major()
        form = OfferRowForm(initial=initial, offer_id=offer.pk)
    return OfferRow(offer, market, price, comp, form)


def _offers_context(
    request: HttpRequest, query: QueryDict, bound: dict[int, OfferRowForm] | None = None
) -> dict[str, Any]:
    seller = seller_of(request)
    default_market = request.market.code  # type: ignore[attr-defined]
    query = query.copy()
    query.setdefault("market", default_market)  # the select shows the market the table is in
    filters = OfferFilterForm(query, default_market=default_market)
    filters.is_valid()
    market = filters.selected_market
    qs = with_market_filter(
        filtered_seller_offers(seller=seller, filters=filters.offer_filters(), market=market),
        market=market,
        status=filters.market_status,
    )
    page: Paged[Offer] = paginate(qs, page=filters.page_number, page_size=PER_PAGE)
    comps = competition_by_offer(seller=seller, offer_ids=[o.pk for o in page.items], market=market)
    bound = bound or {}
    rows = [_row(o, market, comps.get(o.pk), bound.get(o.pk)) for o in page.items]
    base = query.copy()
    base.pop("page", None)
    return {
        "filters": filters,
        "market": get_market(market),
        "market_code": market,
        "rows": rows,
        "page": page,
        "pages": page.meta()["pages"],
        "page_query": base.urlencode(),
        "current_url": request.get_full_path() if request.method == "GET" else _back_to_list(request),
        "import_export": _import_export_links(),
    }


def _import_export_links() -> dict[str, str]:
    """Links to the CSV pages of the ingest area, once its URLs exist."""
    links = {}
    for key, name in (("import", "seller:offers_import"), ("export", "seller:offers_export")):
        try:
            links[key] = reverse(name)
        except NoReverseMatch:
            continue
    return links


@require_safe
@seller_required
def offer_list(request: HttpRequest) -> HttpResponse:
    return render(request, "web/backoffice/offers/list.html", _offers_context(request, request.GET))


def _row_response(
    request: HttpRequest, offer_id: int, form: OfferRowForm | None = None, *, saved: bool = False
) -> HttpResponse:
    seller = seller_of(request)
    offer = _offer_or_404(seller, offer_id)
    market = form.cleaned_data.get("market") if form is not None and form.is_bound else None
    posted = request.POST.get("market", "")
    if not market:  # the row's hidden market, when it is one of ours (a tampered one falls back to the default)
        market = posted if posted in {m.code for m in enabled_markets()} else request.market.code  # type: ignore[attr-defined]
    comps = competition_by_offer(seller=seller, offer_ids=[offer.pk], market=market)
    row = _row(offer, market, comps.get(offer.pk), form)
    return render(
        request,
        "web/backoffice/offers/_row.html",
        {"row": row, "market": get_market(market), "current_url": _back_to_list(request), "saved": saved},
    )


@require_POST
@seller_required
def offer_row(request: HttpRequest, offer_id: int) -> HttpResponse:
    """Inline edit of stock and the price in the table's market."""
    seller = seller_of(request)
    offer = _offer_or_404(seller, offer_id)
    form = OfferRowForm(request.POST, offer_id=offer.pk)
    saved = False
    if form.is_valid():
        market, money = form.cleaned_data["market"], form.cleaned_data.get("money")
        current = _price_in(offer, market)
        try:
            services.check_may_change_offers(seller)
            with transaction.atomic():  # stock and price change together or not at all
                if form.cleaned_data["stock"] != offer.stock:
                    services.set_stock(seller=seller, offer_id=offer.pk, stock=form.cleaned_data["stock"])
                if money is not None and (current is None or current.amount != money.amount):
                    services.set_offer_prices(seller=seller, offer_id=offer.pk, prices={market: money})
                elif money is None and current is not None:
                    services.set_offer_prices(seller=seller, offer_id=offer.pk, prices={}, remove=[market])
        except DomainError as exc:
            form.add_error("price" if exc.code in {"invalid_price", "wrong_currency"} else "stock", exc.message)
        else:
            saved = True
    if is_htmx(request):
        return _row_response(request, offer.pk, None if saved else form, saved=saved)
    if saved:
        messages.success(request, _("%(sku)s saved.") % {"sku": offer.sku})
        return HttpResponseRedirect(_back_to_list(request))
    query = QueryDict(_back_to_list(request).partition("?")[2])
    context = _offers_context(request, query, bound={offer.pk: form})
    return render(request, "web/backoffice/offers/list.html", context)


@require_POST
@seller_required
def offer_active(request: HttpRequest, offer_id: int) -> HttpResponse:
    """Put an offer on sale again or take it off sale (its stock and prices are kept)."""
    seller = seller_of(request)
    offer = _offer_or_404(seller, offer_id)
    active = request.POST.get("active") == "1"
    try:
        services.check_may_change_offers(seller)
        services.set_offer_active(seller=seller, offer_id=offer.pk, active=active)
    except DomainError as exc:  # a suspended seller's offers are frozen
        if is_htmx(request):
            return HttpResponse(exc.message, status=exc.http_status, content_type="text/plain; charset=utf-8")
        messages.error(request, exc.message)
        return HttpResponseRedirect(_back_to_list(request))
    if is_htmx(request):
        return _row_response(request, offer.pk)
    message = _("%(sku)s is on sale.") if active else _("%(sku)s is off sale.")
    messages.success(request, message % {"sku": offer.sku})
    if request.POST.get("from") == "detail":
        return redirect("seller:offer", offer_id=offer.pk)
    return HttpResponseRedirect(_back_to_list(request))


# --- One offer --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MarketRow:
    market: Any
    field: Any
    insight: Any


def _offer_context(request: HttpRequest, offer: Offer, **forms: Any) -> dict[str, Any]:
    seller = seller_of(request)
    insights = {i.competition.market: i for i in offer_insight(seller=seller, offer=offer)}
    terms = forms.get("terms") or OfferTermsForm(initial=OfferTermsForm.initial_for(offer))
    stock = forms.get("stock") or StockForm(initial={"stock": offer.stock})
    prices = forms.get("prices") or PricesForm(initial=PricesForm.initial_for(offer))
    market_rows = [MarketRow(m, prices.price_field(m), insights.get(m.code)) for m in prices.markets]
    return {
        "offer": offer,
        "terms_form": terms,
        "stock_form": stock,
        "prices_form": prices,
        "market_rows": market_rows,
        "sold_in": [r for r in market_rows if r.insight is not None],
    }


@require_http_methods(["GET", "HEAD", "POST"])
@seller_required
def offer_detail(request: HttpRequest, offer_id: int) -> HttpResponse:
    """Terms, stock, prices per market and the buy-box insight of one offer; each section is its own form."""
    seller = seller_of(request)
    offer = _offer_or_404(seller, offer_id)
    if request.method != "POST":
        return render(request, "web/backoffice/offers/detail.html", _offer_context(request, offer))
    action = request.POST.get("action", "")
    form: Any
    try:
        if action == "terms":
            form = OfferTermsForm(request.POST)
            if form.is_valid():
                services.check_may_change_offers(seller)
                services.update_offer_terms(seller=seller, offer_id=offer.pk, terms=form.terms(offer.variant_id))
                messages.success(request, _("Terms saved."))
                return redirect("seller:offer", offer_id=offer.pk)
            forms = {"terms": form}
        elif action == "stock":
            form = StockForm(request.POST)
            if form.is_valid():
                services.check_may_change_offers(seller)
                services.set_stock(seller=seller, offer_id=offer.pk, stock=form.cleaned_data["stock"])
                messages.success(request, _("Stock saved."))
                return redirect("seller:offer", offer_id=offer.pk)
            forms = {"stock": form}
        elif action == "prices":
            form = PricesForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                services.check_may_change_offers(seller)
                services.set_offer_prices(
                    seller=seller, offer_id=offer.pk, prices=data["prices"], remove=data["removed"]
                )
                messages.success(request, _("Prices saved."))
                return redirect("seller:offer", offer_id=offer.pk)
            forms = {"prices": form}
        else:
            return HttpResponse(_("Unknown action"), status=400)
    except DomainError as exc:  # e.g. the same condition already listed in another offer
        form.add_error(field_for(exc), exc.message)
        forms = {action: form}
    return render(request, "web/backoffice/offers/detail.html", _offer_context(request, offer, **forms))


# --- A new offer ------------------------------------------------------------------------------------------


def _search_context(request: HttpRequest) -> dict[str, Any]:
    # NUL characters dropped: no name has one, and PostgreSQL refuses them in a query
    query = request.GET.get("q", "").replace("\x00", "")[:100]
    brand = request.GET.get("brand", "").replace("\x00", "")[:80]
    category = request.GET.get("category", "").replace("\x00", "")[:80]
    searched = bool(query or brand or category)
    variants, total = listable_variants(query=query, brand=brand, category=category) if searched else ([], 0)
    return {
        "q": query,
        "brand": brand,
        "category": category,
        "searched": searched,
        "variants": variants,
        "total": total,
    }


@require_http_methods(["GET", "HEAD", "POST"])
@seller_required
def offer_new(request: HttpRequest) -> HttpResponse:
    """Step 1: search the catalogue for the variant (``?q=``, HTMX); step 2 (``?variant=``): the offer's form."""
    variant_param = request.GET.get("variant") or request.POST.get("variant")
    if not variant_param:
        context = _search_context(request)
        if is_htmx(request):
            return render(request, "web/backoffice/offers/_variant_results.html", context)
        brands, categories = listing_choices()
        return render(
            request, "web/backoffice/offers/new_search.html", {**context, "brands": brands, "categories": categories}
        )
    try:
        variant = listable_variant(variant_id=int(variant_param))
    except (ValueError, ProductNotFound) as exc:
        raise Http404(_("No such variant")) from exc
    if request.method != "POST":
        form = NewOfferForm(initial={"grade": "good", "warranty_months": 12, "dispatch_days": 1, "stock": 1})
        return render(request, "web/backoffice/offers/new_form.html", {"variant": variant, "form": form})
    form = NewOfferForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.check_may_change_offers(seller_of(request))
            offer = services.create_offer(
                seller=seller_of(request),
                sku=data["sku"],
                terms=form.terms(variant.pk),
                stock=data["stock"],
                prices=data["prices"],
            )
        except DomainError as exc:
            form.add_error(field_for(exc), exc.message)
        else:
            messages.success(request, _("Offer %(sku)s listed.") % {"sku": offer.sku})
            return redirect("seller:offer", offer_id=offer.pk)
    return render(request, "web/backoffice/offers/new_form.html", {"variant": variant, "form": form})
