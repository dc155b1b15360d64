"""POST /api/v1/seller/offers/bulk and the buy boxes (ADR 0044): a call marks the (variant, grade, market) keys it can
move stale; the first call at least ``STALE_BATCH_AFTER`` later, or the ``refresh_stale_buy_boxes`` job, ranks every
stale key in one batch; meanwhile checkout charges the live price and refuses an offer out of stock."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from reloop.catalog.grading import Grade
from reloop.catalog.tests.factories import VariantFactory
from reloop.checkout.errors import NotAvailable
from reloop.checkout.models import Cart
from reloop.checkout.services import add_to_cart
from reloop.core.clock import frozen_at
from reloop.offers.tests.factories import make_offer
from reloop.ops.jobs import JOBS
from reloop.pricing.models import BuyBoxSnapshot, StaleBuyBox
from reloop.pricing.services import STALE_BATCH_AFTER, rebuild_all_buy_boxes
from reloop.sellers.services import create_seller_token
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/seller/offers/bulk"
T0 = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    variant = VariantFactory()
    seller, rival = SellerFactory(), SellerFactory()
    with django_capture_on_commit_callbacks(execute=True):
        good = make_offer(seller=seller, variant=variant, price=30_000, stock=2)
        fair = make_offer(seller=seller, variant=variant, price=20_000, stock=2, grade=Grade.FAIR)
        rival_good = make_offer(seller=rival, variant=variant, price=31_000, stock=2)
    _, key = create_seller_token(seller=seller, name="feed")
    return {"variant": variant, "good": good, "fair": fair, "rival_good": rival_good, "key": key}


def call(client, capture, world, items, idem):
    with capture(execute=True):
        response = client.post(
            URL,
            data=json.dumps({"items": items}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {world['key']}",
            HTTP_IDEMPOTENCY_KEY=idem,
        )
    assert response.status_code == 200
    assert response.json()["errors"] == 0
    return response


def winner(world, grade=Grade.GOOD, market="en-gb"):
    return BuyBoxSnapshot.objects.get(variant=world["variant"], grade=grade, market=market)


def stale(world):
    return set(StaleBuyBox.objects.filter(variant=world["variant"]).values_list("grade", "market"))


def test_a_call_marks_its_keys_stale_and_the_job_ranks_them(client, world, django_capture_on_commit_callbacks):
    # given a repricing of the good offer (en-gb, fr-fr) and the fair one selling out (every market of its grade)
    with frozen_at(T0):
        call(
            client,
            django_capture_on_commit_callbacks,
            world,
            [
                {"sku": world["good"].sku, "prices": {"en-gb": 32_000, "fr-fr": 35_000}},
                {"sku": world["fair"].sku, "stock": 0},
            ],
            "one",
        )
    # then nothing is ranked yet: the keys wait, the buy boxes show the old state
    assert stale(world) == {(Grade.GOOD, "en-gb"), (Grade.GOOD, "fr-fr"), (Grade.FAIR, "")}
    assert winner(world).winner_id == world["good"].pk
    assert BuyBoxSnapshot.objects.filter(variant=world["variant"], grade=Grade.FAIR).exists()
    # when the scheduled job runs
    job = next(j for j in JOBS if j.name == "refresh_stale_buy_boxes")
    assert job.run() > 0
    # then every key is ranked: the rival wins good, fair has no offer left, and nothing drifted
    assert stale(world) == set()
    assert winner(world).winner_id == world["rival_good"].pk
    assert not BuyBoxSnapshot.objects.filter(variant=world["variant"], grade=Grade.FAIR).exists()
    assert rebuild_all_buy_boxes().differences == 0
    assert job.run() == 0  # nothing left to rank


def test_the_first_call_after_the_batch_delay_ranks_every_waiting_call(
    client, world, django_capture_on_commit_callbacks
):
    with frozen_at(T0):
        call(client, django_capture_on_commit_callbacks, world, [{"sku": world["good"].sku, "stock": 0}], "a")
    # a second call within the delay only adds its keys
    with frozen_at(T0 + STALE_BATCH_AFTER / 2):
        call(
            client,
            django_capture_on_commit_callbacks,
            world,
            [{"sku": world["fair"].sku, "prices": {"en-gb": 19_000}}],
            "b",
        )
    assert stale(world) == {(Grade.GOOD, ""), (Grade.FAIR, "en-gb")}
    assert winner(world).winner_id == world["good"].pk  # out of stock, still shown: stale
    # when a third call comes once the oldest key has waited the delay
    with frozen_at(T0 + STALE_BATCH_AFTER):
        call(
            client,
            django_capture_on_commit_callbacks,
            world,
            [{"sku": world["fair"].sku, "prices": {"fr-fr": 22_000}}],
            "c",
        )
    # then one batch ranks the three calls' keys
    assert stale(world) == set()
    assert winner(world).winner_id == world["rival_good"].pk
    assert winner(world, Grade.FAIR).price == 19_000
    assert winner(world, Grade.FAIR, "fr-fr").price == 22_000
    assert rebuild_all_buy_boxes().differences == 0


def test_while_a_buy_box_is_stale_checkout_charges_the_live_price_and_refuses_sold_out_offers(
    client, world, django_capture_on_commit_callbacks
):
    with frozen_at(T0):
        call(
            client,
            django_capture_on_commit_callbacks,
            world,
            [{"sku": world["good"].sku, "stock": 0}, {"sku": world["fair"].sku, "prices": {"en-gb": 21_500}}],
            "live",
        )
    # the stale buy boxes still show the sold-out good offer and the fair one at its old price
    assert winner(world).winner_id == world["good"].pk
    assert winner(world, Grade.FAIR).price == 20_000
    cart = Cart.objects.create(market="en-gb")
    with pytest.raises(NotAvailable):
        add_to_cart(cart=cart, offer_id=world["good"].pk)
    line = add_to_cart(cart=cart, offer_id=world["fair"].pk)
    assert line.price_seen == 21_500
