"""Sign in with an email address, in any case (staff accounts without one sign in with their username)."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from reloop.accounts.models import User


class EmailBackend(ModelBackend):
    """Django's ``ModelBackend`` (permissions, active check) that finds the user by email first."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        identifier = username if username is not None else kwargs.get(User.EMAIL_FIELD)
        if not identifier or password is None:
            return None
        identifier = identifier.strip()
        # The case-insensitive unique constraint on email means at most one match.
        user = User._default_manager.filter(email__iexact=identifier).first() if "@" in identifier else None
        if user is None:
            user = User._default_manager.filter(username=identifier).first()
        if user is None:
            User().set_password(password)  # take as long as a wrong password, so timing does not reveal accounts
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id: Any) -> User | None:
        """The signed-in user of each request, with the one-to-one rows every page's header reads
        (``RELOOP_USER_SELECT_RELATED``, e.g. the seller membership behind the back-office link) in the same query."""
        related = getattr(settings, "RELOOP_USER_SELECT_RELATED", ())
        user = User._default_manager.select_related(*related).filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


class SignInLockBackend(AxesStandaloneBackend):
    """django-axes' lock check, first in ``AUTHENTICATION_BACKENDS``: a locked-out account is refused before any
    password is checked. ``authenticate()`` called without a request (management commands, code) is not an HTTP
    sign-in attempt and is not counted; every sign-in page passes its request."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
