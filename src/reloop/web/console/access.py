"""Who may open an operator page: every view under ``/operator/`` is wrapped in ``operator_required(permission)``.

An anonymous visitor is sent to the admin sign-in, a signed-in user who is not staff or lacks the permission
gets a 403."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse

View = Callable[..., HttpResponseBase]  # HttpResponseBase: streamed exports (CSV) are operator views too


def operator_required(permission: str) -> Callable[[View], View]:
    """Anonymous → admin login (then back here); signed in without staff status or ``permission`` → 403."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse("admin:login"))
            if not (user.is_active and user.is_staff and user.has_perm(permission)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
