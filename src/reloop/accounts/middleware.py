"""Two-factor authentication at the door of every page, after ``django_otp.middleware.OTPMiddleware``.

- A person who signed in with a password and has two-factor authentication sees only the code page (and can sign
  out) until they give a code: any other page redirects there, with ``next`` to come back.
- Staff (operators) must have it: an unverified staff session asking for ``/operator/…``, ``/admin/…`` or the
  operator API is sent to set it up (or to give a code), so none is reached on a password alone. A session calling
  the API while it owes a code gets 403 ``two_factor_required`` instead of a redirect.

Only the session and the already-loaded user are read: a page costs no extra query for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import urlencode

from reloop.accounts.two_factor import PENDING_SESSION_KEY

#: Views a pending or unenrolled person may still reach (besides the ones marked ``two_factor_exempt``).
EXEMPT_PATH_PREFIXES = ("/static/", "/healthz", "/payments/webhooks/", "/market/")


def two_factor_exempt(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view reachable before the second factor (the code page itself, set-up, sign-out)."""
    view.two_factor_exempt = True  # type: ignore[attr-defined]
    return view


def staff_paths() -> tuple[str, ...]:
    return tuple(getattr(settings, "RELOOP_STAFF_TWO_FACTOR_PATHS", ("/operator/", "/admin/", "/api/v1/operator/")))


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if getattr(view_func, "two_factor_exempt", False) or request.path.startswith(EXEMPT_PATH_PREFIXES):
            return None
        match = request.resolver_match
        if match is not None and match.namespace == "admin" and match.url_name in {"logout", "login"}:
            return None
        verified = bool(getattr(user, "is_verified", lambda: False)())
        if verified:
            return None
        if request.session.get(PENDING_SESSION_KEY):
            return _refuse(request, "web:two_factor_verify")
        if (
            user.is_staff
            and getattr(settings, "RELOOP_STAFF_TWO_FACTOR", True)
            and request.path.startswith(staff_paths())
        ):
            return _refuse(request, "web:two_factor_required")
        return None


def _refuse(request: HttpRequest, url_name: str) -> HttpResponse:
    """The code (or set-up) page for a browser; a 403 in the API's error shape for a session calling the API."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            {
                "code": "two_factor_required",
                "message": "Give your second factor (authenticator code) on the web first.",
                "details": None,
            },
            status=403,
        )
    return _redirect(request, url_name)


def _redirect(request: HttpRequest, url_name: str) -> HttpResponse:
    target = reverse(url_name)
    if request.method in {"GET", "HEAD"}:
        target = f"{target}?{urlencode({'next': request.get_full_path()})}"
    return HttpResponseRedirect(target)


def signin_throttled(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view whose POSTs are sign-in attempts, counted per client address (``SignInThrottleMiddleware``)."""
    view.signin_throttled = True  # type: ignore[attr-defined]
    return view


class SignInThrottleMiddleware:
    """429 for a client address past ``RELOOP_SIGNIN_RATE_PER_IP`` sign-in attempts in 10 minutes.

    Counts the POSTs of views marked ``signin_throttled`` (sign-in, the second-factor code page) and of the
    admin's sign-in; the account lock (django-axes) is separate and counts only failures.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if request.method != "POST":
            return None
        match = request.resolver_match
        is_admin_login = match is not None and match.namespace == "admin" and match.url_name == "login"
        if not (getattr(view_func, "signin_throttled", False) or is_admin_login):
            return None
        from reloop.accounts.throttling import signin_attempt_allowed

        if signin_attempt_allowed(request):
            return None
        from django.template.loader import render_to_string

        body = render_to_string("accounts/too_many_attempts.html", {}, request=request)
        return HttpResponse(body, status=429, headers={"Retry-After": "600"})
