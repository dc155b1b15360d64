"""Two ``reloop serve`` processes sharing Redis: a price change made through one is served at once by the other."""

from __future__ import annotations

import pytest
import redis

from reloop.catalog.tests.factories import CategoryFactory, ProductModelFactory, ReferencePriceFactory, VariantFactory
from reloop.offers.tests.factories import make_offer
from reloop.ops.tests.processes import Topology, base_env, request
from reloop.ops.tests.services import redis_url
from reloop.sellers.services import create_seller_token
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_price_change_through_one_web_process_is_served_at_once_by_the_other(
    tmp_path, django_capture_on_commit_callbacks
):
    url = redis_url().rsplit("/", 1)[0] + "/14"
    shared = redis.Redis.from_url(url)
    shared.flushdb()
    phones = CategoryFactory(slug="smartphones", name="Smartphones")
    variant = VariantFactory(product_model=ProductModelFactory(category=phones, name="Pixel 8"))
    ReferencePriceFactory(variant=variant, amount=69900)
    seller = SellerFactory(name="Gamma Refurb")
    with django_capture_on_commit_callbacks(execute=True):
        offer = make_offer(seller=seller, variant=variant, price=30000, stock=4)
    _, token = create_seller_token(seller=seller, name="sync")
    page = f"/en-gb/p/{variant.product_model.slug}/{variant.slug}/"
    topology = Topology(tmp_path, base_env(tmp_path, REDIS_URL=url, RELOOP_CACHE_PREFIX="two-web"))
    try:
        a, b = topology.serve("web-a").port, topology.serve("web-b").port  # free ports: suites may run side by side
        # both serve the page; B's answer comes from the cache A filled (one shared cache)
        status, body = request(a, "GET", page)
        assert status == 200, body[:500]
        assert "£300.00" in body.decode()
        cached = set(shared.keys("two-web:*"))
        assert cached
        status, body = request(b, "GET", page)
        assert (status, "£300.00" in body.decode()) == (200, True)
        assert set(shared.keys("two-web:*")) == cached  # nothing rendered again: B read A's copy
        # when the seller changes the price through A
        status, body = request(
            a,
            "PUT",
            f"/api/v1/seller/offers/{offer.pk}/prices/en-gb",
            body={"amount": 27900},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert status == 200, body
        # then B's very next answer shows it
        status, body = request(b, "GET", page)
        assert status == 200
        assert "£279.00" in body.decode()
        assert "£300.00" not in body.decode()
    finally:
        topology.stop_all()
        shared.flushdb()
