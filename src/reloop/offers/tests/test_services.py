"""Offer services: every bad input refused with a clear error and nothing written; stock never below zero."""

from __future__ import annotations

import pytest

from reloop.catalog.grading import BatteryTier, Grade, PartsProvenance
from reloop.catalog.tests.factories import VariantFactory
from reloop.core.money import Money
from reloop.offers.errors import DuplicateOffer, DuplicateSku, InsufficientStock, InvalidOffer, OfferNotFound
from reloop.offers.models import Offer, OfferPrice
from reloop.offers.services import (
    OfferTerms,
    adjust_stock,
    create_offer,
    set_offer_active,
    set_offer_prices,
    set_stock,
    update_offer_terms,
)
from reloop.offers.tests.factories import make_offer
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def seller():
    return SellerFactory()


@pytest.fixture
def variant():
    return VariantFactory()


def terms(variant, **changes):
    base = {"variant_id": variant.pk, "grade": Grade.GOOD}
    return OfferTerms(**{**base, **changes})


@pytest.mark.parametrize(
    ("changes", "code", "message"),
    [
        ({"grade": "mint"}, "invalid_grade", "Unknown grade 'mint'"),
        ({"battery_tier": "ok"}, "invalid_battery_tier", "Unknown battery tier"),
        ({"parts_provenance": "alien"}, "invalid_parts_provenance", "Unknown parts provenance"),
        ({"warranty_months": 6}, "invalid_warranty", "between 12 and 60 months"),
        ({"dispatch_days": 31}, "invalid_dispatch_days", "between 0 and 30"),
        ({"vat_scheme": "none"}, "invalid_vat_scheme", "margin or standard"),
        ({"parts_provenance": PartsProvenance.COMPATIBLE}, "invalid_replaced_parts", "List the parts"),
        ({"replaced_parts": ("screen",)}, "invalid_replaced_parts", "cannot list replaced parts"),
        ({"grade": Grade.PREMIUM}, "invalid_grade", "Premium requires"),
    ],
)
def test_invalid_terms_are_refused_and_nothing_is_written(seller, variant, changes, code, message):
    with pytest.raises(InvalidOffer, match=message) as exc:
        create_offer(seller=seller, sku="A-1", terms=terms(variant, **changes), stock=1, prices={})
    assert exc.value.code == code
    assert not Offer.objects.exists()


@pytest.mark.parametrize(
    ("prices", "code"),
    [
        ({"xx-xx": Money(100, "EUR")}, "unknown_market"),
        ({"fr-fr": Money(100, "GBP")}, "wrong_currency"),
        ({"fr-fr": Money(0, "EUR")}, "invalid_price"),
        ({"fr-fr": Money(100_000_01, "EUR")}, "invalid_price"),
    ],
)
def test_invalid_prices_are_refused(seller, variant, prices, code):
    with pytest.raises(InvalidOffer) as exc:
        create_offer(seller=seller, sku="A-1", terms=terms(variant), stock=1, prices=prices)
    assert exc.value.code == code
    assert not Offer.objects.exists()


def test_bad_sku_stock_and_unknown_variant_are_refused(seller, variant):
    with pytest.raises(InvalidOffer, match="SKU must be"):
        create_offer(seller=seller, sku="has space", terms=terms(variant), stock=1, prices={})
    with pytest.raises(InvalidOffer, match="Stock must be between 0"):
        create_offer(seller=seller, sku="A-1", terms=terms(variant), stock=-1, prices={})
    with pytest.raises(InvalidOffer, match="Unknown variant"):
        create_offer(seller=seller, sku="A-1", terms=OfferTerms(variant_id=0, grade=Grade.GOOD), stock=1, prices={})


