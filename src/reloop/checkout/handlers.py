"""The anonymous cart follows the buyer when they sign in (Django's ``user_logged_in``, an auth signal)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from reloop.checkout.services import claim_cart


def on_user_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session") or not hasattr(request, "market"):
        return
    key = f"cart:{request.market.code}"
    token = request.session.get(key)
    if token:
        claim_cart(user=user, token=token, market=request.market.code)
        request.session.pop(key, None)
