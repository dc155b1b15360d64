"""The interface every payment provider honours, and the values it answers with."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from reloop.core.money import Money


class AuthorizationStatus(enum.StrEnum):
    AUTHORIZED = "authorized"
    DECLINED = "declined"
    INSUFFICIENT_FUNDS = "insufficient_funds"


@dataclass(frozen=True, slots=True)
class Authorization:
    """The provider's answer to an authorization: only ``authorized`` may be captured."""

    status: AuthorizationStatus
    reference: str
    amount: Money
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status is AuthorizationStatus.AUTHORIZED


@dataclass(frozen=True, slots=True)
class Capture:
    reference: str
    amount: Money


@dataclass(frozen=True, slots=True)
class Refund:
    """One refund of a charge; ``total_refunded`` counts every refund of the charge so far, this one included."""

    reference: str
    charge_reference: str
    amount: Money
    total_refunded: Money


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
    the first answer and never moves money twice. Errors are ``DomainError`` subclasses with stable codes."""

    name: str

    def authorize(self, *, amount: Money, card_number: str, idempotency_key: str) -> Authorization: ...

    def capture(self, *, reference: str, amount: Money, idempotency_key: str) -> Capture: ...

    def refund(self, *, reference: str, amount: Money, idempotency_key: str) -> Refund: ...

    def verify_webhook(self, *, headers: Mapping[str, str], body: bytes) -> WebhookEvent: ...
