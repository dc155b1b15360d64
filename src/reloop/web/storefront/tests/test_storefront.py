"""Storefront pages: what a buyer sees, in which market, and in how many queries."""

from __future__ import annotations

import pytest

from reloop.catalog.tests.factories import (
    BrandFactory,
    CategoryFactory,
    ProductModelFactory,
    ReferencePriceFactory,
    VariantFactory,
    make_models,
)
from reloop.web.tests.helpers import queries_for

pytestmark = pytest.mark.django_db


class TestCategoryPage:
    def test_query_count_is_the_same_for_1_and_10_models(self, client):
        # Given one category page with 1 model and another with 10, each with variants and prices
        one, _ = make_models(1)
        ten, _ = make_models(10, category=CategoryFactory(slug="tablets", name="Tablets"))
        # When both pages are rendered (categories, count, page, variants, two facets, navigation)
        n_one, _ = queries_for(client, f"/en-gb/c/{one.slug}/")
        n_ten, response = queries_for(client, f"/en-gb/c/{ten.slug}/")
        # Then the number of queries does not grow with the number of models
        assert n_one == n_ten
        assert response.content.count(b'class="card"') == 10

    def test_prices_are_in_the_market_currency_and_locale(self, client):
        category, _ = make_models(1)
        gb = client.get(f"/en-gb/c/{category.slug}/").content.decode()
        fr = client.get(f"/fr-fr/c/{category.slug}/").content.decode()
        assert "£628.00" in gb
        assert "728,00\u00a0€" in fr

    def test_brand_and_storage_facets_filter_and_count(self, client):
        category, _ = make_models(3, brand=BrandFactory(name="Acme", slug="acme"))
        other = ProductModelFactory(category=category, brand=BrandFactory(name="Zeta", slug="zeta"))
        VariantFactory(product_model=other, storage_gb=64, colour="Red", slug="64gb-red")

        page = client.get(f"/en-gb/c/{category.slug}/?brand=zeta")
        assert page.context["page"].paginator.count == 1
        brands = {f.value: (f.count, f.selected) for f in page.context["facets"].brands}
        assert brands == {"acme": (3, False), "zeta": (1, True)}  # a facet ignores its own selection

        page = client.get(f"/en-gb/c/{category.slug}/?storage=256")
        assert page.context["page"].paginator.count == 3
        assert {f.value: f.count for f in page.context["facets"].storage} == {"64": 1, "128": 3, "256": 3}

    def test_htmx_filter_request_returns_only_the_results(self, client):
        category, _ = make_models(2)
        response = client.get(f"/en-gb/c/{category.slug}/", headers={"HX-Request": "true", "HX-Target": "browse"})
        html = response.content.decode()
        assert html.lstrip().startswith('<div class="browse" id="browse">')
        assert 'id="results"' in html
        assert "<html" not in html

    def test_pagination_shows_24_per_page_and_next_link(self, client):
        category, _ = make_models(25)
        first = client.get(f"/en-gb/c/{category.slug}/")
        assert first.content.count(b'class="card"') == 24
        assert b'rel="next" href="?page=2"' in first.content
        second = client.get(f"/en-gb/c/{category.slug}/?page=2")
        assert second.content.count(b'class="card"') == 1

    def test_bad_filter_values_are_ignored_not_an_error(self, client):
        category, _ = make_models(2)
        response = client.get(f"/en-gb/c/{category.slug}/?storage=abc&page=-3&sort=evil&brand=%3Cscript%3E")
        assert response.status_code == 200
        assert response.context["page"].paginator.count == 2

    def test_digits_other_than_ascii_are_ignored_not_an_error(self, client):
        # "²" and full-width "１２８" pass str.isdigit() but not int(): they must not reach int()
        category, _ = make_models(2)
        response = client.get(f"/en-gb/c/{category.slug}/?storage=%C2%B2&storage=%EF%BC%91%EF%BC%92%EF%BC%98")
        assert response.status_code == 200
        assert response.context["page"].paginator.count == 2

    def test_parent_category_lists_models_of_its_subcategories(self, client):
        parent = CategoryFactory(slug="computers", name="Computers")
        child = CategoryFactory(slug="laptops", name="Laptops", parent=parent)
        make_models(2, category=child)
        response = client.get("/en-gb/c/computers/")
        assert response.context["page"].paginator.count == 2
        assert b'href="/en-gb/c/laptops/"' in response.content

    def test_unknown_category_is_404(self, client):
        assert client.get("/en-gb/c/nope/").status_code == 404


