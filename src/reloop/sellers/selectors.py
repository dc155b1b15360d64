"""Seller reads: who an API key belongs to."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from django.db.models import Q

from reloop.core import clock
from reloop.sellers.models import Seller, SellerMember, SellerToken

#: ``last_used_at`` is written at most this often per key, so a busy integration does not write on every call.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def seller_for_token(raw: str) -> Seller | None:
    """The seller a key belongs to; ``None`` for an unknown or revoked key.

    The key is looked up by its hash, so the lookup takes the same time whatever the secret's first characters;
    the final comparison is constant-time too. One query, plus at most one conditional update a minute.
    """
    if not raw or len(raw) > 200:
        return None
    digest = hash_token(raw)
    token = SellerToken.objects.select_related("seller").filter(key_hash=digest, revoked_at__isnull=True).first()
    if token is None or not hmac.compare_digest(token.key_hash, digest):
        return None
    now = clock.now()
    if token.last_used_at is None or token.last_used_at <= now - LAST_USED_RESOLUTION:
        SellerToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
    return token.seller


def seller_tokens(*, seller: Seller) -> list[SellerToken]:
    """Every key of ``seller``, oldest first, revoked ones included (one query)."""
    return list(SellerToken.objects.filter(seller=seller).order_by("pk"))


def membership_for_user(user: object) -> SellerMember | None:
    """The back-office membership of ``user`` with its seller loaded (one query); ``None`` for anyone else."""
    if not getattr(user, "is_authenticated", False):
        return None
    return SellerMember.objects.select_related("seller").filter(user_id=user.pk).first()  # type: ignore[attr-defined]


def seller_members(*, seller: Seller) -> list[SellerMember]:
    """The team of ``seller``, owners first, with their users (one query)."""
    return list(SellerMember.objects.filter(seller=seller).select_related("user").order_by("role", "pk"))
