"""Search and filtered category pages: truthful card prices, constant queries, autocomplete, synonyms."""

from __future__ import annotations

import re

import pytest
from django.db import transaction
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reloop.accounts.tests.factories import UserFactory
from reloop.catalog.grading import BatteryTier, Grade
from reloop.catalog.tests.factories import BrandFactory, CategoryFactory, ProductModelFactory, VariantFactory
from reloop.core.errors import InvalidInput
from reloop.markets.registry import get_market
from reloop.offers.tests.factories import make_offer
from reloop.pricing.eligibility import eligible_prices
from reloop.pricing.services import refresh_buy_boxes
from reloop.search import browse
from reloop.search.services import delete_synonym, index_models, save_synonym
from reloop.sellers.tests.factories import SellerFactory
from reloop.web.cards import card_url
from reloop.web.tests.helpers import queries_for

pytestmark = pytest.mark.django_db

GRADES = [g.value for g in Grade]


def _phones(n: int, *, name: str = "Phone", category=None):
    category = category or CategoryFactory(slug="smartphones", name="Smartphones", names={"fr": "Smartphones"})
    brand = BrandFactory(name="Acme", slug="acme")
    models = []
    for i in range(n):
        pm = ProductModelFactory(category=category, brand=brand, name=f"{name} {i + 1}", slug=f"acme-{name}-{i + 1}")
        for storage in (128, 256):
            for colour in ("Black", "Blue"):
                VariantFactory(
                    product_model=pm, storage_gb=storage, colour=colour, slug=f"{storage}gb-{colour.lower()}"
                )
        models.append(pm)
    return category, models


def _offer(seller, variant, grade, price):
    battery = BatteryTier.HIGH if grade == Grade.PREMIUM else BatteryTier.STANDARD  # premium needs ≥ 90%
    return make_offer(seller=seller, variant=variant, grade=grade, price=price, battery=battery)


class TestCardPrices:
    @settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        offers=st.lists(
            st.tuples(st.integers(0, 3), st.sampled_from(GRADES), st.integers(5000, 90000)), min_size=1, max_size=8
        ),
        storage=st.sets(st.sampled_from([128, 256])),
        colours=st.sets(st.sampled_from(["Black", "Blue"])),
        grade=st.sampled_from(["", *GRADES]),
    )
    def test_card_price_is_the_lowest_matching_offer_and_links_to_it(self, offers, storage, colours, grade):
        with transaction.atomic(), translation.override("en-gb"):
            # Given one model with four variants and random offers from sellers in good standing (no penalty)
            _, (pm,) = _phones(1)
            variants = list(pm.variants.order_by("pk"))
            for index, g, price in offers:  # one seller per offer: a seller lists a variant × grade once
                _offer(SellerFactory(quality_score=100), variants[index], g, price)
            refresh_buy_boxes(variant_ids=[v.pk for v in variants])
            filters = browse.BrowseFilters(storage_gb=tuple(storage), colours=tuple(colours), grade=grade)
            # When the listing is read with random filters
            page = browse.browse(filters=filters, market=get_market("en-gb"))
            # Then the card shows the lowest price among the offers matching every filter, and links to it
            matching = [
                p
                for p in eligible_prices("en-gb")
                .filter(offer__variant__product_model=pm)
                .select_related("offer__variant")
                if (not storage or p.offer.variant.storage_gb in storage)
                and (not colours or p.offer.variant.colour in colours)
                and (not grade or p.offer.grade == grade)
            ]
            cards = list(page.object_list)
            if not matching:
                assert all(c.price_from is None for c in cards)
            else:
                (card,) = cards
                lowest = min(p.amount for p in matching)
                assert card.price_from == lowest
                cheapest = {(p.offer.variant.slug, p.offer.grade) for p in matching if p.amount == lowest}
                assert (card.best_variant, card.best_grade) in cheapest
                assert card_url(card) == f"/en-gb/p/{pm.slug}/{card.best_variant}/?grade={card.best_grade}"
            transaction.set_rollback(True)

    def test_a_storage_filter_shows_that_storage_price_not_another_variants(self, client):
        # Given a model whose cheapest offer is 128 GB at £120 and whose 256 GB offer is £177
        category, (pm,) = _phones(1)
        seller = SellerFactory(quality_score=100)
        v128 = pm.variants.get(slug="128gb-black")
        v256 = pm.variants.get(slug="256gb-black")
        _offer(seller, v128, Grade.GOOD, 12000)
        _offer(seller, v256, Grade.GOOD, 17700)
        refresh_buy_boxes(variant_ids=[v128.pk, v256.pk])
        # When the buyer filters on 256 GB
        html = client.get(f"/en-gb/c/{category.slug}/?storage=256").content.decode()
        # Then the card says £177 and links to the 256 GB page in that grade
        assert "£177.00" in html
        assert "£120.00" not in html
        assert f'href="/en-gb/p/{pm.slug}/256gb-black/?grade=good"' in html


