"""The anonymous cart follows the buyer when they sign in (Django's ``user_logged_in``, an auth signal); a paid
order may cap a new seller for the day (``OrderPaid``); a provider's webhook about a payment settles its order
(``PaymentWebhookReceived``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from reloop.checkout.daily_cap import cap_sellers_of_order
from reloop.checkout.services import claim_cart
from reloop.checkout.settlement import settle_payment
from reloop.orders.events import OrderPaid
from reloop.payments.events import PaymentWebhookReceived
from reloop.payments.providers import WebhookEvent, get_provider


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


def on_payment_webhook(event: PaymentWebhookReceived) -> None:
    """A verified provider event about a payment: ask the provider where the payment stands and settle its order
    (capture and place, close, void or refund), once. Runs after the event row committed; if it fails, the
    buyer's return redirect or the reconciliation job settles the payment instead."""
    received = WebhookEvent(id=event.event_id, type=event.type, data=event.data)
    reference = get_provider(event.provider).payment_reference_of(received)
    if reference:
        settle_payment(reference=reference, source="webhook")
