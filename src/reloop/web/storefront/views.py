"""Storefront pages. Views parse the request, call selectors and render: no business rules here."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from reloop.catalog import selectors as catalog
from reloop.catalog.domain import variant_axes
from reloop.catalog.errors import CategoryNotFound, ProductNotFound
from reloop.catalog.grading import BASELINE_PROMISES, GRADE_DEFINITIONS, GRADE_ORDER, grade_definitions
from reloop.catalog.models import Category
from reloop.checkout.selectors import instalment_plans
from reloop.core import clock
from reloop.core.money import Money
from reloop.impact import selectors as impact
from reloop.markets.registry import enabled_markets
from reloop.markets.tax import charges_sales_tax
from reloop.pricing import selectors as pricing
from reloop.pricing.new_price import CURRENT_FOR_DAYS, compare_with_new, successor
from reloop.reviews import selectors as reviews
from reloop.search import browse as search_browse
from reloop.search import selectors as search_selectors
from reloop.search.browse import BrowseFilters
from reloop.search.domain import without_storage
from reloop.search.selectors import SearchResult
from reloop.web import page_cache
from reloop.web.storefront.forms import BrowseForm, ProductChoiceForm
from reloop.web.templatetags.allin_tags import buyer_state

PER_PAGE = 24


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    categories = catalog.category_tree()
    return render(
        request,
        "web/storefront/home.html",
        {
            "top_categories": catalog.top_categories(categories),
            "featured": pricing.featured_models(market=request.market.code),  # type: ignore[attr-defined]
            "promises": BASELINE_PROMISES,
            "grades": [(g, GRADE_DEFINITIONS[g]) for g in GRADE_ORDER],
        },
    )


def _browse(
    request: HttpRequest,
    *,
    template: str,
    categories: list[Category],
    scope: Category | None,
    extra: dict[str, Any],
    found: SearchResult | None = None,
) -> HttpResponse:
    """A category or search page. The filters and results are one fragment, cached under the versions of the
    categories it lists, so a price change anywhere in them shows on the next view (docs/adr/0008-page-cache.md).
    Facets and card prices: docs/search.md.
    """
    market = request.market  # type: ignore[attr-defined]
    form = BrowseForm(request.GET)
    form.is_valid()  # invalid values are dropped: a bad filter in a shared link still shows the page
    cleaned = form.cleaned_data
    ids = catalog.descendant_ids(scope, categories) if scope else [c.pk for c in categories]
    filters = BrowseFilters(
        category_ids=ids if scope else None,
        model_ids=found.model_ids if found is not None else None,
        brands=cleaned.get("brand") or (),
        storage_gb=cleaned.get("storage") or (),
        colours=cleaned.get("colour") or (),
        layouts=cleaned.get("layout") or (),
        years=cleaned.get("year") or (),
        network_5g=cleaned.get("network") == "5g",
        grade=cleaned.get("grade") or "",
        band=cleaned.get("price") or "",
        battery=cleaned.get("battery") or "",
        query=cleaned.get("q") or "",
        updates_until=cleaned.get("updates"),
    )
    query = form.normalized_query()
    versions = ".".join(str(c.cache_version) for c in categories if c.pk in set(ids))
    us_state = buyer_state(request) if charges_sales_tax(market) else ""  # US cards are priced to the buyer's state
    key = page_cache.key("browse", market.code, scope.pk if scope else "all", versions, query.urlencode(), us_state)

    def render_browse() -> str:
        # each listed model's security-update horizon, read only when the page is rendered (one query)
        filters_now = replace(filters, support_years=search_browse.support_years(filters.category_ids))
        page = search_browse.browse(
            filters=filters_now,
            market=market,
            sort=cleaned.get("sort") or "recent",
            page=cleaned.get("page") or 1,
            per_page=PER_PAGE,
        )
        context = {
            "page": page,
            "facets": search_browse.facets(filters=filters_now, market=market),
            "form": form,
            "filters": filters,
            "found": found,
            "card_query": {"grade": filters.grade} if filters.grade else {},
            "us_state": us_state,
        }
        return render_to_string(
            "web/storefront/_browse.html", {**context, "page_query": query, **extra}, request=request
        )

    browse = page_cache.get_or_render(key, render_browse)
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "browse":
        return HttpResponse(browse)  # filters and results: facet counts follow
    body = mark_safe(browse)  # noqa: S308  # our own template's output, escaped when rendered
    canonical = request.path if scope else ""  # filters, sort and pages are not other pages
    hreflang = _category_alternates(scope.slug) if scope else []
    context = {"browse": body, "filters": filters, "canonical_url": canonical, "hreflang": hreflang, **extra}
    return render(request, template, context)


def _category_alternates(slug: str) -> list[tuple[str, str]]:
    """The category page in every open market, for ``hreflang`` links."""
    found = []
    for m in enabled_markets():
        with translation.override(m.code):
            found.append((f"{m.language}-{m.country}", reverse("web:category", args=[slug])))
    return found


@require_safe
def category(request: HttpRequest, slug: str) -> HttpResponse:
    categories = catalog.category_tree()
    try:
        current = catalog.get_category(slug, categories)
    except CategoryNotFound as exc:
        raise Http404(str(exc)) from exc
    return _browse(
        request,
        template="web/storefront/category.html",
        categories=categories,
        scope=current,
        extra={
            "category": current,
            "subcategories": [c for c in categories if c.parent_id == current.pk],
            "parent": next((c for c in categories if c.pk == current.parent_id), None),
        },
    )


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    """Search: the engine's hits (search.selectors.search) listed and faceted like a category. A storage size
    typed in the query ("iphone 13 256") becomes the storage filter, in the URL, so it can be unticked."""
    market = request.market  # type: ignore[attr-defined]
    raw = request.GET.get("q", "")[:100].replace("\x00", "")
    if not raw.strip():
        return _browse(
            request, template="web/storefront/search.html", categories=catalog.category_tree(), scope=None, extra={}
        )
    found = search_selectors.search(query=raw, market=market.code)
    if found.storage_gb and not request.GET.getlist("storage"):
        query = request.GET.copy()
        query["q"] = without_storage(raw) or raw
        query.setlist("storage", [str(gb) for gb in found.storage_gb])
        return HttpResponseRedirect(f"{request.path}?{query.urlencode()}")
    return _browse(
        request,
        template="web/storefront/search.html",
        categories=catalog.category_tree(),
        scope=None,
        extra={"found": found},
        found=found,
    )


@require_safe
def product(request: HttpRequest, model_slug: str, variant_slug: str | None = None) -> HttpResponse:
    """A product page. Its body is cached under the variant's version, which every offer, price, stock or buy-box
    change bumps after commit: a change shows on the next view, in every process (docs/adr/0008-page-cache.md).
    """
    market = request.market  # type: ignore[attr-defined]
    try:
        ref = catalog.variant_ref(model_slug=model_slug, variant_slug=variant_slug)
    except ProductNotFound as exc:
        raise Http404(str(exc)) from exc
    choice = ProductChoiceForm.from_query(request.GET)
    # US prices are all-in for the buyer's state (issue 16 item 5): one cached body per state
    us_state = buyer_state(request) if charges_sales_tax(market) else ""
    key = page_cache.key(
        "product", market.code, ref.variant_id, ref.cache_version, choice.grade, choice.battery, choice.parts, us_state
    )

    def render_product() -> dict[str, str]:
        page = catalog.product_page(model_slug=model_slug, variant_slug=ref.variant_slug, market=market.code)
        pm = page.product_model
        offers = pricing.product_offers(
            variant_id=page.variant.pk,
            market=market.code,
            grade=choice.grade or None,
            battery=choice.battery or None,
            parts=choice.parts or None,
        )
        reference = page.reference_price
        definitions = grade_definitions(pm.category.slug)
        context = {
            "product": pm,
            "variant": page.variant,
            "axes": variant_axes(page.variants, page.variant),
            "reference_price": reference,
            "offers": offers,
            "option_groups": [
                (_("Battery"), offers.battery_choices, "battery"),
                (_("Parts"), offers.parts_choices, "parts"),
            ],
            # "x% below new" only against a price new today; an old launch price is stated as such (item 5)
            "new_comparison": compare_with_new(
                price=offers.buy_box.price,
                reference=reference.amount,
                observed_on=reference.observed_on,
                today=clock.today(),
            )
            if offers.buy_box and reference
            else None,
            # named only under a buy box whose reference is an old launch price
            "successor": successor(pm, market=market.code)
            if offers.buy_box and reference and not (clock.today() - reference.observed_on).days <= CURRENT_FOR_DAYS
            else None,
            "us_state": us_state,
            # "or 3 × 101.33 €": the payment provider's instalment plans for the buy-box price (checkout.selectors)
            "instalment_plans": instalment_plans(amount=Money(offers.buy_box.price, offers.buy_box.currency))
            if offers.buy_box
            else [],
            "impact": impact.estimate_for_model(pm),
            # "Excellent is cheaper right now": a better grade for no more money (issue 16 item 6), from the
            # snapshots product_offers read for the grade picker
            "better_deal": offers.better_deal,
            "ratings": reviews.product_ratings(product_model_id=pm.pk),  # summary + latest: two queries
            "grades": [(g, definitions[g]) for g in GRADE_ORDER],  # games are graded on disc, case, manual
            "promises": BASELINE_PROMISES,
            "page_query": choice.query(),
        }
        return {
            "title": _("%(title)s %(label)s, refurbished") % {"title": pm.display_title, "label": page.variant.label},
            "body": render_to_string("web/storefront/_product.html", context, request=request),
            "canonical": reverse("web:product", args=[pm.slug, page.variant.slug]),
        }

    cached = page_cache.get_or_render(key, render_product)
    return render(
        request,
        "web/storefront/product.html",
        {
            "page_title": cached["title"],
            # the cached body is the same for everyone; the form's CSRF token is this visitor's
            "body": mark_safe(cached["body"].replace("__CSRF_TOKEN__", get_token(request))),  # noqa: S308
            "canonical_url": cached["canonical"] if variant_slug is None else "",
        },
    )


@require_safe
def methodology(request: HttpRequest) -> HttpResponse:
    return render(request, "web/storefront/methodology.html", impact.methodology())
