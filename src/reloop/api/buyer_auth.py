"""Authentication of the buyer and operator APIs: the web session (same-site apps, with Django's CSRF check) or a
bearer token for a mobile app or an integration (docs/buyer-api.md).

A token is ``rlb_`` + a value signed with the site's secret (``django.core.signing``): the user's id and a digest
of their password hash and last sign-in. It needs no table, lasts ``TOKEN_DAYS`` days, and dies at once when the
person changes their password or is deactivated. Tokens are issued by ``POST /api/v1/buyer/auth/token`` with the
email and password (refused like a wrong password for an inactive account), plus the authenticator code for an
account with two-factor sign-in; a staff member must have it (``RELOOP_STAFF_TWO_FACTOR``), so a token is never a
way around the second factor the web asks of operators.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import django_otp
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.core import signing
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth

from reloop.accounts.models import User
from reloop.accounts.two_factor import has_two_factor
from reloop.core import clock
from reloop.core.errors import DomainError

PREFIX = "rlb_"
TOKEN_DAYS = 30
SALT = "reloop.api.buyer-token"


def _fingerprint(user: User) -> str:
    """Changes when the password (or the last sign-in) changes: such a token is no longer valid."""
    raw = f"{user.password}|{user.pk}|{user.is_active}".encode()
    return hashlib.sha256(raw).hexdigest()[:24]


def issue_token(user: User) -> tuple[str, dt.datetime]:
    """A new token for ``user`` and when it expires."""
    value = signing.dumps({"u": user.pk, "f": _fingerprint(user)}, salt=SALT, compress=True)
    return PREFIX + value, clock.now() + dt.timedelta(days=TOKEN_DAYS)


def user_for_token(token: str) -> User | None:
    """The active user a token was issued to, or ``None`` (unknown, tampered, expired, password changed)."""
    if not token.startswith(PREFIX) or len(token) > 400:
        return None
    try:
        data = signing.loads(token[len(PREFIX) :], salt=SALT, max_age=dt.timedelta(days=TOKEN_DAYS))
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = get_user_model().objects.filter(pk=data["u"], is_active=True).first()
    if user is None or not constant_time_compare(str(data.get("f", "")), _fingerprint(user)):
        return None
    return user


def sign_in(request: HttpRequest, *, email: str, password: str) -> User | None:
    """The user with these credentials (through the site's authentication backends, so sign-in throttling
    applies), or ``None``."""
    user = authenticate(request, username=email.strip().lower(), password=password)
    return user if user is not None and user.is_active else None


class TwoFactorRequired(DomainError):
    code = "two_factor_required"
    http_status = 401


def check_second_factor(user: User, code: str) -> None:
    """A token is never a way around two-factor sign-in: an account with it must give a valid code, and a staff
    member without it (when ``RELOOP_STAFF_TWO_FACTOR``, the default) must set it up on the web first."""
    if has_two_factor(user):
        code = "".join(code.split())
        if not (code and code.isascii() and code.isalnum() and django_otp.match_token(user, code) is not None):
            raise TwoFactorRequired(_("Give the code from your authenticator app (field otp)"))
    elif user.is_staff and getattr(settings, "RELOOP_STAFF_TWO_FACTOR", True):
        raise TwoFactorRequired(_("Operators set up two-factor sign-in on the web before using the API"))


class BuyerTokenAuth(HttpBearer):
    """``Authorization: Bearer rlb_…``."""

    openapi_description = (
        "A buyer token (`rlb_…`) from `POST /api/v1/buyer/auth/token`, valid 30 days or until the password changes."
    )

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class StaffTokenAuth(BuyerTokenAuth):
    """The same token, for a staff member (the operator API then checks each route's permission)."""

    openapi_description = "A token (`rlb_…`) of a staff member, from `POST /api/v1/buyer/auth/token`."

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = super().authenticate(request, token)
        return user if user is not None and user.is_staff else None


class StaffSessionAuth(SessionAuth):
    """The web session of a staff member (unsafe methods need the CSRF token, as for the web pages)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and getattr(user, "is_staff", False) else None


#: The web session (cookie; unsafe methods need the CSRF token, as the web pages) or a bearer token.
BUYER_AUTH = [BuyerTokenAuth(), SessionAuth()]
STAFF_AUTH = [StaffTokenAuth(), StaffSessionAuth()]
