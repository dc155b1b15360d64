"""The built-in offline payment provider, for development, demos and tests. It never touches the network.

It works as a real provider does: Reloop's server creates a payment for an exact amount; the buyer confirms it on
**the provider's own card page** (``/_provider/test/pay/<reference>/``, served by ``payments.testprovider_views``,
never a Reloop view), with a 3-D Secure challenge page for the cards that need one; the provider then sends a
signed webhook and redirects the buyer back to Reloop. Reloop captures the authorized amount when it places the
order. Its payments live in the database (``TestCharge``, ``TestRefund``), keyed on the caller's idempotency keys,
so a retried call gets the first answer in any process and money never moves twice.

Test cards (any future expiry date and any CVC are accepted; the page asks for none):

=======================  ===========================================================================
card number              outcome
=======================  ===========================================================================
4242 4242 4242 4242      authorized at once
4000 0027 6000 3184      3-D Secure challenge: "Complete authentication" authorizes, "Fail" declines
                         (``authentication_failed``)
4000 0000 0000 0002      declined (``card_declined``)
4000 0000 0000 9995      declined (``insufficient_funds``)
4000 0000 0000 9979      authorized for a card payment, instalments refused (``instalments_refused``)
any other valid number   authorized (it must pass the Luhn check)
an invalid number        refused on the page (no change to the payment)
=======================  ===========================================================================

A decline (or a failed challenge) does not end the payment: as a Stripe PaymentIntent goes back to
``requires_payment_method``, the payment waits for another card, with the decline code as ``failure_code``,
and the card page says why and asks for another card. The buyer may retry while Reloop's reservation holds.

Instalments ("pay in 3", "pay in 4"): offered for EUR and GBP totals from 100.00 to 2,000.00
(``INSTALMENT_LIMITS``); the platform is paid the whole amount at once.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Case, F, Value, When
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from stdnum import luhn

from reloop.core.clock import now
from reloop.core.money import Money
from reloop.payments import conf
from reloop.payments.declines import decline_message
from reloop.payments.domain import MAX_IDEMPOTENCY_KEY_LENGTH
from reloop.payments.errors import (
    CaptureRefused,
    ChargeNotFound,
    IdempotencyMismatch,
    InvalidCard,
    InvalidPaymentAmount,
    PaymentNotConfirmable,
    RefundExceedsCaptured,
)
from reloop.payments.instalments import plans_within
from reloop.payments.models import ChargeStatus, TestCharge, TestRefund, WebhookOutcome
from reloop.payments.providers.base import Capture as CaptureResult
from reloop.payments.providers.base import InstalmentPlan, Payment, PaymentStatus, Refund, WebhookEvent
from reloop.payments.webhooks import SIGNATURE_HEADER, parse_event, sign_webhook, signature_from, verify_signature

logger = logging.getLogger(__name__)

CARD_SUCCEEDS = "4242424242424242"
CARD_3DS = "4000002760003184"
CARD_DECLINED = "4000000000000002"
CARD_INSUFFICIENT_FUNDS = "4000000000009995"
CARD_INSTALMENTS_REFUSED = "4000000000009979"
#: The documented cards, as shown on the provider's page (outcomes translated: src/reloop/checkout/locale).
TEST_CARDS: tuple[tuple[str, Promise], ...] = (
    ("4242 4242 4242 4242", pgettext_lazy("test card", "authorized")),
    ("4000 0027 6000 3184", pgettext_lazy("test card", "3-D Secure challenge, then authorized or declined")),
    ("4000 0000 0000 0002", pgettext_lazy("test card", "declined")),
    ("4000 0000 0000 9995", pgettext_lazy("test card", "insufficient funds")),
    ("4000 0000 0000 9979", pgettext_lazy("test card", "instalments refused")),
)
_DECLINES = {CARD_DECLINED: "card_declined", CARD_INSUFFICIENT_FUNDS: "insufficient_funds"}

#: Instalments: the currencies and totals (minor units, inclusive) the test provider finances, and the plans.
INSTALMENT_LIMITS: dict[str, tuple[int, int]] = {"EUR": (10000, 200000), "GBP": (10000, 200000)}
INSTALMENT_COUNTS = (3, 4)

#: The webhook event type the test provider sends whenever a payment changes.
PAYMENT_UPDATED = "payment.updated"

_STATUS: dict[str, PaymentStatus] = {
    ChargeStatus.REQUIRES_PAYMENT: PaymentStatus.REQUIRES_PAYMENT,
    ChargeStatus.REQUIRES_ACTION: PaymentStatus.REQUIRES_ACTION,
    ChargeStatus.AUTHORIZED: PaymentStatus.AUTHORIZED,
    ChargeStatus.FAILED: PaymentStatus.FAILED,
    ChargeStatus.CANCELED: PaymentStatus.CANCELED,
    ChargeStatus.CAPTURED: PaymentStatus.CAPTURED,
    ChargeStatus.PARTIALLY_REFUNDED: PaymentStatus.CAPTURED,
    ChargeStatus.REFUNDED: PaymentStatus.CAPTURED,
}
_REFUNDABLE = (ChargeStatus.CAPTURED, ChargeStatus.PARTIALLY_REFUNDED)
_CANCELLABLE = (ChargeStatus.REQUIRES_PAYMENT, ChargeStatus.REQUIRES_ACTION, ChargeStatus.AUTHORIZED)


def card_digits(card: str) -> str:
    """The digits of a card number typed with spaces or dashes, or ``InvalidCard``. Used by the provider's own
    page only."""
    digits = "".join(ch for ch in str(card) if ch not in " -")
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


def _new_reference(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


def _payment(charge: TestCharge) -> Payment:
    status = _STATUS[charge.status]
    needs_buyer = status in (PaymentStatus.REQUIRES_PAYMENT, PaymentStatus.REQUIRES_ACTION)
    return Payment(
        reference=charge.reference,
        status=status,
        amount=Money(charge.amount, charge.currency),
        order_reference=charge.order_reference,
        redirect_url=reverse("test_provider_pay", args=[charge.reference]) if needs_buyer else "",
        captured=Money(charge.captured_amount, charge.currency),
        refunded=Money(charge.refunded_amount, charge.currency),
        instalments=charge.instalments,
        failure_code=charge.failure_code,
        failure_message=_failure_message(charge.failure_code),
        created=charge.created_at,
    )


def _failure_message(code: str) -> str:
    if code == "abandoned":
        return _("The payment was abandoned.")
    return decline_message(code)


class TestProvider:
    """The offline ``PaymentProvider``: a hosted card page, 3-D Secure, instalments, database-backed idempotency,
    signed webhooks."""

    __test__ = False  # a payment provider, not a pytest test class

    name = "test"

    # --- Reloop's server calls ------------------------------------------------------------------------------

    def create_payment(
        self, *, amount: Money, order_reference: str, return_url: str, idempotency_key: str, instalments: int = 1
    ) -> Payment:
        """A payment awaiting the buyer on the provider's page. The same key again returns the same payment, or
        raises ``IdempotencyMismatch`` if the amount, order or instalments differ."""
        _check_key(idempotency_key)
        _check_amount(amount)
        if instalments != 1 and instalments not in {p.count for p in self.instalment_plans(amount=amount)}:
            raise InvalidPaymentAmount(
                f"Payment in {instalments} instalments is not offered for {amount}.", code="instalments_unavailable"
            )
        charge = TestCharge.objects.filter(idempotency_key=idempotency_key).first()
        if charge is None:
            try:
                with transaction.atomic():
                    charge = TestCharge.objects.create(
                        reference=_new_reference("pi"),
                        idempotency_key=idempotency_key,
                        amount=amount.amount,
                        currency=amount.currency,
                        order_reference=order_reference[:40],
                        return_url=return_url[:500],
                        instalments=instalments,
                        status=ChargeStatus.REQUIRES_PAYMENT,
                    )
            except IntegrityError:  # the same key raced us: its payment is the answer
                charge = TestCharge.objects.filter(idempotency_key=idempotency_key).first()
                if charge is None:
                    raise
        if (charge.amount, charge.currency, charge.order_reference, charge.instalments) != (
            amount.amount,
            amount.currency,
            order_reference[:40],
            instalments,
        ):
            raise IdempotencyMismatch(
                f"Idempotency key {idempotency_key!r} was used for another payment ({charge.reference})."
            )
        return _payment(charge)

    def retrieve_payment(self, *, reference: str) -> Payment:
        return _payment(self._charge(reference))

    def capture(self, *, reference: str, amount: Money, idempotency_key: str) -> CaptureResult:
        """Capture up to the authorized amount, once (the rest of the authorization is released)."""
        _check_key(idempotency_key)
        _check_amount(amount)
        charge = self._charge(reference)
        if amount.currency != charge.currency or amount.amount > charge.amount:
            authorized = Money(charge.amount, charge.currency)
            raise CaptureRefused(f"Cannot capture {amount} of payment {reference}, authorized for {authorized}.")
        captured = TestCharge.objects.filter(pk=charge.pk, status=ChargeStatus.AUTHORIZED).update(
            status=ChargeStatus.CAPTURED, captured_amount=amount.amount, capture_idempotency_key=idempotency_key
        )
        if captured:
            return CaptureResult(reference=reference, amount=amount)
        charge.refresh_from_db()
        if charge.capture_idempotency_key == idempotency_key:
            if charge.captured_amount != amount.amount:
                raise IdempotencyMismatch(
                    f"Idempotency key {idempotency_key!r} captured {Money(charge.captured_amount, charge.currency)}, "
                    f"not {amount}."
                )
            return CaptureResult(reference=reference, amount=amount)
        if charge.status in _REFUNDABLE or charge.status == ChargeStatus.REFUNDED:
            raise CaptureRefused(f"Payment {reference} was already captured.", code="already_captured")
        raise CaptureRefused(f"Payment {reference} is not authorized ({charge.status}).", code="not_authorized")

    def cancel_payment(self, *, reference: str, idempotency_key: str) -> Payment:
        """Void an authorization or abandon an unconfirmed payment. Cancelling again answers the same; a captured
        payment is refused (``already_captured``: refund it instead); a failed one is left as it is."""
        _check_key(idempotency_key)
        charge = self._charge(reference)
        TestCharge.objects.filter(pk=charge.pk, status__in=_CANCELLABLE).update(
            status=ChargeStatus.CANCELED,
            failure_code=Case(When(failure_code="", then=Value("abandoned")), default=F("failure_code")),
        )
        charge.refresh_from_db()
        if charge.status in (*_REFUNDABLE, ChargeStatus.REFUNDED):
            raise CaptureRefused(f"Payment {reference} was captured: refund it instead.", code="already_captured")
        return _payment(charge)

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
            raise RefundExceedsCaptured(f"Payment {reference} is in {charge.currency}, not {amount.currency}.")
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
                        f"Cannot refund {amount} of payment {reference}: {left} is left to refund "
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

    def recent_payments(self, *, since: datetime) -> Sequence[Payment]:
        return [_payment(c) for c in TestCharge.objects.filter(created_at__gte=since).order_by("pk")]

    def instalment_plans(self, *, amount: Money) -> Sequence[InstalmentPlan]:
        return plans_within(amount=amount, limits=INSTALMENT_LIMITS, counts=INSTALMENT_COUNTS)

    def _charge(self, reference: str) -> TestCharge:
        charge = TestCharge.objects.filter(reference=reference).first()
        if charge is None:
            raise ChargeNotFound(f"No payment {reference!r}.")
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

    # --- The buyer on the provider's page (payments.testprovider_views; tests and the demo act the same way) ----

    def confirm_with_card(self, *, reference: str, card: str) -> Payment:
        """The buyer typed ``card`` on the provider's page. Raises ``InvalidCard`` (nothing changes) or
        ``PaymentNotConfirmable`` when the payment no longer waits for a card."""
        digits = card_digits(card)
        charge = self._charge(reference)
        if digits == CARD_3DS:
            status, failure = ChargeStatus.REQUIRES_ACTION, ""
        elif digits in _DECLINES:  # declined: the payment waits for another card
            status, failure = ChargeStatus.REQUIRES_PAYMENT, _DECLINES[digits]
        elif digits == CARD_INSTALMENTS_REFUSED and charge.instalments > 1:
            status, failure = ChargeStatus.REQUIRES_PAYMENT, "instalments_refused"
        else:
            status, failure = ChargeStatus.AUTHORIZED, ""
        updated = TestCharge.objects.filter(pk=charge.pk, status=ChargeStatus.REQUIRES_PAYMENT).update(
            status=status, failure_code=failure, card_last4=digits[-4:]
        )
        if not updated:
            raise PaymentNotConfirmable(_("This payment is no longer waiting for a card."))
        return self.retrieve_payment(reference=reference)

    def authenticate(self, *, reference: str, passed: bool) -> Payment:
        """The buyer completed (or failed) the 3-D Secure challenge; a failed one waits for another card."""
        charge = self._charge(reference)
        updated = TestCharge.objects.filter(pk=charge.pk, status=ChargeStatus.REQUIRES_ACTION).update(
            status=ChargeStatus.AUTHORIZED if passed else ChargeStatus.REQUIRES_PAYMENT,
            failure_code="" if passed else "authentication_failed",
        )
        if not updated:
            raise PaymentNotConfirmable(_("This payment is not waiting for authentication."))
        return self.retrieve_payment(reference=reference)

    def return_url(self, *, reference: str) -> str:
        """Where the provider sends the buyer back, with the payment's reference appended."""
        charge = self._charge(reference)
        separator = "&" if "?" in charge.return_url else "?"
        return f"{charge.return_url}{separator}payment={charge.reference}"

    # --- Webhooks -------------------------------------------------------------------------------------------

    def verify_webhook(self, *, headers: Mapping[str, str], body: bytes) -> WebhookEvent:
        """Check the signature against ``RELOOP_PAYMENT_WEBHOOK_SECRET`` (any of its secrets) and read the event."""
        verify_signature(
            header=signature_from(headers), body=body, secrets=conf.webhook_secrets(), now=int(now().timestamp())
        )
        return parse_event(body)

    def payment_reference_of(self, event: WebhookEvent) -> str | None:
        reference = event.data.get("reference")
        return reference if event.type == PAYMENT_UPDATED and isinstance(reference, str) else None

    def payment_event(self, *, reference: str, event_id: str | None = None) -> tuple[dict[str, str], bytes]:
        """The signed ``payment.updated`` webhook the provider sends after a payment changed."""
        payment = self.retrieve_payment(reference=reference)
        return self.signed_event(
            event_type=PAYMENT_UPDATED,
            data={"reference": payment.reference, "status": str(payment.status), "order": payment.order_reference},
            event_id=event_id,
        )

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


def on_payment_updated(event: WebhookEvent) -> str:
    """``payment.updated`` ``{"reference", "status"}``: Reloop's reaction (capture and place, or close) runs in
    checkout on commit; here we only say whether the payment is one of ours."""
    reference = event.data.get("reference")
    if not isinstance(reference, str) or not TestCharge.objects.filter(reference=reference).exists():
        logger.warning("Ignoring %s %s: unknown payment %r", event.type, event.id, reference)
        return WebhookOutcome.IGNORED
    return WebhookOutcome.APPLIED


WEBHOOK_HANDLERS = {PAYMENT_UPDATED: on_payment_updated}
