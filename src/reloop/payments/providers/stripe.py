"""The Stripe adapter: PaymentIntents with capture at placement, 3-D Secure, refunds, Stripe-signed webhooks.

- ``create_payment``: a PaymentIntent of exactly the order's total, ``capture_method=manual`` (Reloop captures when
  it places the order, so a payment authorized after the hold expired is voided, never charged:
  docs/adr/0019-payment-flow.md), the order number in its metadata, under the caller's idempotency key.
- The buyer confirms it in Stripe's own card fields (Stripe.js Elements, ``payments.stripe_views``), which handle
  3-D Secure and send the buyer back to ``return_url?payment_intent=pi_…``: the card goes from the browser to
  Stripe, never to Reloop. A declined card (or a failed challenge) leaves the PaymentIntent waiting for another
  card (``requires_payment_method`` with ``last_payment_error``): read as ``REQUIRES_PAYMENT`` with the decline
  code, so the buyer may try another card while the order's hold runs.
- ``refund``: Stripe honours an idempotency key for 24 hours only, and reconciliation may retry a refund days
  later; so before refunding, the adapter looks for a refund of the payment carrying the key in its metadata and
  answers that one. The same holds on ``localstripe``, which ignores idempotency keys.
- Webhooks: ``Stripe-Signature`` checked with Stripe's own scheme (``stripe.Webhook.construct_event``) against
  ``STRIPE_WEBHOOK_SECRET``, 300 s tolerance.
- Seller payouts stay with the payout provider (ADR 0017), not Connect transfers: docs/adr/0019-payment-flow.md.

Settings (environment): ``STRIPE_SECRET_KEY``, ``STRIPE_PUBLISHABLE_KEY``, ``STRIPE_WEBHOOK_SECRET``, and for a
local emulator ``STRIPE_API_BASE`` (e.g. ``http://127.0.0.1:8420``) and ``STRIPE_JS_URL``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from typing import Any

import stripe
from django.urls import reverse

from reloop.core.money import Money
from reloop.payments import conf
from reloop.payments.declines import decline_message
from reloop.payments.errors import (
    CaptureRefused,
    ChargeNotFound,
    IdempotencyMismatch,
    InvalidPaymentAmount,
    InvalidSignature,
    InvalidWebhook,
    RefundExceedsCaptured,
    StaleWebhook,
)
from reloop.payments.models import WebhookOutcome
from reloop.payments.providers.base import Capture, InstalmentPlan, Payment, PaymentStatus, Refund, WebhookEvent
from reloop.payments.webhooks import TOLERANCE_SECONDS

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "Stripe-Signature"
PAYMENT_EVENTS = (
    "payment_intent.succeeded",
    "payment_intent.amount_capturable_updated",
    "payment_intent.payment_failed",
    "payment_intent.canceled",
    "payment_intent.requires_action",
    "payment_intent.processing",
)
_STATUS = {
    "requires_confirmation": PaymentStatus.REQUIRES_PAYMENT,
    "requires_action": PaymentStatus.REQUIRES_ACTION,
    "processing": PaymentStatus.PROCESSING,
    "requires_capture": PaymentStatus.AUTHORIZED,
    "succeeded": PaymentStatus.CAPTURED,
    "canceled": PaymentStatus.CANCELED,
}
_CAPTURED = ("succeeded",)
_FAILURE_CODES = {"payment_intent_authentication_failure": "authentication_failed"}
_CANCELLABLE = ("requires_payment_method", "requires_confirmation", "requires_action", "requires_capture")


def _get(obj: Any, name: str, default: Any = None) -> Any:
    """A field of a Stripe object or a plain dict (webhook payloads)."""
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    try:
        return obj[name]
    except (KeyError, TypeError):
        return getattr(obj, name, default)


class StripeProvider:
    """``PaymentProvider`` over Stripe's API through the official ``stripe`` library."""

    name = "stripe"

    def __init__(
        self, *, api_key: str | None = None, api_base: str | None = None, webhook_secret: str | None = None
    ) -> None:
        settings = conf.stripe_settings()
        self.api_key = api_key or settings["secret_key"]
        self.api_base = api_base or settings["api_base"]
        self.webhook_secret = webhook_secret or settings["webhook_secret"]
        if not self.api_key:
            raise InvalidPaymentAmount("STRIPE_SECRET_KEY is not set", code="provider_not_configured")
        base = {"api": self.api_base} if self.api_base else None
        self.client = stripe.StripeClient(self.api_key, base_addresses=base, max_network_retries=2)  # type: ignore[arg-type]

    # --- Reloop's server calls ------------------------------------------------------------------------------

    def create_payment(
        self, *, amount: Money, order_reference: str, return_url: str, idempotency_key: str, instalments: int = 1
    ) -> Payment:
        if amount.amount <= 0:
            raise InvalidPaymentAmount(f"A payment amount is positive, not {amount}.")
        if instalments != 1:
            raise InvalidPaymentAmount(
                "Instalments are not offered through Stripe here.", code="instalments_unavailable"
            )
        params: dict[str, Any] = {
            "amount": amount.amount,
            "currency": amount.currency.lower(),
            "capture_method": "manual",
            "payment_method_types": ["card"],
            "metadata": {"reloop_order": order_reference, "return_url": return_url[:500]},
        }
        intent = self._call(
            self.client.v1.payment_intents.create, params=params, options={"idempotency_key": idempotency_key}
        )
        payment = self._payment(intent)
        if (payment.amount, payment.order_reference) != (amount, order_reference):
            raise IdempotencyMismatch(
                f"Idempotency key {idempotency_key!r} was used for another payment ({payment.reference})."
            )
        return payment

    def retrieve_payment(self, *, reference: str) -> Payment:
        return self._payment(self._intent(reference))

    def capture(self, *, reference: str, amount: Money, idempotency_key: str) -> Capture:
        intent = self._intent(reference)
        status = _get(intent, "status")
        if status in _CAPTURED:
            captured = self._payment(intent).captured_amount
            if captured == amount:  # captured already (a retry, or another path): the same answer
                return Capture(reference=reference, amount=amount)
            raise CaptureRefused(f"Payment {reference} was already captured.", code="already_captured")
        if status != "requires_capture":
            raise CaptureRefused(f"Payment {reference} is not authorized ({status}).", code="not_authorized")
        if amount.currency.lower() != _get(intent, "currency") or amount.amount > _get(intent, "amount"):
            raise CaptureRefused(f"Cannot capture {amount} of payment {reference}.")
        self._call(
            self.client.v1.payment_intents.capture,
            reference,
            params={"amount_to_capture": amount.amount},
            options={"idempotency_key": idempotency_key},
        )
        return Capture(reference=reference, amount=amount)

    def cancel_payment(self, *, reference: str, idempotency_key: str) -> Payment:
        intent = self._intent(reference)
        status = _get(intent, "status")
        if status in _CAPTURED:
            raise CaptureRefused(f"Payment {reference} was captured: refund it instead.", code="already_captured")
        if status in _CANCELLABLE:
            intent = self._call(
                self.client.v1.payment_intents.cancel, reference, options={"idempotency_key": idempotency_key}
            )
        return self._payment(intent)

    def refund(self, *, reference: str, amount: Money, idempotency_key: str) -> Refund:
        if amount.amount <= 0:
            raise InvalidPaymentAmount(f"A refund amount is positive, not {amount}.")
        payment = self.retrieve_payment(reference=reference)
        existing = self._refund_with_key(reference, idempotency_key)
        if existing is not None:
            if (_get(existing, "amount"), str(_get(existing, "currency")).upper()) != (amount.amount, amount.currency):
                raise IdempotencyMismatch(f"Idempotency key {idempotency_key!r} was used for another refund.")
            return Refund(_get(existing, "id"), reference, amount, payment.refunded_amount)
        left = payment.captured_amount - payment.refunded_amount
        if amount.currency != payment.amount.currency or amount.amount > left.amount:
            raise RefundExceedsCaptured(
                f"Cannot refund {amount} of payment {reference}: {left} is left to refund "
                f"(captured {payment.captured_amount})."
            )
        refund = self._call(
            self.client.v1.refunds.create,
            params={
                "payment_intent": reference,
                "amount": amount.amount,
                "metadata": {"idempotency_key": idempotency_key},
            },
            options={"idempotency_key": idempotency_key},
        )
        total = self.retrieve_payment(reference=reference).refunded_amount
        return Refund(_get(refund, "id"), reference, amount, total)

    def recent_payments(self, *, since: dt.datetime) -> Sequence[Payment]:
        threshold = int(since.timestamp())
        found = []
        page = self._call(self.client.v1.payment_intents.list, params={"limit": 100})
        for intent in page.auto_paging_iter():
            if (_get(intent, "created") or 0) < threshold:
                continue
            found.append(self._payment(intent))
        return found

    def instalment_plans(self, *, amount: Money) -> Sequence[InstalmentPlan]:
        return []  # "pay in n" through Stripe (Klarna, Affirm payment methods) is not wired: ADR 0020

    # --- Webhooks -------------------------------------------------------------------------------------------

    def verify_webhook(self, *, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        header = headers.get(SIGNATURE_HEADER) or next(
            (v for k, v in headers.items() if k.lower() == SIGNATURE_HEADER.lower()), ""
        )
        if not header:
            raise InvalidSignature(f"The {SIGNATURE_HEADER} header is missing.")
        if not self.webhook_secret:
            raise InvalidSignature("STRIPE_WEBHOOK_SECRET is not set: no Stripe webhook can be trusted.")
        try:
            event = stripe.Webhook.construct_event(body, header, self.webhook_secret, tolerance=TOLERANCE_SECONDS)
        except stripe.SignatureVerificationError as exc:
            if "tolerance" in str(exc).lower():
                raise StaleWebhook(f"The webhook was signed outside the {TOLERANCE_SECONDS} s tolerance.") from exc
            raise InvalidSignature("The webhook signature does not match: check the signing secret.") from exc
        except ValueError as exc:
            raise InvalidWebhook(f"The webhook body is not a Stripe event: {exc}.") from exc
        data = _get(_get(event, "data", {}), "object", {})
        event_id, event_type = _get(event, "id"), _get(event, "type")
        if not isinstance(event_id, str) or not isinstance(event_type, str):
            raise InvalidWebhook("The webhook has no event id or type.")
        plain = data.to_dict() if hasattr(data, "to_dict") else dict(data)
        return WebhookEvent(id=event_id, type=event_type, data=plain, created=_get(event, "created"))

    def payment_reference_of(self, event: WebhookEvent) -> str | None:
        reference = event.data.get("id")
        if event.type in PAYMENT_EVENTS and isinstance(reference, str) and reference.startswith("pi_"):
            return reference
        return None

    # --- Helpers --------------------------------------------------------------------------------------------

    def _call(self, method: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except stripe.InvalidRequestError as exc:
            if getattr(exc, "http_status", None) == 404:
                raise ChargeNotFound(f"No payment {args[0] if args else ''!r} at Stripe.") from exc
            raise CaptureRefused(
                f"Stripe refused the request: {exc.user_message or exc}", code="provider_refused"
            ) from exc

    def _intent(self, reference: str) -> Any:
        if not reference.startswith("pi_"):
            raise ChargeNotFound(f"No payment {reference!r} at Stripe.")
        return self._call(self.client.v1.payment_intents.retrieve, reference)

    def _charge(self, intent: Any) -> Any:
        charge = _get(intent, "latest_charge")
        if isinstance(charge, str):
            return self._call(self.client.v1.charges.retrieve, charge)
        return charge

    def _refund_with_key(self, reference: str, key: str) -> Any:
        refunds = self._call(self.client.v1.refunds.list, params={"payment_intent": reference, "limit": 100})
        for refund in refunds.auto_paging_iter():
            if _get(_get(refund, "metadata", {}) or {}, "idempotency_key") == key:
                return refund
        return None

    def _payment(self, intent: Any) -> Payment:
        status_name = _get(intent, "status")
        error = _get(intent, "last_payment_error")
        # After a decline or a failed 3-D Secure challenge Stripe keeps the PaymentIntent, back in
        # requires_payment_method with its last_payment_error: it waits for another card, not a final failure.
        status = _STATUS.get(status_name, PaymentStatus.PROCESSING)
        if status_name == "requires_payment_method":
            status = PaymentStatus.REQUIRES_PAYMENT
        currency = str(_get(intent, "currency")).upper()
        captured = refunded = 0
        if status_name in _CAPTURED:
            charge = self._charge(intent)
            captured = _get(charge, "amount_captured") or _get(charge, "amount") or 0
            refunded = _get(charge, "amount_refunded") or 0
        metadata = _get(intent, "metadata") or {}
        reference = _get(intent, "id")
        needs_buyer = status in (PaymentStatus.REQUIRES_PAYMENT, PaymentStatus.REQUIRES_ACTION)
        created = _get(intent, "created")
        return Payment(
            reference=reference,
            status=status,
            amount=Money(_get(intent, "amount"), currency),
            order_reference=_get(metadata, "reloop_order") or "",
            redirect_url=reverse("stripe_pay", args=[reference]) if needs_buyer else "",
            captured=Money(captured, currency),
            refunded=Money(refunded, currency),
            # The most precise reason first: the card network's decline_code (insufficient_funds…), else the code
            failure_code=_failure_code(error),
            failure_message=decline_message(_failure_code(error)),  # in the buyer's language, not Stripe's text
            created=dt.datetime.fromtimestamp(created, tz=dt.UTC) if created else None,
        )


def _failure_code(error: Any) -> str:
    """The reason of the last failed attempt, in the interface's words: the card network's ``decline_code``
    (``insufficient_funds``…) when Stripe gives one, else the error's ``code``; a failed 3-D Secure challenge is
    ``authentication_failed``, as with every provider."""
    if not error:
        return ""
    code = str(_get(error, "decline_code") or _get(error, "code") or "card_declined")
    return _FAILURE_CODES.get(code, code)


def on_payment_intent(event: WebhookEvent) -> str:
    """A ``payment_intent.*`` event: checkout settles the order on commit; here, only whether it is one of ours."""
    metadata = event.data.get("metadata") or {}
    return (
        WebhookOutcome.APPLIED
        if isinstance(metadata, dict) and metadata.get("reloop_order")
        else WebhookOutcome.IGNORED
    )


WEBHOOK_HANDLERS = dict.fromkeys(PAYMENT_EVENTS, on_payment_intent)
