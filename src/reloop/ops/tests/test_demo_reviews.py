"""The demo's reviews: bought, shipped, delivered and reviewed through the real services, once."""

from __future__ import annotations

import pytest

from reloop.catalog.tests.factories import VariantFactory
from reloop.offers.tests.factories import make_offer
from reloop.ops.demo_accounts import DEMO_SELLER_SLUG
from reloop.ops.demo_reviews import REVIEWS, load_demo_reviews
from reloop.orders.models import OrderLine
from reloop.quality.models import QualitySnapshot
from reloop.reviews.models import Review, SellerRatingSummary
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db


def test_demo_reviews_are_verified_purchases_and_loading_twice_is_once():
    seller = SellerFactory(name="Second Wind Devices", slug=DEMO_SELLER_SLUG)
    for _ in REVIEWS:
        make_offer(seller=seller, variant=VariantFactory(), stock=3)

    assert load_demo_reviews() == len(REVIEWS)
    assert load_demo_reviews() == 0

    assert Review.objects.count() == len(REVIEWS)
    assert Review.objects.exclude(reply_text="").count() == sum(1 for r in REVIEWS if r[5])
    assert set(OrderLine.objects.values_list("state", flat=True)) == {"delivered"}
    summary = SellerRatingSummary.objects.get(seller=seller)
    assert (summary.review_count, summary.rating_sum) == (len(REVIEWS), sum(r[3] for r in REVIEWS))
    assert QualitySnapshot.objects.filter(seller=seller).count() == 1


def test_without_the_demo_seller_nothing_is_loaded():
    assert load_demo_reviews() == 0
    assert Review.objects.count() == 0
