"""The anonymous cart follows the buyer when they sign in (Django's ``user_logged_in``, an auth signal); a paid
order may cap a new seller for the day (``OrderPaid``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from reloop.checkout.daily_cap import cap_sellers_of_order
from reloop.checkout.services import claim_cart
from reloop.orders.events import OrderPaid


def on_user_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session") or not hasattr(request, "market"):
        return
    key = f"cart:{request.market.code}"
    token = request.session.get(key)
    if token:
        claim_cart(user=user, token=token, market=request.market.code)
        request.session.pop(key, None)


def on_order_paid(event: OrderPaid) -> None:
    """A paid order may bring a new seller to its daily cap: its offers then leave the buy box for the day."""
    cap_sellers_of_order(order_id=event.order_id)
