"""Seller API rate limits: per token, reads and writes apart, 429 with Retry-After, exact under concurrency."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import caches

from reloop.api.tests.helpers import call, concurrent_statuses
from reloop.catalog.tests.factories import VariantFactory
from reloop.core import ratelimit
from reloop.core.models import RateLimitCounter
from reloop.offers.models import Offer
from reloop.offers.tests.factories import make_offer
from reloop.sellers.services import create_seller_token
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db

#: 12:00:20 UTC: 40 seconds left in the minute window
FROZEN = dt.datetime(2026, 3, 2, 12, 0, 20, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen_window(monkeypatch):
    """Every request of a test falls in the same minute, whatever the wall clock does meanwhile."""
    monkeypatch.setattr(ratelimit.clock, "now", lambda: FROZEN)


@pytest.fixture
def world(settings):
    settings.RELOOP_SELLER_API_RATE_READ = 5
    settings.RELOOP_SELLER_API_RATE_WRITE = 3
    seller = SellerFactory()
    offer = make_offer(seller=seller, variant=VariantFactory(), stock=50)
    _, key = create_seller_token(seller=seller, name="sync")
    _, second_key = create_seller_token(seller=seller, name="second system")
    return {"seller": seller, "offer": offer, "key": key, "second_key": second_key}


def test_reads_past_the_limit_are_429_with_retry_after(client, world):
    answers = [call(client, "get", "/offers", world["key"]) for _ in range(7)]
    assert [a.status_code for a in answers] == [200] * 5 + [429] * 2
    assert [a.headers["X-RateLimit-Remaining"] for a in answers] == ["4", "3", "2", "1", "0", "0", "0"]
    assert {a.headers["X-RateLimit-Limit"] for a in answers} == {"5"}
    refused = answers[-1]
    assert refused.headers["Retry-After"] == "40"
    assert refused.json() == {
        "code": "rate_limited",
        "message": "Too many requests: 5 read requests a minute per token; retry in 40 s",
        "details": None,
    }
    assert "Retry-After" not in answers[0].headers


def test_a_refused_write_changes_nothing(client, world):
    path = f"/offers/{world['offer'].pk}/stock"
    answers = [call(client, "post", path, world["key"], {"delta": -1}) for _ in range(5)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    assert Offer.objects.get(pk=world["offer"].pk).stock == 47


def test_reads_and_writes_have_their_own_budgets(client, world):
    for _ in range(3):
        call(client, "post", f"/offers/{world['offer'].pk}/stock", world["key"], {"delta": -1})
    assert call(client, "get", "/offers", world["key"]).status_code == 200


def test_each_token_has_its_own_budget(client, world):
    for _ in range(5):
        call(client, "get", "/offers", world["key"])
    assert call(client, "get", "/offers", world["key"]).status_code == 429
    assert call(client, "get", "/offers", world["second_key"]).status_code == 200


def test_the_next_window_starts_afresh(client, world, monkeypatch):
    for _ in range(6):
        call(client, "get", "/offers", world["key"])
    monkeypatch.setattr(ratelimit.clock, "now", lambda: FROZEN + dt.timedelta(seconds=40))
    assert call(client, "get", "/offers", world["key"]).status_code == 200


def test_an_unknown_token_is_not_counted(client, world):
    assert call(client, "get", "/offers", "rlp_nothing_real").status_code == 401
    assert RateLimitCounter.objects.count() == 0


def test_a_limit_of_zero_turns_it_off(client, world, settings):
    settings.RELOOP_SELLER_API_RATE_READ = 0
    answers = [call(client, "get", "/offers", world["key"]) for _ in range(8)]
    assert {a.status_code for a in answers} == {200}
    assert "X-RateLimit-Limit" not in answers[0].headers


def test_purge_deletes_ended_windows_only(client, world, monkeypatch):
    call(client, "get", "/offers", world["key"])
    monkeypatch.setattr(ratelimit.clock, "now", lambda: FROZEN + dt.timedelta(minutes=1))
    call(client, "get", "/offers", world["key"])
    assert RateLimitCounter.objects.count() == 2
    assert ratelimit.purge_rate_limit_counters() == 1
    assert ratelimit.purge_rate_limit_counters() == 0


# --- Concurrency: N requests at once over a limit L get exactly L answers -------------------------------------


def _burst(key: str, threads: int) -> list[int]:
    return concurrent_statuses(threads, lambda client: call(client, "get", "/competition", key))


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_cannot_bypass_the_limit_on_sqlite(world):
    results = _burst(world["key"], 12)
    assert sorted(results) == [200] * 5 + [429] * 7


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_cannot_bypass_the_limit_on_postgres(world, settings):
    settings.RELOOP_SELLER_API_RATE_READ = 10
    results = _burst(world["key"], 30)
    assert sorted(results) == [200] * 10 + [429] * 20


def _redis_or_skip(settings):
    from reloop.ops.tests.services import redis_url  # skips locally without Redis; CI requires it

    url = redis_url()
    settings.REDIS_URL = url
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url},
    }
    caches["default"].get("ping")


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_cannot_bypass_the_limit_with_redis(world, settings):
    _redis_or_skip(settings)
    results = _burst(world["key"], 12)
    assert sorted(results) == [200] * 5 + [429] * 7
    assert RateLimitCounter.objects.count() == 0  # counted in Redis, not in the database
