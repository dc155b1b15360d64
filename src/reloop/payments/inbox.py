"""Receiving provider webhooks: verify the signature, record the event id once, apply it, answer.

Webhooks arrive at least once and in any order. The event row (unique per provider and event id) is inserted in
the same transaction as the event's effect, so a redelivery, even a concurrent one, finds the row and changes
nothing (docs/adr/0009-ledger.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from reloop.core.events import publish
from reloop.payments.events import PaymentWebhookReceived
from reloop.payments.models import WebhookEvent as ReceivedEvent
from reloop.payments.models import WebhookOutcome
from reloop.payments.providers import WebhookEvent, get_provider, webhook_handler


@dataclass(frozen=True, slots=True)
class WebhookReceipt:
    event_id: str
    type: str
    duplicate: bool
    outcome: str


def receive_webhook(*, provider: str, headers: Mapping[str, str], body: bytes) -> WebhookReceipt:
    """Verify and process one delivery. Raises ``InvalidSignature``, ``StaleWebhook`` or ``InvalidWebhook``
    (all 400) with nothing recorded; ``UnknownPaymentProvider`` (404) for a provider we do not know."""
    event = get_provider(provider).verify_webhook(headers=headers, body=body)
    return process_event(provider=provider, event=event)


def process_event(*, provider: str, event: WebhookEvent) -> WebhookReceipt:
    """Apply a verified event once. A redelivered event id is acknowledged as a duplicate and changes nothing."""
    if ReceivedEvent.objects.filter(provider=provider, event_id=event.id).exists():
        return _duplicate(provider, event)
    handler = webhook_handler(provider, event.type)
    try:
        with transaction.atomic():
            outcome = handler(event) if handler is not None else WebhookOutcome.UNHANDLED
            # Inserted after the effect, in the same transaction: a racing duplicate fails here and rolls back
            # its own (idempotent anyway) effect.
            ReceivedEvent.objects.create(
                provider=provider, event_id=event.id, type=event.type, payload=dict(event.data), outcome=outcome
            )
            publish(
                PaymentWebhookReceived(
                    provider=provider, event_id=event.id, type=event.type, outcome=outcome, data=dict(event.data)
                )
            )
    except IntegrityError:
        if not ReceivedEvent.objects.filter(provider=provider, event_id=event.id).exists():
            raise
        return _duplicate(provider, event)
    return WebhookReceipt(event_id=event.id, type=event.type, duplicate=False, outcome=outcome)


def _duplicate(provider: str, event: WebhookEvent) -> WebhookReceipt:
    stored = ReceivedEvent.objects.filter(provider=provider, event_id=event.id).values_list("outcome", flat=True)
    return WebhookReceipt(event_id=event.id, type=event.type, duplicate=True, outcome=stored.first() or "")
