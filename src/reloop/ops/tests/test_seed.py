"""``reloop seed`` and ``reloop demo`` on the real dataset: complete, sourced, and idempotent."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from reloop.catalog.models import Category, ProductModel, ReferencePrice, Variant
from reloop.impact.models import CategoryFootprint, ImpactSource, ModelFootprint
from reloop.markets.data import MARKETS
from reloop.offers.models import Offer
from reloop.pricing.models import BuyBoxSnapshot
from reloop.pricing.services import rebuild_all_buy_boxes
from reloop.sellers.models import Seller, Standing

# The module's tests share one seeded database (below): they run on one pytest-xdist worker, one after another.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("seed")]


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The default seed, loaded once for the tests that only read it and rolled back after the last of them (each
    test still runs in a savepoint of its own inside this transaction)."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed", stdout=StringIO(), stderr=StringIO())
        yield
        transaction.set_rollback(True)


def counts():
    return {
        m.__name__: m.objects.count()
        for m in (
            Category,
            ProductModel,
            Variant,
            ReferencePrice,
            ImpactSource,
            CategoryFootprint,
            ModelFootprint,
            Seller,
            Offer,
        )
    }


def test_seed_loads_the_real_catalogue_and_running_it_twice_duplicates_nothing():
    out = StringIO()
    call_command("seed", size="small", stdout=out, stderr=out)
    first = counts()
    call_command("seed", size="small", stdout=StringIO(), stderr=StringIO())
    assert counts() == first
    assert first["ProductModel"] >= 150
    assert ProductModel.objects.values("category").distinct().count() >= 6
    assert first["ReferencePrice"] == first["Variant"] * len(MARKETS)
    assert "Footprint not loaded" not in out.getvalue()  # every manufacturer figure matched a model
    assert first["ModelFootprint"] >= 20
    assert first["Seller"] == 40
    assert Seller.objects.filter(standing=Standing.ACTIVE).count() == 38  # one pending, one suspended
    assert first["Offer"] == 4000
    assert rebuild_all_buy_boxes().differences == 0
    if connection.vendor == "postgresql":  # analysed after the bulk load: the planner knows the real sizes
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'catalog_referenceprice'")
            (estimated,) = cursor.fetchone()
        assert estimated >= first["ReferencePrice"] * 0.9


def test_seed_rejects_an_unknown_size():
    with pytest.raises(CommandError, match="invalid choice: 'huge'"):
        call_command("seed", "--size", "huge")


def test_demo_prepares_the_database_once_then_leaves_it(settings):
    out = StringIO()
    call_command("demo", no_serve=True, stdout=out)
    assert "Seeded (small)" in out.getvalue()
    before = counts()
    out = StringIO()
    call_command("demo", no_serve=True, stdout=out)
    assert "already loaded" in out.getvalue()
    assert counts() == before


def test_every_impact_figure_has_a_source_with_a_url(seeded):
    for fp in CategoryFootprint.objects.select_related(
        "new_source", "manufacturing_share_source", "refurbishing_source"
    ):
        for source in (fp.new_source, fp.manufacturing_share_source, fp.refurbishing_source):
            assert source.url.startswith("https://")
    assert not ModelFootprint.objects.filter(report="").exists()


def test_methodology_page_lists_every_figure_and_source(client, seeded):
    html = client.get("/en-gb/impact/methodology/").content.decode()
    for source in ImpactSource.objects.all():
        assert source.url in html
    for fp in ModelFootprint.objects.select_related("product_model"):
        assert fp.product_model.name in html
    assert "69.5" in html  # the smartphone category figure


def test_product_page_of_a_model_with_a_manufacturer_figure_shows_it_with_the_method_link(client, seeded):
    html = client.get("/en-gb/p/apple-iphone-13/").content.decode()
    assert "About 36.8 kg CO2e avoided" in html
    assert "Apple, iPhone 13 Product Environmental Report" in html
    assert 'href="/en-gb/impact/methodology/"' in html


def test_product_page_without_any_figure_makes_no_claim(client, seeded):
    slug = ProductModel.objects.filter(category__slug="audio").values_list("slug", flat=True).first()
    html = client.get(f"/en-gb/p/{slug}/").content.decode()
    assert "kg CO2e avoided" not in html
    assert "we make no claim" in html


def test_every_variant_has_a_buy_box_in_two_grades_in_every_market(seeded):
    variants = Variant.objects.count()
    for market in MARKETS:
        boxes = BuyBoxSnapshot.objects.filter(market=market.code)
        assert boxes.values("variant").distinct().count() == variants, market.code
        assert boxes.filter(grade__in=["good", "excellent"]).count() >= 2 * variants, market.code
        assert set(boxes.values_list("currency", flat=True)) == {market.currency}
