"""``@idempotent``: claim first, store the answer, replay it; reuse, in-progress, expiry, server errors, threads."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from reloop.api.tests.helpers import call, concurrent_statuses
from reloop.catalog.tests.factories import VariantFactory
from reloop.core import clock
from reloop.core.idempotency import KEY_LIFETIME, purge_idempotency_keys
from reloop.core.models import IdempotencyRecord
from reloop.offers import services as offer_services
from reloop.offers.models import Offer
from reloop.offers.tests.factories import make_offer
from reloop.sellers.services import create_seller_token
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    seller, other = SellerFactory(), SellerFactory()
    offer = make_offer(seller=seller, variant=VariantFactory(), stock=5)
    other_offer = make_offer(seller=other, variant=VariantFactory(), stock=5)
    _, key = create_seller_token(seller=seller, name="sync")
    _, other_key = create_seller_token(seller=other, name="sync")
    return {"seller": seller, "offer": offer, "key": key, "other_key": other_key, "other_offer": other_offer}


def _stock(offer):
    return Offer.objects.get(pk=offer.pk).stock


def _take_one(client, world, idem, delta=-1):
    return call(client, "post", f"/offers/{world['offer'].pk}/stock", world["key"], {"delta": delta}, idem=idem)


def test_a_replay_returns_the_first_answer_and_changes_nothing_more(client, world):
    # given a delta applied once with a key
    first = _take_one(client, world, "k-1")
    # when the same request is sent again with the same key
    second = _take_one(client, world, "k-1")
    # then the answer is the same, marked as a replay, and the stock moved once
    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert first.json()["stock"] == 4
    assert "Idempotent-Replayed" not in first.headers
    assert second.headers["Idempotent-Replayed"] == "true"
    assert _stock(world["offer"]) == 4
    assert IdempotencyRecord.objects.count() == 1


def test_an_equal_body_with_other_whitespace_and_key_order_is_a_replay(client, world):
    path = f"/offers/{world['offer'].pk}/stock"
    call(client, "post", path, world["key"], idem="k", raw='{"delta": -1, "stock": null}')
    replay = call(client, "post", path, world["key"], idem="k", raw='{ "stock":null,\n "delta":-1 }')
    assert replay.headers["Idempotent-Replayed"] == "true"
    assert _stock(world["offer"]) == 4


def test_the_same_key_with_another_body_is_422_and_changes_nothing(client, world):
    _take_one(client, world, "k-1")
    response = _take_one(client, world, "k-1", delta=-2)
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert _stock(world["offer"]) == 4


def test_a_post_without_a_key_is_400_and_changes_nothing(client, world):
    response = _take_one(client, world, None)
    assert response.status_code == 400
    assert response.json() == {
        "code": "idempotency_key_required",
        "message": "Send an Idempotency-Key header with every POST",
        "details": None,
    }
    assert _stock(world["offer"]) == 5
    assert IdempotencyRecord.objects.count() == 0


@pytest.mark.parametrize("idem", ["", "has space", "x" * 201, "caf\u00e9"])
def test_a_malformed_key_is_400_and_changes_nothing(client, world, idem):
    response = _take_one(client, world, idem)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_idempotency_key"
    assert _stock(world["offer"]) == 5


def test_a_key_of_200_characters_is_accepted(client, world):
    assert _take_one(client, world, "x" * 200).status_code == 200


def test_an_error_answer_is_stored_and_replayed_too(client, world):
    # given a refused delta (not enough stock)
    first = _take_one(client, world, "k-err", delta=-50)
    assert first.status_code == 409
    assert first.json()["code"] == "insufficient_stock"
    # when stock arrives and the same request is retried with the same key
    offer_services.set_stock(seller=world["seller"], offer_id=world["offer"].pk, stock=80)
    second = _take_one(client, world, "k-err", delta=-50)
    # then the first answer stands: a key names one attempt, not "keep trying"
    assert second.status_code == 409
    assert second.content == first.content
    assert second.headers["Idempotent-Replayed"] == "true"
    assert _stock(world["offer"]) == 80


def test_a_key_is_scoped_to_the_seller_and_the_path(client, world):
    _take_one(client, world, "shared")
    other = call(
        client, "post", f"/offers/{world['other_offer'].pk}/stock", world["other_key"], {"delta": -1}, idem="shared"
    )
    patch = call(client, "patch", f"/offers/{world['offer'].pk}", world["key"], {"dispatch_days": 2}, idem="shared")
    assert other.status_code == 200
    assert "Idempotent-Replayed" not in other.headers
    assert patch.status_code == 200
    assert "Idempotent-Replayed" not in patch.headers
    assert _stock(world["offer"]) == 4
    assert Offer.objects.get(pk=world["other_offer"].pk).stock == 4


def test_a_request_still_running_is_409(client, world):
    # given the first request with this key has claimed it and not finished
    now = clock.now()
    IdempotencyRecord.objects.create(
        owner=f"sellers.seller:{world['seller'].pk}",
        key="busy",
        method="POST",
        path=f"/api/v1/seller/offers/{world['offer'].pk}/stock",
        request_hash="0" * 64,
        created_at=now,
        expires_at=now + KEY_LIFETIME,
    )
    # when a duplicate with the same body arrives: the hash differs from the record's, so first make them equal
    IdempotencyRecord.objects.filter(key="busy").update(
        request_hash=_fingerprint(f"/api/v1/seller/offers/{world['offer'].pk}/stock", {"delta": -1})
    )
    response = _take_one(client, world, "busy")
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_in_progress"
    assert _stock(world["offer"]) == 5


def _fingerprint(path, body):
    from reloop.core.idempotency import request_fingerprint

    return request_fingerprint(method="POST", path=path, body=json.dumps(body).encode())


def test_an_expired_key_can_be_used_again(client, world):
    _take_one(client, world, "old")
    IdempotencyRecord.objects.update(
        created_at=clock.now() - KEY_LIFETIME - dt.timedelta(minutes=2),
        expires_at=clock.now() - dt.timedelta(minutes=1),
    )
    again = _take_one(client, world, "old")
    assert again.status_code == 200
    assert "Idempotent-Replayed" not in again.headers
    assert _stock(world["offer"]) == 3
    assert IdempotencyRecord.objects.count() == 1


def test_a_server_error_is_not_stored_so_the_client_can_retry(world, monkeypatch):
    client = Client(raise_request_exception=False)

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(offer_services, "adjust_stock", broken)
    failed = _take_one(client, world, "retry-me")
    assert failed.status_code == 500
    assert IdempotencyRecord.objects.count() == 0
    monkeypatch.undo()
    retried = _take_one(client, world, "retry-me")
    assert retried.status_code == 200
    assert "Idempotent-Replayed" not in retried.headers
    assert _stock(world["offer"]) == 4


def test_purge_deletes_expired_records_only_and_twice_is_once(client, world):
    _take_one(client, world, "fresh")
    _take_one(client, world, "stale")
    IdempotencyRecord.objects.filter(key="stale").update(
        created_at=clock.now() - dt.timedelta(days=2), expires_at=clock.now() - dt.timedelta(days=1)
    )
    assert purge_idempotency_keys() == 1
    assert purge_idempotency_keys() == 0
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh"]


def test_the_purge_job_is_scheduled():
    from reloop.ops.jobs import JOBS

    assert {"purge_idempotency_keys", "purge_rate_limit_counters"} <= {job.name for job in JOBS}


def test_the_openapi_document_names_the_header(client):
    schema = client.get("/api/openapi.json").json()
    route = schema["paths"]["/api/v1/seller/offers/{offer_id}/stock"]["post"]
    header = next(p for p in route["parameters"] if p["name"] == "Idempotency-Key")
    assert header["in"] == "header"
    assert header["required"] is True
    patch = schema["paths"]["/api/v1/seller/offers/{offer_id}"]["patch"]
    assert next(p for p in patch["parameters"] if p["name"] == "Idempotency-Key")["required"] is False


# --- Concurrency ------------------------------------------------------------------------------------------


def _race(world, threads: int):
    """``threads`` clients send the same delta with the same key at the same moment."""
    return sorted(concurrent_statuses(threads, lambda client: _take_one(client, world, "race")))


def _assert_applied_once(world, results, threads):
    # exactly one ran; every other one was told "still running" (409) or got the stored answer (200)
    assert len(results) == threads
    assert set(results) <= {200, 409}
    assert _stock(world["offer"]) == 4
    assert IdempotencyRecord.objects.filter(key="race").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_apply_once_on_sqlite_too(world):
    results = _race(world, 6)
    _assert_applied_once(world, results, 6)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_apply_once_on_postgres(world):
    results = _race(world, 12)
    _assert_applied_once(world, results, 12)
