"""Domain errors of the ledger, the payment providers and their webhooks, each with a stable ``code``."""

from __future__ import annotations

from reloop.core.errors import DomainError, InvalidInput, NotFound

# --- Ledger ---------------------------------------------------------------------------------------------


class InvalidTransaction(InvalidInput):
    """A ledger transaction was refused before anything was written (``code`` says which rule)."""

    code = "invalid_transaction"


class UnbalancedTransaction(InvalidTransaction):
    code = "unbalanced_transaction"


class UnknownAccount(InvalidTransaction):
    code = "unknown_account"


class IdempotencyMismatch(DomainError):
    """An idempotency key was used again for a different request: nothing was written."""

    code = "idempotency_mismatch"
    http_status = 409


class LedgerAppendOnly(DomainError):
    """Ledger rows are never changed or deleted: a mistake is fixed by a correcting transaction."""

    code = "ledger_append_only"
    http_status = 409


class InvalidShare(InvalidInput):
    code = "invalid_share"


# --- Payment providers ----------------------------------------------------------------------------------


class UnknownPaymentProvider(DomainError):
    code = "unknown_payment_provider"
    http_status = 404


class InvalidCard(InvalidInput):
    code = "invalid_card"


class InvalidPaymentAmount(InvalidInput):
    code = "invalid_payment_amount"


class ChargeNotFound(NotFound):
    code = "charge_not_found"


class CaptureRefused(DomainError):
    code = "capture_refused"
    http_status = 409


class PaymentNotConfirmable(DomainError):
    """The buyer acted on a provider page for a payment that no longer waits for it (paid, declined, cancelled)."""

    code = "payment_not_confirmable"
    http_status = 409


class RefundExceedsCaptured(DomainError):
    code = "refund_exceeds_captured"
    http_status = 409


# --- Webhooks -------------------------------------------------------------------------------------------


class InvalidWebhook(DomainError):
    """A webhook that cannot be trusted or read. Answered 400, so the provider shows it as failed."""

    code = "invalid_webhook"
    http_status = 400


class InvalidSignature(InvalidWebhook):
    code = "invalid_signature"


class StaleWebhook(InvalidWebhook):
    code = "stale_webhook"


# --- Payouts --------------------------------------------------------------------------------------------


class PayoutNotFound(NotFound):
    """No such payout for this seller (another seller's payout is answered the same way)."""

    code = "payout_not_found"


class UnknownLine(InvalidInput):
    """A refund named an order line that does not exist or is not the seller's."""

    code = "unknown_line"
