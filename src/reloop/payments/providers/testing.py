"""The built-in offline payment provider, for development, demos and tests. It never touches the network.

Its charges live in the database (``TestCharge``, ``TestRefund``), keyed on the caller's idempotency keys, so a
retried call gets the first answer in any process and money is never taken or returned twice. Test cards, as
with Stripe:

=====================  =====================================
card number            outcome
=====================  =====================================
4242 4242 4242 4242    authorized
4000 0000 0000 0002    declined
4000 0000 0000 9995    insufficient funds
any other valid number authorized (it must pass the Luhn check)
an invalid number      refused: ``InvalidCard`` (no charge)
=====================  =====================================
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Case, F, Value, When
from django.utils.translation import gettext as _
from stdnum import luhn

from reloop.core.clock import now
from reloop.core.money import Money
from reloop.payments import conf
from reloop.payments.domain import MAX_IDEMPOTENCY_KEY_LENGTH
from reloop.payments.errors import (
    CaptureRefused,
    ChargeNotFound,
    IdempotencyMismatch,
    InvalidCard,
    InvalidPaymentAmount,
    RefundExceedsCaptured,
)
from reloop.payments.models import ChargeStatus, TestCharge, TestRefund, WebhookOutcome
from reloop.payments.providers.base import Authorization, AuthorizationStatus, Capture, Refund, WebhookEvent
from reloop.payments.webhooks import SIGNATURE_HEADER, parse_event, sign_webhook, signature_from, verify_signature

logger = logging.getLogger(__name__)

CARD_SUCCEEDS = "4242424242424242"
CARD_DECLINED = "4000000000000002"
CARD_INSUFFICIENT_FUNDS = "4000000000009995"
TEST_CARDS: dict[str, AuthorizationStatus] = {
    CARD_SUCCEEDS: AuthorizationStatus.AUTHORIZED,
    CARD_DECLINED: AuthorizationStatus.DECLINED,
    CARD_INSUFFICIENT_FUNDS: AuthorizationStatus.INSUFFICIENT_FUNDS,
}
_STATUS_OF_CHARGE = {
    ChargeStatus.DECLINED: AuthorizationStatus.DECLINED,
    ChargeStatus.INSUFFICIENT_FUNDS: AuthorizationStatus.INSUFFICIENT_FUNDS,
}
_REFUNDABLE = (ChargeStatus.CAPTURED, ChargeStatus.PARTIALLY_REFUNDED)


def card_digits(card_number: str) -> str:
    """The digits of a card number typed with spaces or dashes, or ``InvalidCard``."""
    digits = "".join(ch for ch in str(card_number) if ch not in " -")
    if not digits.isascii() or not digits.isdigit() or not 12 <= len(digits) <= 19:
        raise InvalidCard(_("A card number has 12 to 19 digits."))
    if not luhn.is_valid(digits):
        raise InvalidCard(_("This card number is not valid: check it for a typing mistake."))
    return digits


def _check_key(idempotency_key: str) -> None:
    if not idempotency_key or len(idempotency_key) > MAX_IDEMPOTENCY_KEY_LENGTH:
        raise InvalidPaymentAmount(
            f"An idempotency key of 1 to {MAX_IDEMPOTENCY_KEY_LENGTH} characters is required.",
            code="invalid_idempotency_key",
        )


def _check_amount(amount: Money) -> None:
    if amount.amount <= 0:
        raise InvalidPaymentAmount(f"A payment amount is positive, not {amount}.")


def _message(status: AuthorizationStatus) -> str:
    if status is AuthorizationStatus.DECLINED:
        return _("Your card was declined.")
    if status is AuthorizationStatus.INSUFFICIENT_FUNDS:
        return _("Your card has insufficient funds.")
    return _("Payment authorized.")


def _new_reference(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


class TestProvider:
    """The offline ``PaymentProvider``: deterministic test cards, database-backed idempotency, signed webhooks."""

    __test__ = False  # a payment provider, not a pytest test class

    name = "test"

    # --- Charges --------------------------------------------------------------------------------------------

    def authorize(self, *, amount: Money, card_number: str, idempotency_key: str) -> Authorization:
        """Authorize ``amount`` on a card. A declined card is an answer (status), not an error; an invalid number
        is an error and records nothing. The same key again returns the same answer, or raises
        ``IdempotencyMismatch`` if the amount or card differ."""
        _check_key(idempotency_key)
        _check_amount(amount)
        digits = card_digits(card_number)
        status = TEST_CARDS.get(digits, AuthorizationStatus.AUTHORIZED)
        charge = TestCharge.objects.filter(idempotency_key=idempotency_key).first()
        if charge is None:
            try:
                with transaction.atomic():
                    charge = TestCharge.objects.create(
                        reference=_new_reference("ch"),
                        idempotency_key=idempotency_key,
                        amount=amount.amount,
                        currency=amount.currency,
                        card_last4=digits[-4:],
                        status=ChargeStatus(status.value),
                    )
            except IntegrityError:  # the same key raced us: its charge is the answer
                charge = TestCharge.objects.filter(idempotency_key=idempotency_key).first()
                if charge is None:
                    raise
        if (charge.amount, charge.currency, charge.card_last4) != (amount.amount, amount.currency, digits[-4:]):
            raise IdempotencyMismatch(
                f"Idempotency key {idempotency_key!r} was used for another authorization ({charge.reference})."
            )
        answer = _STATUS_OF_CHARGE.get(ChargeStatus(charge.status), AuthorizationStatus.AUTHORIZED)
        return Authorization(
            status=answer,
            reference=charge.reference,
            amount=Money(charge.amount, charge.currency),
            message=_message(answer),
        )

    def capture(self, *, reference: str, amount: Money, idempotency_key: str) -> Capture:
        """Capture up to the authorized amount, once (the rest of the authorization is released)."""
        _check_key(idempotency_key)
        _check_amount(amount)
        charge = self._charge(reference)
        if amount.currency != charge.currency or amount.amount > charge.amount:
            authorized = Money(charge.amount, charge.currency)
            raise CaptureRefused(f"Cannot capture {amount} of charge {reference}, authorized for {authorized}.")
        captured = TestCharge.objects.filter(pk=charge.pk, status=ChargeStatus.AUTHORIZED).update(
            status=ChargeStatus.CAPTURED, captured_amount=amount.amount, capture_idempotency_key=idempotency_key
        )
        if captured:
            return Capture(reference=reference, amount=amount)
        charge.refresh_from_db()
        if charge.capture_idempotency_key == idempotency_key:
            if charge.captured_amount != amount.amount:
                raise IdempotencyMismatch(
                    f"Idempotency key {idempotency_key!r} captured {Money(charge.captured_amount, charge.currency)}, "
                    f"not {amount}."
                )
            return Capture(reference=reference, amount=amount)
        if charge.status in (ChargeStatus.DECLINED, ChargeStatus.INSUFFICIENT_FUNDS):
            raise CaptureRefused(f"Charge {reference} was not authorized ({charge.status}).", code="not_authorized")
        raise CaptureRefused(f"Charge {reference} was already captured.", code="already_captured")

    def refund(self, *, reference: str, amount: Money, idempotency_key: str) -> Refund:
        """Refund part or all of what was captured. Refused with ``RefundExceedsCaptured`` beyond captured minus
        already refunded; the same key again returns the same refund and returns no money twice."""
        _check_key(idempotency_key)
        _check_amount(amount)
        existing = TestRefund.objects.select_related("charge").filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return self._replayed_refund(existing, reference=reference, amount=amount)
        charge = self._charge(reference)
        if amount.currency != charge.currency:
            raise RefundExceedsCaptured(f"Charge {reference} is in {charge.currency}, not {amount.currency}.")
        try:
            with transaction.atomic():
                refund = TestRefund.objects.create(
                    charge=charge,
                    reference=_new_reference("re"),
                    idempotency_key=idempotency_key,
                    amount=amount.amount,
                )
                # One conditional UPDATE: correct under concurrency without a row lock (SET reads the old row).
                refunded = TestCharge.objects.filter(
                    pk=charge.pk,
                    status__in=_REFUNDABLE,
                    refunded_amount__lte=F("captured_amount") - amount.amount,
                ).update(
                    refunded_amount=F("refunded_amount") + amount.amount,
                    status=Case(
                        When(captured_amount=F("refunded_amount") + amount.amount, then=Value(ChargeStatus.REFUNDED)),
                        default=Value(ChargeStatus.PARTIALLY_REFUNDED),
                    ),
                )
                if not refunded:
                    charge.refresh_from_db()
                    left = Money(charge.captured_amount - charge.refunded_amount, charge.currency)
                    raise RefundExceedsCaptured(
                        f"Cannot refund {amount} of charge {reference}: {left} is left to refund "
                        f"(captured {Money(charge.captured_amount, charge.currency)})."
                    )
        except IntegrityError:  # the same key raced us: its refund is the answer
            existing = TestRefund.objects.select_related("charge").filter(idempotency_key=idempotency_key).first()
            if existing is None:
                raise
            return self._replayed_refund(existing, reference=reference, amount=amount)
        charge.refresh_from_db(fields=["refunded_amount"])
        return Refund(
            reference=refund.reference,
            charge_reference=reference,
            amount=amount,
            total_refunded=Money(charge.refunded_amount, charge.currency),
        )

    def _charge(self, reference: str) -> TestCharge:
        charge = TestCharge.objects.filter(reference=reference).first()
        if charge is None:
            raise ChargeNotFound(f"No charge {reference!r}.")
        return charge

    def _replayed_refund(self, refund: TestRefund, *, reference: str, amount: Money) -> Refund:
        charge = refund.charge
        if (charge.reference, refund.amount, charge.currency) != (reference, amount.amount, amount.currency):
            raise IdempotencyMismatch(
                f"Idempotency key {refund.idempotency_key!r} was used for another refund ({refund.reference})."
            )
        return Refund(
            reference=refund.reference,
            charge_reference=reference,
            amount=amount,
            total_refunded=Money(charge.refunded_amount, charge.currency),
        )

    # --- Webhooks -------------------------------------------------------------------------------------------

    def verify_webhook(self, *, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        """Check the signature against ``RELOOP_PAYMENT_WEBHOOK_SECRET`` (any of its secrets) and read the event."""
        verify_signature(
            header=signature_from(headers), body=body, secrets=conf.webhook_secrets(), now=int(now().timestamp())
        )
        return parse_event(body)

    def signed_event(
        self,
        *,
        event_type: str,
        data: Mapping[str, Any],
        event_id: str | None = None,
        timestamp: int | None = None,
        secret: str | None = None,
    ) -> tuple[dict[str, str], bytes]:
        """The headers and body the provider would POST for an event, signed with the current secret."""
        created = int(now().timestamp()) if timestamp is None else timestamp
        body = json.dumps(
            {"id": event_id or _new_reference("evt"), "type": event_type, "data": dict(data), "created": created}
        ).encode()
        signature = sign_webhook(body, secret or conf.webhook_secrets()[0], created)
        return {SIGNATURE_HEADER: signature, "Content-Type": "application/json"}, body


# --- Webhook handlers: each applies an event's absolute state, so applying it again changes nothing ------------


def _charge_update(data: Mapping[str, Any], amount_field: str) -> tuple[str, int] | None:
    reference, amount = data.get("reference"), data.get(amount_field)
    if not isinstance(reference, str) or isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        return None
    return reference, amount


def on_charge_captured(event: WebhookEvent) -> str:
    """``charge.captured`` ``{"reference", "amount_captured"}``: a capture made at the provider."""
    parsed = _charge_update(event.data, "amount_captured")
    if parsed is None:
        logger.warning("Ignoring %s %s: unreadable data %r", event.type, event.id, event.data)
        return WebhookOutcome.IGNORED
    reference, captured = parsed
    updated = TestCharge.objects.filter(
        reference=reference, status=ChargeStatus.AUTHORIZED, amount__gte=captured
    ).update(status=ChargeStatus.CAPTURED, captured_amount=captured)
    return WebhookOutcome.APPLIED if updated else WebhookOutcome.IGNORED


def on_charge_refunded(event: WebhookEvent) -> str:
    """``charge.refunded`` ``{"reference", "amount_refunded"}``: the charge's total refunded so far, e.g. after a
    refund made in the provider's dashboard. Only ever raises the total, never above what was captured."""
    parsed = _charge_update(event.data, "amount_refunded")
    if parsed is None:
        logger.warning("Ignoring %s %s: unreadable data %r", event.type, event.id, event.data)
        return WebhookOutcome.IGNORED
    reference, total = parsed
    updated = TestCharge.objects.filter(
        reference=reference, status__in=_REFUNDABLE, refunded_amount__lt=total, captured_amount__gte=total
    ).update(
        refunded_amount=total,
        status=Case(
            When(captured_amount=total, then=Value(ChargeStatus.REFUNDED)),
            default=Value(ChargeStatus.PARTIALLY_REFUNDED),
        ),
    )
    return WebhookOutcome.APPLIED if updated else WebhookOutcome.IGNORED


WEBHOOK_HANDLERS: dict[str, Callable[[WebhookEvent], str]] = {
    "charge.captured": on_charge_captured,
    "charge.refunded": on_charge_refunded,
}
