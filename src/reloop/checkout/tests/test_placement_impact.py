"""Checkout freezes each line's per-offer CO2e (point and range) at placement (docs/adr/0042-per-offer-co2e-ranges.md),
from the offer's parts and the seller's country, and the ledger checks, impact ones included, pass after."""

from __future__ import annotations

import pytest

from reloop.catalog.tests.factories import CategoryFactory, ProductModelFactory, VariantFactory
from reloop.checkout.services import add_to_cart, ensure_cart
from reloop.checkout.tests.test_placement import buyer, checkout_for, ledger_ok, place_order
from reloop.impact.selectors import estimate_for_offer, forget_footprints
from reloop.impact.services import load_footprints
from reloop.offers.tests.factories import make_offer
from reloop.orders.models import OrderLine
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def footprints():
    for slug in ("smartphones", "tablets", "laptops", "desktops", "consoles"):
        CategoryFactory(slug=slug, name=slug.title())
    forget_footprints()
    load_footprints()
    yield
    forget_footprints()


def test_placement_freezes_each_offers_own_figure_and_range(footprints):
    phone = VariantFactory(product_model=ProductModelFactory(category=CategoryFactory(slug="smartphones")))
    home = make_offer(seller=SellerFactory(country="GB"), variant=phone, price=30000, stock=3)
    abroad = make_offer(seller=SellerFactory(country="US"), variant=phone, price=31000, stock=3, battery="new")
    user = buyer()
    cart = ensure_cart(user=user, token=None, market="en-gb")
    add_to_cart(cart=cart, offer_id=home.pk, quantity=2)
    add_to_cart(cart=cart, offer_id=abroad.pk)
    order = place_order(checkout=checkout_for(user, cart))
    lines = {line.offer_id: line for line in OrderLine.objects.filter(seller_order__order=order)}
    for offer in (home, abroad):
        expected = estimate_for_offer(offer, "en-gb")
        line = lines[offer.pk]
        assert (line.avoided_kgco2e_low, line.avoided_kgco2e, line.avoided_kgco2e_high) == (
            expected.low, expected.point, expected.high,
        )  # fmt: skip
    assert lines[abroad.pk].avoided_kgco2e < lines[home.pk].avoided_kgco2e  # new battery, flown in
    report = ledger_ok()
    assert "OK      platform, buyer and seller avoided-CO2e totals" in report
    assert "FAILED" not in report
