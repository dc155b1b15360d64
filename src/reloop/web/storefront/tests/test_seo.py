"""robots.txt, sitemaps (index + per market and category, with hreflang), canonical URLs of listings."""

from __future__ import annotations

import xml.etree.ElementTree as ET  # parsing our own output

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reloop.catalog.models import ProductModel
from reloop.catalog.tests.factories import CategoryFactory, make_models
from reloop.markets.registry import enabled_markets

pytestmark = pytest.mark.django_db
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


def test_robots_points_at_the_sitemap_and_keeps_private_pages_out(client):
    text = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in text
    for private in ("/admin/", "/seller/", "/operator/", "/fr-fr/compte/"):
        assert f"Disallow: {private}\n" in text


def test_sitemap_index_lists_one_file_per_market_and_top_category(client):
    CategoryFactory(slug="smartphones", name="Smartphones")
    CategoryFactory(slug="tablets", name="Tablets")
    root = ET.fromstring(client.get("/sitemap.xml").content)  # noqa: S314  # our own output
    locs = [e.text for e in root.findall("s:sitemap/s:loc", NS)]
    assert len(locs) == 2 * len(enabled_markets())
    assert "http://testserver/sitemaps/fr-fr/tablets.xml" in locs


def test_category_sitemap_lists_pages_with_hreflang_in_constant_queries(client):
    category, _ = make_models(1)
    first = ProductModel.objects.get()
    with CaptureQueriesContext(connection) as one:
        client.get(f"/sitemaps/fr-fr/{category.slug}.xml")
    make_models(9, category=category)
    with CaptureQueriesContext(connection) as ten:
        response = client.get(f"/sitemaps/fr-fr/{category.slug}.xml")
    assert len(one) == len(ten)
    root = ET.fromstring(response.content)  # noqa: S314  # our own output
    urls = root.findall("s:url", NS)
    assert len(urls) == 1 + 10  # the category and its models
    product = next(u for u in urls if first.slug in u.find("s:loc", NS).text)
    assert product.find("s:loc", NS).text == f"http://testserver/fr-fr/p/{first.slug}/"
    alternates = {a.get("hreflang"): a.get("href") for a in product.findall("x:link", NS)}
    assert len(alternates) == len(enabled_markets())
    assert alternates["de-DE"] == f"http://testserver/de-de/p/{first.slug}/"


def test_unknown_market_or_category_sitemap_is_404(client):
    CategoryFactory(slug="tablets", name="Tablets")
    assert client.get("/sitemaps/xx-xx/tablets.xml").status_code == 404
    assert client.get("/sitemaps/fr-fr/nothing.xml").status_code == 404


def test_filtered_category_canonical_is_the_bare_category_and_search_is_noindex(client):
    category, _ = make_models(1)
    html = client.get(f"/fr-fr/c/{category.slug}/?storage=256&sort=price&page=1").content.decode()
    assert f'<link rel="canonical" href="http://testserver/fr-fr/c/{category.slug}/">' in html
    assert f'hreflang="en-GB" href="http://testserver/en-gb/c/{category.slug}/"' in html
    assert '<meta name="robots" content="noindex, follow">' in client.get("/fr-fr/recherche/?q=x").content.decode()