class TestQueryCounts:
    def _offers(self, models):
        seller = SellerFactory(quality_score=100)
        ids = []
        for pm in models:
            for v in pm.variants.all():
                _offer(seller, v, Grade.GOOD, 20000 + v.pk)
                ids.append(v.pk)
        refresh_buy_boxes(variant_ids=ids)

    def test_filtered_category_page_is_constant(self, client):
        one, models_one = _phones(1)
        ten, models_ten = _phones(10, name="Tab", category=CategoryFactory(slug="tablets", name="Tablets"))
        self._offers(models_one + models_ten)
        query = "?storage=256&colour=Blue&grade=good&price=200-400&sort=price"
        n_one, _ = queries_for(client, f"/en-gb/c/{one.slug}/{query}")
        n_ten, response = queries_for(client, f"/en-gb/c/{ten.slug}/{query}")
        assert n_one == n_ten
        assert response.content.decode().count('class="card"') == 10

    def test_search_page_is_constant(self, client):
        _, models_one = _phones(1, name="Solo")
        _, models_ten = _phones(10, name="Multi", category=CategoryFactory(slug="tablets", name="Tablets"))
        self._offers(models_one + models_ten)
        index_models()
        n_one, one = queries_for(client, "/en-gb/search/?q=solo&grade=good")
        n_ten, ten = queries_for(client, "/en-gb/search/?q=multi&grade=good")
        assert one.content.decode().count('class="card"') == 1
        assert ten.content.decode().count('class="card"') == 10
        assert n_one == n_ten


class TestSearchPage:
    def test_typo_and_storage_in_the_query(self, client):
        # Given a phone indexed for search
        _, (pm,) = _phones(1, name="Zephyr")
        index_models()
        # When the buyer types a typo and a storage size
        response = client.get("/en-gb/search/?q=zephir+1+256")
        # Then the storage becomes a filter in the URL (shareable, can be unticked)
        assert response.status_code == 302
        assert response["Location"] == "/en-gb/search/?q=zephir+1&storage=256"
        html = client.get(response["Location"]).content.decode()
        assert "Showing results for “zephyr 1”" in html
        assert f"/en-gb/p/{pm.slug}/" in html
        assert 'id="storage-256" name="storage" value="256" checked' in html

    def test_nothing_found_says_so(self, client):
        _phones(1)
        index_models()
        html = client.get("/en-gb/search/?q=qqqqqq").content.decode()
        assert "Nothing in the catalogue matches “qqqqqq”" in html

    def test_filters_work_without_javascript_and_facets_count_models(self, client):
        category, models = _phones(3)
        seller = SellerFactory(quality_score=100)
        _offer(seller, models[0].variants.get(slug="256gb-blue"), Grade.EXCELLENT, 30000)
        refresh_buy_boxes(variant_ids=[models[0].variants.get(slug="256gb-blue").pk])
        html = client.get(f"/en-gb/c/{category.slug}/?grade=excellent").content.decode()
        assert re.search(r'id="grade-excellent"[^>]*checked[^>]*> Excellent <span class="muted">\(1\)', html)
        assert html.count('class="card"') == 1
        assert "<noscript><button" in html


class TestAutocomplete:
    def test_suggestions_are_options_pointing_at_the_typed_storage(self, client):
        _, (pm,) = _phones(1, name="Zephyr")
        index_models()
        html = client.get("/en-gb/search-suggest/", {"q": "zeph 1 256"}).content.decode()
        assert 'role="option"' in html
        assert f'href="/en-gb/p/{pm.slug}/256gb-black/"' in html

    def test_short_input_suggests_nothing(self, client):
        assert client.get("/en-gb/search-suggest/", {"q": "z"}).content.decode().strip() == ""


class TestSynonyms:
    def test_an_operator_synonym_changes_what_a_word_finds(self, client, django_capture_on_commit_callbacks):
        _, (pm,) = _phones(1, name="Zephyr")
        index_models()
        staff = UserFactory(is_staff=True)
        assert f"/en-gb/p/{pm.slug}/" not in client.get("/en-gb/search/?q=breeze").content.decode()
        with django_capture_on_commit_callbacks(execute=True):  # cached search pages are bumped on commit
            synonym = save_synonym(actor=staff, term="Brééze", expansion="zephyr")
        assert synonym.term == "breeze"
        assert f"/en-gb/p/{pm.slug}/" in client.get("/en-gb/search/?q=breeze").content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            delete_synonym(actor=staff, synonym_id=synonym.pk)
        assert f"/en-gb/p/{pm.slug}/" not in client.get("/en-gb/search/?q=breeze").content.decode()

    def test_an_empty_synonym_is_refused(self):
        with pytest.raises(InvalidInput):
            save_synonym(actor=UserFactory(is_staff=True), term="!!", expansion="zephyr")


class TestCardPictures:
    def test_card_shows_a_responsive_lazy_picture_labelled_as_illustration(self, client, settings, tmp_path):
        from reloop.catalog.illustrations import draw
        from reloop.catalog.services import add_product_image

        settings.MEDIA_ROOT = tmp_path
        category, (pm,) = _phones(1)
        add_product_image(
            actor=None,
            product_model_id=pm.pk,
            data=draw("smartphones", "Blue"),
            alt="Acme Phone 1, Blue (illustration)",
            colour="Blue",
            is_illustration=True,
        )
        html = client.get(f"/en-gb/c/{category.slug}/").content.decode()
        assert '<source type="image/webp" srcset="/media/catalogue/' in html
        assert 'loading="lazy"' in html
        assert 'width="320" height="320"' in html
        assert 'alt="Acme Phone 1, Blue (illustration)"' in html
        assert '<span class="illustration-label">Illustration</span>' in html

    def test_without_a_picture_the_card_shows_a_labelled_drawing_in_the_models_colour(self, client):
        category, (pm,) = _phones(1)
        html = client.get(f"/en-gb/c/{category.slug}/?colour=Blue").content.decode()
        assert '<svg class="illustration"' in html
        assert f'aria-label="{pm.name}, Black"' in html or f'aria-label="{pm.name}, Blue"' in html
        assert '<span class="illustration-label">Illustration</span>' in html
