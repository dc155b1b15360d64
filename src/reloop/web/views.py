"""Storefront pages. Views parse the request, call selectors and render: no business rules here."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from reloop.catalog import selectors as catalog
from reloop.catalog.domain import variant_axes
from reloop.catalog.errors import CategoryNotFound, ProductNotFound
from reloop.catalog.grading import BASELINE_PROMISES, GRADE_DEFINITIONS, GRADE_ORDER
from reloop.impact import selectors as impact
from reloop.markets.data import MARKET_CODES
from reloop.markets.middleware import COOKIE_AGE
from reloop.markets.registry import UnknownMarket, get_market
from reloop.pricing import selectors as pricing
from reloop.pricing.domain import savings
from reloop.web.forms import BrowseForm

PER_PAGE = 24


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """A trivial view on the full middleware stack: liveness checks and the benchmark floor."""
    return HttpResponse(b"ok", content_type="text/plain")


@require_safe
def switch_market(request: HttpRequest, code: str) -> HttpResponse:
    """The switcher's links: the page the buyer was on (``next``), in market ``code``.

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
    if target == next_path:  # not a storefront page (or not translatable): the market's home
        with translation.override(market.code):
            target = reverse("web:home")
    response = HttpResponseRedirect(target)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, market.code, max_age=COOKIE_AGE, samesite="Lax", httponly=True)
    return response


@require_safe
def choose_market(request: HttpRequest) -> HttpResponse:
    """``/`` → the buyer's market: their cookie, else their browser's language, else the default market."""
    code = translation.get_language_from_request(request, check_path=False)
    with translation.override(code):
        return HttpResponseRedirect(reverse("web:home"))


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    categories = catalog.category_tree()
    return render(
        request,
        "web/home.html",
        {
            "top_categories": catalog.top_categories(categories),
            "featured": pricing.featured_models(market=request.market.code),  # type: ignore[attr-defined]
            "promises": BASELINE_PROMISES,
            "grades": [(g, GRADE_DEFINITIONS[g]) for g in GRADE_ORDER],
        },
    )


def _browse(request: HttpRequest, *, template: str, category_ids: list[int] | None, extra: dict) -> HttpResponse:
    form = BrowseForm(request.GET)
    form.is_valid()  # invalid values are dropped: a bad filter in a shared link still shows the page
    filters = catalog.ModelFilters(
        category_ids=category_ids,
        brands=form.cleaned_data.get("brand") or (),
        storage_gb=form.cleaned_data.get("storage") or (),
        query=form.cleaned_data.get("q") or "",
    )
    page = pricing.browse_models(
        filters=filters,
        market=request.market.code,  # type: ignore[attr-defined]
        grade=form.cleaned_data.get("grade") or None,
        sort=form.cleaned_data.get("sort") or "recent",
        page=form.cleaned_data.get("page") or 1,
        per_page=PER_PAGE,
    )
    context = {
        "page": page,
        # evaluated only when the cached filters fragment is cold
        "facets": SimpleLazyObject(lambda: catalog.model_facets(filters=filters)),
        "filters_key": request.GET.urlencode(),
        "form": form,
        "filters": filters,
        **extra,
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "browse":
        return render(request, "web/_browse.html", context)  # filters and results: facet counts follow
    return render(request, template, context)


@require_safe
def category(request: HttpRequest, slug: str) -> HttpResponse:
    categories = catalog.category_tree()
    try:
        current = catalog.get_category(slug, categories)
    except CategoryNotFound as exc:
        raise Http404(str(exc)) from exc
    ids = catalog.descendant_ids(current, categories)
    return _browse(
        request,
        template="web/category.html",
        category_ids=ids,
        extra={
            "category": current,
            "subcategories": [c for c in categories if c.parent_id == current.pk],
            "parent": next((c for c in categories if c.pk == current.parent_id), None),
        },
    )


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    return _browse(request, template="web/search.html", category_ids=None, extra={})


@require_safe
def product(request: HttpRequest, model_slug: str, variant_slug: str | None = None) -> HttpResponse:
    market = request.market  # type: ignore[attr-defined]
    try:
        page = catalog.product_page(model_slug=model_slug, variant_slug=variant_slug, market=market.code)
    except ProductNotFound as exc:
        raise Http404(str(exc)) from exc
    pm = page.product_model
    offers = pricing.product_offers(
        variant_id=page.variant.pk,
        market=market.code,
        grade=request.GET.get("grade"),
        battery=request.GET.get("battery"),
        parts=request.GET.get("parts"),
    )
    reference = page.reference_price
    return render(
        request,
        "web/product.html",
        {
            "product": pm,
            "variant": page.variant,
            "axes": variant_axes(page.variants, page.variant),
            "reference_price": reference,
            "offers": offers,
            "option_groups": [
                (_("Battery"), offers.battery_choices, "battery"),
                (_("Parts"), offers.parts_choices, "parts"),
            ],
            "savings": savings(price=offers.buy_box.price, reference=reference.amount)
            if offers.buy_box and reference
            else None,
            # evaluated only when the cached impact fragment is cold
            "impact": SimpleLazyObject(lambda: impact.estimate_for_model(pm)),
            "grades": [(g, GRADE_DEFINITIONS[g]) for g in GRADE_ORDER],
            "promises": BASELINE_PROMISES,
            "canonical": variant_slug is None,
        },
    )


@require_safe
def methodology(request: HttpRequest) -> HttpResponse:
    return render(request, "web/methodology.html", impact.methodology())
