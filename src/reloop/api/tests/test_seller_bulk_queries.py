"""POST /api/v1/seller/offers/bulk costs the same number of queries for 1 item as for 10 (no per-item round trip),
buy-box refresh included: the planner and writer of the CSV path, set-based."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reloop.catalog.tests.factories import VariantFactory
from reloop.offers.tests.factories import make_offer
from reloop.sellers.services import create_seller_token
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/seller/offers/bulk"


def _queries(client, key, offers, idem, django_capture_on_commit_callbacks, price=20_000) -> tuple[int, dict]:
    items = [{"sku": o.sku, "stock": 7, "prices": {"en-gb": price + n}} for n, o in enumerate(offers)]
    with CaptureQueriesContext(connection) as captured, django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            URL,
            data=json.dumps({"items": items}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
            HTTP_IDEMPOTENCY_KEY=idem,
        )
    assert response.status_code == 200
    return len(captured.captured_queries), response.json()


def test_one_item_and_ten_items_cost_the_same_queries(client, django_capture_on_commit_callbacks):
    seller = SellerFactory()
    offers = [make_offer(seller=seller, variant=VariantFactory(), price=30_000, stock=2) for _ in range(11)]
    _, key = create_seller_token(seller=seller, name="feed")
    _queries(client, key, offers[:1], "warm", django_capture_on_commit_callbacks)  # per-process caches

    one, one_body = _queries(client, key, offers[1:2], "one", django_capture_on_commit_callbacks)
    ten, ten_body = _queries(client, key, offers[1:11], "ten", django_capture_on_commit_callbacks, price=21_000)

    assert one_body["updated"] == 1
    assert ten_body["updated"] == 10
    # auth, rate limit, idempotency claim and completion, the plan's reads, the set-based writes, the event and
    # the buy-box refresh of every touched variant: none of it per item
    assert ten == one
