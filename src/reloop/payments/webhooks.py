"""Webhook signatures: HMAC-SHA256 over ``"{timestamp}.{raw body}"``, as Stripe does, and reading the event.

The ``Reloop-Signature`` header is ``t=<unix seconds>,v1=<hex>[,v1=<hex>…]``: one ``v1`` per secret the sender
signs with, so a secret can be rotated without dropping events. The receiver accepts the event when any ``v1``
matches any of its secrets (constant-time compare) and the timestamp is within ``TOLERANCE_SECONDS`` of its clock,
in either direction; replays inside that window are stopped by the unique event id (``payments.inbox``).
Pure functions: no database.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from typing import Any

from reloop.payments.errors import InvalidSignature, InvalidWebhook, StaleWebhook
from reloop.payments.providers.base import WebhookEvent

SIGNATURE_HEADER = "Reloop-Signature"
TOLERANCE_SECONDS = 300
MAX_EVENT_ID_LENGTH = 100


def _digest(body: bytes, secret: str, timestamp: int) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign_webhook(body: bytes, secret: str | Sequence[str], timestamp: int) -> str:
    """The ``Reloop-Signature`` header value for ``body``: one ``v1`` per secret (several while rotating)."""
    secrets = [secret] if isinstance(secret, str) else list(secret)
    if not secrets or not all(secrets):
        raise ValueError("Sign with at least one non-empty secret.")
    return ",".join([f"t={int(timestamp)}", *(f"v1={_digest(body, s, int(timestamp))}" for s in secrets)])


def signature_from(headers: Mapping[str, str]) -> str:
    """The signature header, whatever its case (Django's ``request.headers`` or a plain dict)."""
    value = headers.get(SIGNATURE_HEADER)
    if value is None:
        wanted = SIGNATURE_HEADER.lower()
        value = next((v for k, v in headers.items() if k.lower() == wanted), None)
    if not value:
        raise InvalidSignature(f"The {SIGNATURE_HEADER} header is missing.")
    return value


def _parse_header(header: str) -> tuple[int, list[str]]:
    timestamps: list[str] = []
    signatures: list[str] = []
    for item in header.split(","):
        key, sep, value = item.strip().partition("=")
        if not sep:
            continue
        if key == "t":
            timestamps.append(value)
        elif key == "v1":
            signatures.append(value)
    if len(timestamps) != 1 or not (timestamps[0].isascii() and timestamps[0].isdigit()) or not signatures:
        raise InvalidSignature(f"Malformed {SIGNATURE_HEADER} header: expected t=<unix seconds>,v1=<hex signature>.")
    return int(timestamps[0]), signatures


def verify_signature(
    *, header: str, body: bytes, secrets: Sequence[str], now: int, tolerance: int = TOLERANCE_SECONDS
) -> int:
    """Check ``header`` against the raw ``body``; return its timestamp. ``InvalidSignature`` when no signature
    matches a secret, ``StaleWebhook`` when a genuine signature is more than ``tolerance`` seconds off ``now``."""
    timestamp, signatures = _parse_header(header)
    valid = False
    for secret in secrets:
        expected = _digest(body, secret, timestamp)
        for signature in signatures:
            # Check every pair, so the time taken does not tell which secret or signature was close.
            valid |= hmac.compare_digest(expected, signature)
    if not secrets or not valid:
        raise InvalidSignature("The webhook signature does not match: check the signing secret.")
    if abs(now - timestamp) > tolerance:
        raise StaleWebhook(
            f"The webhook was signed {now - timestamp:+d} seconds from now, outside the {tolerance} s tolerance."
        )
    return timestamp


def parse_event(body: bytes) -> WebhookEvent:
    """Read ``{"id": ..., "type": ..., "data": {...}, "created": ...}`` or raise ``InvalidWebhook``."""
    try:
        payload: Any = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidWebhook(f"The webhook body is not JSON: {exc}.") from exc
    if not isinstance(payload, dict):
        raise InvalidWebhook("The webhook body is not a JSON object.")
    event_id, event_type = payload.get("id"), payload.get("type")
    data, created = payload.get("data", {}), payload.get("created")
    if not isinstance(event_id, str) or not 0 < len(event_id) <= MAX_EVENT_ID_LENGTH:
        raise InvalidWebhook(f"The webhook has no event id of 1 to {MAX_EVENT_ID_LENGTH} characters.")
    if not isinstance(event_type, str) or not 0 < len(event_type) <= 100:
        raise InvalidWebhook("The webhook has no event type.")
    if not isinstance(data, dict):
        raise InvalidWebhook("The webhook's data is not a JSON object.")
    if created is not None and (isinstance(created, bool) or not isinstance(created, int)):
        raise InvalidWebhook("The webhook's created time is not a unix timestamp.")
    return WebhookEvent(id=event_id, type=event_type, data=data, created=created)