class TestProductPage:
    def _product(self, n_variants: int):
        pm = ProductModelFactory(category=CategoryFactory(slug="smartphones", name="Smartphones"))
        for i in range(n_variants):
            v = VariantFactory(product_model=pm, storage_gb=64 * (i + 1), colour="Black")
            ReferencePriceFactory(variant=v, market="en-gb", amount=40000 + i)
        return pm

    def test_query_count_is_the_same_for_1_and_10_variants(self, client):
        one, ten = self._product(1), self._product(10)
        n_one, _ = queries_for(client, f"/en-gb/p/{one.slug}/")
        n_ten, response = queries_for(client, f"/en-gb/p/{ten.slug}/")
        assert n_one == n_ten
        assert response.content.count(b'<a class="choice') == 10

    def test_shows_variant_picker_reference_price_with_source_and_specs(self, client):
        pm = self._product(2)
        variant = pm.variants.order_by("pk").last()
        html = client.get(f"/en-gb/p/{pm.slug}/{variant.slug}/").content.decode()
        assert "£400.01" in html
        assert "Source: Manufacturer launch price, 7 Sep 2022." in html
        assert 'aria-current="true">128 GB</a>' in html
        assert "Screen size" in html
        assert "6.1″" in html

    def test_variant_of_another_model_is_404(self, client):
        a, b = self._product(1), self._product(1)
        assert client.get(f"/en-gb/p/{a.slug}/{b.variants.get().slug}x/").status_code == 404

    def test_no_reference_price_in_a_market_says_so(self, client):
        pm = self._product(1)
        html = client.get(f"/en-us/p/{pm.slug}/").content.decode()
        assert "no reference price is shown" in html


class TestMarkets:
    def test_root_redirects_to_the_browser_language_market(self, client):
        assert client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9"})["Location"] == "/fr-fr/"
        assert client.get("/", headers={"Accept-Language": "de"})["Location"] == "/de-de/"
        assert client.get("/")["Location"] == "/en-gb/"

    def test_root_remembers_the_last_market_visited(self, client):
        make_models(1)
        client.get("/sv-se/")
        assert client.get("/")["Location"] == "/sv-se/"

    def test_unknown_market_prefix_is_404(self, client):
        assert client.get("/xx-yy/").status_code == 404

    def test_switcher_links_lead_to_the_same_page_in_every_market(self, client):
        category, _ = make_models(1)
        html = client.get(f"/en-gb/c/{category.slug}/?brand=x").content.decode()
        for code in ("fr-fr", "de-de", "ja-jp", "en-us", "sv-se"):
            link = f"/market/{code}/?next=/en-gb/c/{category.slug}/%3Fbrand%3Dx"
            assert f'href="{link}"' in html
            response = client.get(link)
            assert response["Location"] == f"/{code}/c/{category.slug}/?brand=x"
            assert response.cookies["reloop_market"].value == code
        assert 'lang="en-GB"' in html

    def test_switcher_translates_translated_paths_and_refuses_foreign_targets(self, client):
        assert client.get("/market/fr-fr/?next=/en-gb/search/%3Fq%3Dipad")["Location"] == "/fr-fr/recherche/?q=ipad"
        assert client.get("/market/de-de/?next=https://evil.example/")["Location"] == "/de-de/"
        assert client.get("/market/de-de/?next=//evil.example/")["Location"] == "/de-de/"
        assert client.get("/market/xx-yy/?next=/").status_code == 404

    def test_french_market_shows_the_storefront_in_french(self, client):
        make_models(1)
        html = client.get("/fr-fr/").content.decode()
        assert 'lang="fr-FR"' in html
        assert "Rechercher" in html
        assert "France · EUR" in html

    def test_healthz_is_tiny_and_outside_markets(self, client):
        response = client.get("/healthz")
        assert (response.status_code, response.content) == (200, b"ok")
