"""Throttling of sign-in and password reset against password guessing and credential stuffing.

Two locks work together (docs/legal-and-security.md, ADR 0024):

- **per account** (django-axes, ``AXES_*`` settings): after ``RELOOP_SIGNIN_FAILURE_LIMIT`` wrong passwords for one
  email address in ``RELOOP_SIGNIN_COOLOFF_MINUTES``, that address cannot sign in, not even with the right password,
  until the cool-off has passed since the last failure; then the right password works again. The identifier is
  normalised (trimmed, lower case) so "Ann@x.eu" and "ann@x.eu " count as one account.
- **per client address** (``core.ratelimit``, one atomic counter: Redis ``INCR`` or one upsert): a client sending
  more than ``RELOOP_SIGNIN_RATE_PER_IP`` sign-in attempts in 10 minutes, whatever the accounts, gets 429. This is
  what stops credential stuffing (one guess each for many accounts), which a per-account lock never sees.

Password-reset requests are limited per client address and per email address (an inbox is not flooded).
"""

from __future__ import annotations

import hashlib
import ipaddress
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from reloop.core import ratelimit

SIGNIN_WINDOW_SECONDS = 600
RESET_WINDOW_SECONDS = 3600


def client_ip(request: HttpRequest) -> str:
    """The client's address: ``REMOTE_ADDR``, or, behind ``RELOOP_PROXY_COUNT`` trusted proxies, the address the
    outermost of them saw (counted from the right of ``X-Forwarded-For``, which a client cannot forge past them)."""
    proxies = int(getattr(settings, "RELOOP_PROXY_COUNT", 0))
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies][:100]
    return str(request.META.get("REMOTE_ADDR") or "unknown")[:100]


def axes_client_ip(request: HttpRequest) -> str | None:
    """``AXES_CLIENT_IP_CALLABLE``: the same address as our own counters use, or None when there is no valid one
    (a request built in code; django-axes stores it in an IP address column, which PostgreSQL checks)."""
    address = client_ip(request)
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return None
    return address


def normalized_identifier(raw: object) -> str:
    return str(raw or "").strip().lower()[:255]


def axes_username(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    """``AXES_USERNAME_CALLABLE``: the email address (or staff username) as typed, trimmed and in lower case."""
    credentials = credentials or {}
    raw = credentials.get("username") or credentials.get("email")
    if raw is None and request is not None:
        raw = request.POST.get("username")
    return normalized_identifier(raw)


def signin_attempt_allowed(request: HttpRequest) -> bool:
    """Count one sign-in attempt from the client's address; False once it is over the limit for the window."""
    limit = int(settings.RELOOP_SIGNIN_RATE_PER_IP)
    if limit <= 0:
        return True
    result = ratelimit.hit(f"signin:ip:{client_ip(request)}", limit=limit, window_seconds=SIGNIN_WINDOW_SECONDS)
    return result.allowed


def password_reset_allowed(request: HttpRequest, email: str) -> bool:
    """Count one password-reset request by client address and by email address; False when either is over."""
    per_ip = int(settings.RELOOP_PASSWORD_RESET_RATE_PER_IP)
    per_email = int(settings.RELOOP_PASSWORD_RESET_RATE_PER_EMAIL)
    allowed = True
    if per_ip > 0:
        allowed = ratelimit.hit(
            f"reset:ip:{client_ip(request)}", limit=per_ip, window_seconds=RESET_WINDOW_SECONDS
        ).allowed
    if per_email > 0 and email:
        email_hit = ratelimit.hit(
            "reset:email:" + hashlib.sha256(normalized_identifier(email).encode()).hexdigest(),
            limit=per_email,
            window_seconds=RESET_WINDOW_SECONDS,
        )
        allowed = allowed and email_hit.allowed
    return allowed


def lockout_response(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> Any:
    """``AXES_LOCKOUT_CALLABLE``: the "sign-in paused" page (429) in the request's language, with the cool-off."""
    from django.shortcuts import render

    minutes = int(settings.RELOOP_SIGNIN_COOLOFF_MINUTES)
    response = render(request, "accounts/locked_out.html", {"cooloff_minutes": minutes}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response
