"""Seller API tokens: created hashed and shown once, revoked per seller, resolved to their seller."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reloop.core.errors import InvalidInput
from reloop.sellers.errors import SellerTokenNotFound
from reloop.sellers.models import SellerToken
from reloop.sellers.selectors import seller_for_token
from reloop.sellers.services import create_seller_token, revoke_seller_token
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db


def test_a_token_is_stored_hashed_and_returned_once():
    seller = SellerFactory()
    token, raw = create_seller_token(seller=seller, name="  stock sync ")
    prefix, secret = raw.removeprefix("rlp_").split("_", 1)
    assert raw.startswith("rlp_")
    assert len(prefix) == 8
    assert len(secret) >= 43
    token.refresh_from_db()
    assert (token.name, token.key_prefix) == ("stock sync", prefix)
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    stored = list(SellerToken.objects.values_list(*[f.attname for f in SellerToken._meta.concrete_fields]))
    assert raw not in str(stored)
    assert secret not in str(stored)
    assert not hasattr(token, "key")
    assert raw not in str(token)


def test_two_tokens_differ():
    seller = SellerFactory()
    assert create_seller_token(seller=seller, name="a")[1] != create_seller_token(seller=seller, name="a")[1]


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_a_token_needs_a_name(name):
    with pytest.raises(InvalidInput) as exc:
        create_seller_token(seller=SellerFactory(), name=name)
    assert exc.value.code == "invalid_token_name"
    assert not SellerToken.objects.exists()


def test_seller_for_token_resolves_and_records_last_use_at_most_once_a_minute(monkeypatch):
    seller = SellerFactory()
    token, raw = create_seller_token(seller=seller, name="a")
    t0 = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)
    monkeypatch.setattr("reloop.core.clock.now", lambda: t0)
    assert seller_for_token(raw) == seller
    token.refresh_from_db()
    assert token.last_used_at == t0

    monkeypatch.setattr("reloop.core.clock.now", lambda: t0 + dt.timedelta(seconds=30))
    with CaptureQueriesContext(connection) as ctx:
        assert seller_for_token(raw) == seller
    assert len(ctx.captured_queries) == 1  # the lookup only: no write within the minute
    token.refresh_from_db()
    assert token.last_used_at == t0

    later = t0 + dt.timedelta(minutes=2)
    monkeypatch.setattr("reloop.core.clock.now", lambda: later)
    seller_for_token(raw)
    token.refresh_from_db()
    assert token.last_used_at == later


@pytest.mark.parametrize("raw", ["", "rlp_", "rlp_abcdefgh_wrong", "x" * 1000])
def test_unknown_tokens_resolve_to_nobody(raw):
    create_seller_token(seller=SellerFactory(), name="a")
    assert seller_for_token(raw) is None


def test_a_revoked_token_resolves_to_nobody_and_revoking_twice_is_harmless():
    seller = SellerFactory()
    token, raw = create_seller_token(seller=seller, name="a")
    revoked = revoke_seller_token(seller=seller, token_id=token.pk)
    first = revoked.revoked_at
    assert first is not None
    assert seller_for_token(raw) is None
    assert revoke_seller_token(seller=seller, token_id=token.pk).revoked_at == first


def test_another_sellers_token_cannot_be_revoked():
    owner, other = SellerFactory(), SellerFactory()
    token, raw = create_seller_token(seller=owner, name="a")
    with pytest.raises(SellerTokenNotFound) as exc:
        revoke_seller_token(seller=other, token_id=token.pk)
    assert exc.value.code == "seller_token_not_found"
    token.refresh_from_db()
    assert token.revoked_at is None
    assert seller_for_token(raw) == owner
