"""The interface every payment provider honours, and the values it answers with.

A payment is created by Reloop's server for an exact amount (a PaymentIntent, a session), then confirmed by the
buyer **with the provider**, in the provider's own page or fields: the card number never reaches Reloop. Reloop
learns the outcome from the provider (a signed webhook, or asking after the buyer's return redirect) and captures
the authorized amount when it places the order (docs/adr/0019-payment-flow.md).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from reloop.core.money import Money


class PaymentStatus(enum.StrEnum):
    """Where a payment stands at the provider. Only ``authorized`` may be captured; ``captured`` is money taken."""

    REQUIRES_PAYMENT = "requires_payment"  # created; the buyer has not confirmed it yet
    REQUIRES_ACTION = "requires_action"  # the bank asks the buyer to authenticate (3-D Secure)
    PROCESSING = "processing"  # confirmed, the provider has not answered yet
    AUTHORIZED = "authorized"  # confirmed and authorized: to capture at placement, or to void
    CAPTURED = "captured"  # money taken (refunds are counted in ``refunded``)
    FAILED = "failed"  # declined, authentication failed, instalments refused
    CANCELED = "canceled"  # voided before capture, or abandoned

    @property
    def final(self) -> bool:
        return self in (PaymentStatus.CAPTURED, PaymentStatus.FAILED, PaymentStatus.CANCELED)


@dataclass(frozen=True, slots=True)
class Payment:
    """A payment as the provider sees it now."""

    reference: str  # the provider's id (``pi_…``)
    status: PaymentStatus
    amount: Money
    order_reference: str = ""  # what Reloop gave at creation (the order number)
    redirect_url: str = ""  # where the buyer confirms it (the provider's page), while it needs the buyer
    captured: Money | None = None
    refunded: Money | None = None
    instalments: int = 1
    failure_code: str = ""
    failure_message: str = ""
    created: datetime | None = None

    @property
    def captured_amount(self) -> Money:
        return self.captured if self.captured is not None else Money.zero(self.amount.currency)

    @property
    def refunded_amount(self) -> Money:
        return self.refunded if self.refunded is not None else Money.zero(self.amount.currency)


@dataclass(frozen=True, slots=True)
class Capture:
    reference: str
    amount: Money


@dataclass(frozen=True, slots=True)
class Refund:
    """One refund of a payment; ``total_refunded`` counts every refund of the payment so far, this one included."""

    reference: str
    charge_reference: str
    amount: Money
    total_refunded: Money


@dataclass(frozen=True, slots=True)
class InstalmentPlan:
    """ "Pay in ``count``": the provider pays the platform the whole amount at once and collects ``schedule`` from
    the buyer (the instalment risk is the provider's)."""

    count: int
    schedule: tuple[Money, ...]

    @property
    def first(self) -> Money:
        return self.schedule[0]

    @property
    def even(self) -> bool:
        return len(set(self.schedule)) == 1


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """A verified provider event. ``data`` is the provider's payload, read by the handler of ``type``."""

    id: str
    type: str
    data: Mapping[str, Any] = field(default_factory=dict)
    created: int | None = None


@runtime_checkable
class PaymentProvider(Protocol):
    """A payment service provider. Every money-moving call takes an idempotency key: the same key again returns
    the first answer and never moves money twice. Errors are ``DomainError`` subclasses with stable codes.

    No method takes card data: the buyer gives it to the provider, on ``Payment.redirect_url``.
    """

    name: str

    def create_payment(
        self, *, amount: Money, order_reference: str, return_url: str, idempotency_key: str, instalments: int = 1
    ) -> Payment:
        """A payment of exactly ``amount`` for the buyer to confirm at ``redirect_url``; the provider sends them
        back to ``return_url`` afterwards. Authorized only: Reloop captures at placement."""
        ...

    def retrieve_payment(self, *, reference: str) -> Payment: ...

    def capture(self, *, reference: str, amount: Money, idempotency_key: str) -> Capture: ...

    def cancel_payment(self, *, reference: str, idempotency_key: str) -> Payment:
        """Void an authorization (or abandon a payment not confirmed yet): the buyer is not charged."""
        ...

    def refund(self, *, reference: str, amount: Money, idempotency_key: str) -> Refund: ...

    def verify_webhook(self, *, headers: Mapping[str, str], body: bytes) -> WebhookEvent: ...

    def payment_reference_of(self, event: WebhookEvent) -> str | None:
        """The payment a verified event is about, when it is about one."""
        ...

    def recent_payments(self, *, since: datetime) -> Sequence[Payment]:
        """The payments created since ``since``, for reconciliation."""
        ...

    def instalment_plans(self, *, amount: Money) -> Sequence[InstalmentPlan]:
        """The "pay in n" plans the provider offers for ``amount`` (none outside its limits or currencies)."""
        ...
