"""Seller reads: who an API key belongs to, teams and invitations, applications to vet, a seller's trader data."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from django.db.models import Q, QuerySet

from reloop.core import clock
from reloop.sellers.errors import ApplicationNotFound, SellerNotFound
from reloop.sellers.models import (
    ApplicationStatus,
    Seller,
    SellerApplication,
    SellerInvitation,
    SellerMember,
    SellerToken,
)

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


def open_invitations(*, seller: Seller) -> list[SellerInvitation]:
    """``seller``'s invitations not yet accepted nor revoked (expired ones included, marked by the page), newest
    first, with who sent them (one query)."""
    return list(
        SellerInvitation.objects.filter(seller=seller, accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("invited_by")
        .order_by("-pk")
    )


def invitation_for_token(raw: str) -> SellerInvitation | None:
    """The invitation a link's token opens, with its seller (one query); ``None`` for an unknown token."""
    if not raw or len(raw) > 200:
        return None
    return SellerInvitation.objects.select_related("seller").filter(token_hash=hash_token(raw)).first()


def applications_for_review(*, status: str | None = None) -> QuerySet[SellerApplication]:
    """Applications, oldest submitted first (the queue order), optionally of one status, with the applicant and
    the deciding operator loaded (one query per page)."""
    qs = SellerApplication.objects.select_related("applicant", "decided_by", "seller").order_by("submitted_at", "pk")
    if status in ApplicationStatus.values:
        qs = qs.filter(status=status)
    return qs


def application_for_review(*, application_id: int) -> SellerApplication:
    application = (
        SellerApplication.objects.select_related("applicant", "decided_by", "seller").filter(pk=application_id).first()
    )
    if application is None:
        raise ApplicationNotFound(f"No seller application {application_id}")
    return application


def latest_application_of(user: object) -> SellerApplication | None:
    """The person's most recent application (one query), to show its status instead of a second form."""
    if not getattr(user, "is_authenticated", False):
        return None
    return SellerApplication.objects.filter(applicant_id=user.pk).order_by("-pk").first()  # type: ignore[attr-defined]


def seller_by_slug(slug: str) -> Seller:
    """A seller with its trader data (the approved application), for the operator and the seller page."""
    seller = Seller.objects.select_related("application").filter(slug=slug).first()
    if seller is None:
        raise SellerNotFound(f"No seller {slug!r}")
    return seller


def trader_details(*, seller: Seller) -> SellerApplication | None:
    """The identity buyers are shown for ``seller`` (DSA art. 30(7)): its approved application, if it applied
    through onboarding (demo and older sellers have none). No query when loaded with ``seller_by_slug``."""
    try:
        return seller.application
    except SellerApplication.DoesNotExist:
        return None
