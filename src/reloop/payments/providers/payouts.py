"""Payout providers: who sends a seller's money to their bank, behind one ``PayoutProvider`` protocol.

Chosen by ``RELOOP_PAYOUT_PROVIDER``. The built-in ``test`` provider works offline: it accepts every transfer
and answers a retry with the same idempotency key with the same reference, so calling it twice pays once. A real
adapter (a PSP's payouts API, SEPA credit transfers) is one more entry in ``PAYOUT_PROVIDERS``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from reloop.core.money import Money
from reloop.payments import conf
from reloop.payments.errors import UnknownPaymentProvider


@dataclass(frozen=True, slots=True)
class PayoutResult:
    """The provider's answer: ``ok`` with its reference, or refused with a ``message`` for the operator."""

    ok: bool
    reference: str = ""
    message: str = ""


@runtime_checkable
class PayoutProvider(Protocol):
    """Sends money to a seller. The same ``idempotency_key`` again returns the first answer and never pays twice.
    ``destination_iban`` is empty when the seller has given no bank account."""

    name: str

    def send_payout(
        self, *, amount: Money, destination_iban: str, reference: str, idempotency_key: str
    ) -> PayoutResult: ...


class TestPayoutProvider:
    """Offline: every transfer succeeds, with a reference derived from the key (a retry gets the same one)."""

    __test__ = False  # not a pytest test class despite its name
    name = "test"

    def send_payout(
        self, *, amount: Money, destination_iban: str, reference: str, idempotency_key: str
    ) -> PayoutResult:
        digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:16]
        return PayoutResult(ok=True, reference=f"po_test_{digest}")


PAYOUT_PROVIDERS: dict[str, Callable[[], PayoutProvider]] = {"test": TestPayoutProvider}


def get_payout_provider(name: str | None = None) -> PayoutProvider:
    """The payout provider called ``name``, by default the one ``RELOOP_PAYOUT_PROVIDER`` chooses."""
    name = name or conf.payout_provider_name()
    factory = PAYOUT_PROVIDERS.get(name)
    if factory is None:
        raise UnknownPaymentProvider(f"Unknown payout provider {name!r}: use one of {', '.join(PAYOUT_PROVIDERS)}.")
    return factory()
