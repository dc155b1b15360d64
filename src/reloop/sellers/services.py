"""Seller writes: standing and quality score (which move buy boxes), API keys, and loading the demo refurbishers."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from reloop.accounts.models import User
from reloop.core import clock
from reloop.core.errors import InvalidInput
from reloop.core.events import publish
from reloop.sellers.errors import SellerTokenNotFound
from reloop.sellers.events import SellerStandingChanged
from reloop.sellers.models import MemberRole, Seller, SellerMember, SellerToken, Standing
from reloop.sellers.selectors import hash_token

DEMO_SELLERS_FILE = Path(__file__).resolve().parent / "data" / "demo_sellers.json"


@transaction.atomic
def load_demo_sellers(*, path: Path = DEMO_SELLERS_FILE) -> int:
    """Create or update the demo refurbishers (active unless the file says otherwise); idempotent on the slug."""
    rows = json.loads(path.read_text(encoding="utf-8"))["sellers"]
    for raw in rows:
        Seller.objects.update_or_create(
            slug=slugify(raw["name"]),
            defaults={
                "name": raw["name"],
                "legal_name": raw["legal_name"],
                "country": raw["country"],
                "city": raw.get("city", ""),
                "founded_year": raw.get("founded_year"),
                "description": raw.get("description", ""),
                "standing": raw.get("standing", Standing.ACTIVE),
            },
        )
    return len(rows)


def _standing_changed(seller: Seller) -> None:
    publish(SellerStandingChanged(seller.pk))


@transaction.atomic
def set_seller_standing(*, seller: Seller, standing: str) -> Seller:
    """Activate, suspend or return a seller to review. Buy boxes are refreshed on commit."""
    if standing not in Standing.values:
        raise InvalidInput(f"Unknown standing {standing!r}; use one of {', '.join(Standing.values)}")
    updated = Seller.objects.filter(pk=seller.pk).exclude(standing=standing).update(standing=standing)
    seller.standing = standing
    if updated:
        _standing_changed(seller)
    return seller


@transaction.atomic
def set_quality_score(*, seller: Seller, score: int) -> Seller:
    """Record a new 0-100 quality score (computed by the quality app); it feeds the buy-box penalty."""
    if not 0 <= score <= 100:
        raise InvalidInput(f"A quality score is between 0 and 100, not {score}")
    updated = Seller.objects.filter(pk=seller.pk).exclude(quality_score=score).update(quality_score=score)
    seller.quality_score = score
    if updated:
        _standing_changed(seller)
    return seller


# --- API keys -------------------------------------------------------------------------------------------

TOKEN_PREFIX = "rlp"  # noqa: S105  # a public marker that says what the key is, not a secret
MAX_TOKEN_NAME = 100


@transaction.atomic(durable=True)
def create_seller_token(*, seller: Seller, name: str) -> tuple[SellerToken, str]:
    """Create an API key for ``seller``: ``rlp_<prefix>_<secret>``. The key is returned here and never again;
    only its SHA-256 is stored."""
    name = name.strip()
    if not name or len(name) > MAX_TOKEN_NAME:
        raise InvalidInput(f"A token name is 1 to {MAX_TOKEN_NAME} characters", code="invalid_token_name")
    prefix = secrets.token_hex(4)  # 8 characters, never an underscore
    raw = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = SellerToken.objects.create(seller=seller, name=name, key_prefix=prefix, key_hash=hash_token(raw))
    return token, raw


@transaction.atomic(durable=True)
def revoke_seller_token(*, seller: Seller, token_id: int) -> SellerToken:
    """Revoke one of ``seller``'s keys (idempotent). Another seller's key is answered like a missing one."""
    token = SellerToken.objects.filter(seller=seller, pk=token_id).first()
    if token is None:
        raise SellerTokenNotFound(f"No token {token_id}")
    now = clock.now()
    if SellerToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now):
        token.revoked_at = now
    else:
        token.refresh_from_db(fields=["revoked_at"])
    return token


# --- Team -------------------------------------------------------------------------------------------------


@transaction.atomic
def add_seller_member(*, seller: Seller, user: User, role: str = MemberRole.STAFF) -> SellerMember:
    """Give ``user`` access to ``seller``'s back office with ``role``. Idempotent for the same seller; a person
    already working for another seller is refused (one seller per person)."""
    if role not in MemberRole.values:
        raise InvalidInput(f"Unknown role {role!r}; use one of {', '.join(MemberRole.values)}", code="invalid_role")
    member, created = SellerMember.objects.get_or_create(user=user, defaults={"seller": seller, "role": role})
    if member.seller_id != seller.pk:
        raise InvalidInput("This person already works for another seller", code="member_of_another_seller")
    if not created and member.role != role:
        SellerMember.objects.filter(pk=member.pk).update(role=role)
        member.role = role
    return member