def test_sku_is_unique_per_seller_case_insensitively_but_not_across_sellers(seller, variant):
    make_offer(seller=seller, variant=variant)
    sku = Offer.objects.get().sku
    with pytest.raises(DuplicateSku):
        create_offer(seller=seller, sku=sku.lower(), terms=terms(variant, grade=Grade.FAIR), stock=1, prices={})
    other = SellerFactory()
    create_offer(seller=other, sku=sku, terms=terms(variant), stock=1, prices={})
    assert Offer.objects.filter(sku=sku).count() == 2


def test_the_same_condition_cannot_be_listed_twice_by_one_seller(seller, variant):
    make_offer(seller=seller, variant=variant)
    with pytest.raises(DuplicateOffer):
        create_offer(seller=seller, sku="OTHER", terms=terms(variant), stock=1, prices={})


def test_adjust_stock_is_conditional_and_never_goes_below_zero(seller, variant):
    offer = make_offer(seller=seller, variant=variant, stock=2)
    assert adjust_stock(offer_id=offer.pk, delta=-2) == 0
    with pytest.raises(InsufficientStock):
        adjust_stock(offer_id=offer.pk, delta=-1)
    offer.refresh_from_db()
    assert offer.stock == 0
    assert adjust_stock(offer_id=offer.pk, delta=3) == 3


def test_set_stock_absolute_and_bounds(seller, variant):
    offer = make_offer(seller=seller, variant=variant)
    assert set_stock(seller=seller, offer_id=offer.pk, stock=40) == 40
    with pytest.raises(InvalidOffer, match="Stock must be between"):
        set_stock(seller=seller, offer_id=offer.pk, stock=-5)
    offer.refresh_from_db()
    assert offer.stock == 40


def test_one_seller_cannot_touch_another_sellers_offer(seller, variant):
    offer = make_offer(seller=seller, variant=variant)
    intruder = SellerFactory()
    for call in (
        lambda: set_stock(seller=intruder, offer_id=offer.pk, stock=0),
        lambda: set_offer_prices(seller=intruder, offer_id=offer.pk, prices={"en-gb": Money(1, "GBP")}),
        lambda: set_offer_active(seller=intruder, offer_id=offer.pk, active=False),
        lambda: update_offer_terms(seller=intruder, offer_id=offer.pk, terms=terms(variant)),
        lambda: adjust_stock(seller=intruder, offer_id=offer.pk, delta=-1),
    ):
        with pytest.raises(OfferNotFound):
            call()
    offer.refresh_from_db()
    assert (offer.stock, offer.is_active, offer.prices.get().amount) == (5, True, 30000)


def test_set_prices_adds_updates_and_removes_markets(seller, variant):
    offer = make_offer(seller=seller, variant=variant, price=30000)
    set_offer_prices(
        seller=seller, offer_id=offer.pk, prices={"en-gb": Money(29000, "GBP"), "fr-fr": Money(33000, "EUR")}
    )
    assert dict(OfferPrice.objects.filter(offer=offer).values_list("market", "amount")) == {
        "en-gb": 29000,
        "fr-fr": 33000,
    }
    set_offer_prices(seller=seller, offer_id=offer.pk, prices={}, remove=["en-gb"])
    assert list(OfferPrice.objects.filter(offer=offer).values_list("market", flat=True)) == ["fr-fr"]


def test_the_variant_of_an_offer_cannot_change(seller, variant):
    offer = make_offer(seller=seller, variant=variant)
    with pytest.raises(InvalidOffer, match="variant cannot change"):
        update_offer_terms(seller=seller, offer_id=offer.pk, terms=terms(VariantFactory()))


def test_nothing_is_refreshed_when_the_transaction_rolls_back(seller, variant, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(InvalidOffer):
        create_offer(seller=seller, sku="X", terms=terms(variant, grade="bad"), stock=1, prices={})
    assert callbacks == []


def test_premium_accepts_original_parts_with_a_high_battery(seller, variant):
    offer = make_offer(seller=seller, variant=variant, grade=Grade.PREMIUM, battery=BatteryTier.HIGH)
    assert offer.grade == Grade.PREMIUM
