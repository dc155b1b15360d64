"""Payment providers behind one ``PaymentProvider`` protocol, chosen by ``RELOOP_PAYMENT_PROVIDER``.

``test`` (the default) is the offline provider with its own hosted card page; ``stripe`` is the Stripe adapter
(PaymentIntents; ``STRIPE_SECRET_KEY``). Each provider's webhooks are read by its own handlers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from reloop.payments import conf
from reloop.payments.errors import UnknownPaymentProvider
from reloop.payments.providers import testing
from reloop.payments.providers.base import (
    Capture,
    InstalmentPlan,
    Payment,
    PaymentProvider,
    PaymentStatus,
    Refund,
    WebhookEvent,
)

__all__ = [
    "Capture",
    "InstalmentPlan",
    "Payment",
    "PaymentProvider",
    "PaymentStatus",
    "Refund",
    "WebhookEvent",
    "get_provider",
    "webhook_handler",
]


def _stripe() -> PaymentProvider:
    from reloop.payments.providers.stripe import StripeProvider  # the stripe library loads only when used

    return StripeProvider()


def _stripe_handlers() -> Mapping[str, Callable[[WebhookEvent], str]]:
    from reloop.payments.providers.stripe import WEBHOOK_HANDLERS

    return WEBHOOK_HANDLERS


# Typed as factories of PaymentProvider, so mypy checks that every provider honours the protocol.
_PROVIDERS: dict[str, Callable[[], PaymentProvider]] = {"test": testing.TestProvider, "stripe": _stripe}
_WEBHOOK_HANDLERS: dict[str, Callable[[], Mapping[str, Callable[[WebhookEvent], str]]]] = {
    "test": lambda: testing.WEBHOOK_HANDLERS,
    "stripe": _stripe_handlers,
}


def get_provider(name: str | None = None) -> PaymentProvider:
    """The provider called ``name``, by default the one ``RELOOP_PAYMENT_PROVIDER`` chooses."""
    name = name or conf.provider_name()
    factory = _PROVIDERS.get(name)
    if factory is None:
        raise UnknownPaymentProvider(f"Unknown payment provider {name!r}: use one of {', '.join(_PROVIDERS)}.")
    return factory()


def webhook_handler(provider: str, event_type: str) -> Callable[[WebhookEvent], str] | None:
    """What to do with a verified event of ``event_type`` from ``provider``; ``None`` for types we only store."""
    handlers = _WEBHOOK_HANDLERS.get(provider)
    return handlers().get(event_type) if handlers is not None else None
