"""Payment providers behind one ``PaymentProvider`` protocol, chosen by ``RELOOP_PAYMENT_PROVIDER``.

Only the offline ``test`` provider exists today; a real adapter (Stripe, Adyen…) is one more entry in
``_PROVIDERS`` and, for its webhooks, in ``_WEBHOOK_HANDLERS``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from reloop.payments import conf
from reloop.payments.errors import UnknownPaymentProvider
from reloop.payments.providers import testing
from reloop.payments.providers.base import (
    Authorization,
    AuthorizationStatus,
    Capture,
    PaymentProvider,
    Refund,
    WebhookEvent,
)

__all__ = [
    "Authorization",
    "AuthorizationStatus",
    "Capture",
    "PaymentProvider",
    "Refund",
    "WebhookEvent",
    "get_provider",
    "webhook_handler",
]

# Typed as factories of PaymentProvider, so mypy checks that every provider honours the protocol.
_PROVIDERS: dict[str, Callable[[], PaymentProvider]] = {"test": testing.TestProvider}
_WEBHOOK_HANDLERS: dict[str, Mapping[str, Callable[[WebhookEvent], str]]] = {"test": testing.WEBHOOK_HANDLERS}


def get_provider(name: str | None = None) -> PaymentProvider:
    """The provider called ``name``, by default the one ``RELOOP_PAYMENT_PROVIDER`` chooses."""
    name = name or conf.provider_name()
    factory = _PROVIDERS.get(name)
    if factory is None:
        raise UnknownPaymentProvider(f"Unknown payment provider {name!r}: use one of {', '.join(_PROVIDERS)}.")
    return factory()


def webhook_handler(provider: str, event_type: str) -> Callable[[WebhookEvent], str] | None:
    """What to do with a verified event of ``event_type`` from ``provider``; ``None`` for types we only store."""
    return _WEBHOOK_HANDLERS.get(provider, {}).get(event_type)
