"""robots.txt and the sitemaps: an index of one small file per market and top-level category.

Each file lists the category's pages and its models' pages in that market, each with its ``hreflang`` alternates
in every open market (docs/search.md). Filtered, sorted and paged listings are never listed (their canonical URL
is the bare category page).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.views.decorators.http import require_safe

from reloop.catalog import selectors as catalog
from reloop.catalog.errors import CategoryNotFound
from reloop.catalog.models import ProductModel
from reloop.markets.registry import enabled_markets

PRIVATE_PATHS = ("/admin/", "/api/", "/operator/", "/seller/", "/market/", "/payments/", "/_provider/")


def _base(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


@require_safe
def robots(request: HttpRequest) -> HttpResponse:
    lines = ["User-agent: *", *(f"Disallow: {p}" for p in PRIVATE_PATHS)]
    for market in enabled_markets():
        with translation.override(market.code):
            lines += [f"Disallow: {reverse('web:account')}", f"Disallow: {reverse('web:cart')}"]
            lines.append(f"Disallow: {reverse('web:search')}")  # result pages are not landing pages
    lines.append(f"Sitemap: {_base(request)}{reverse('sitemap_index')}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


@require_safe
def sitemap_index(request: HttpRequest) -> HttpResponse:
    """One entry per open market and top-level category (two queries: categories)."""
    tops = catalog.top_categories(catalog.category_tree())
    urls = [
        f"{_base(request)}{reverse('sitemap_section', args=[m.code, c.slug])}" for m in enabled_markets() for c in tops
    ]
    body = render_to_string("web/storefront/seo/sitemap_index.xml", {"urls": urls})
    return HttpResponse(body, content_type="application/xml; charset=utf-8")


def _alternates(base: str, name: str, args: list[str]) -> list[tuple[str, str]]:
    found = []
    for market in enabled_markets():
        with translation.override(market.code):
            found.append((f"{market.language}-{market.country}", f"{base}{reverse(name, args=args)}"))
    return found


@require_safe
def sitemap_section(request: HttpRequest, market: str, slug: str) -> HttpResponse:
    """A market's pages for one top-level category and its children: two queries whatever the number of models."""
    if market not in {m.code for m in enabled_markets()}:
        raise Http404(market)
    categories = catalog.category_tree()
    try:
        top = catalog.get_category(slug, categories)
    except CategoryNotFound as exc:
        raise Http404(str(exc)) from exc
    ids = catalog.descendant_ids(top, categories)
    base = _base(request)
    entries = [_entry(base, market, "web:category", [c.slug]) for c in categories if c.pk in ids]
    models = ProductModel.objects.filter(category_id__in=ids).order_by("pk").values_list("slug", flat=True)
    entries += [_entry(base, market, "web:product_default", [model_slug]) for model_slug in models]
    body = render_to_string("web/storefront/seo/sitemap.xml", {"entries": entries})
    return HttpResponse(body, content_type="application/xml; charset=utf-8")


def _entry(base: str, market: str, name: str, args: list[str]) -> dict[str, object]:
    with translation.override(market):
        loc = f"{base}{reverse(name, args=args)}"
    return {"loc": loc, "alternates": _alternates(base, name, args)}
