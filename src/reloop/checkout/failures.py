"""Why a checkout did not go through, as a code: stored on the order (``Order.failure_reason``), rendered in the
viewer's language when shown (``failure_message``), never stored as text in the language of whoever settled it
(a webhook has no language).

The codes are Reloop's own (``abandoned``, ``reservation_expired``, ``amount_mismatch``) and the providers' decline
codes (``payments.declines``: Stripe's ``decline_code`` or error ``code``; the test provider uses the same
names). A code not listed here is shown as the generic "The payment did not go through."
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from reloop.payments.declines import GENERIC
from reloop.payments.declines import MESSAGES as DECLINES

PAYMENT_FAILED = GENERIC
ABANDONED = "abandoned"
RESERVATION_EXPIRED = "reservation_expired"
AMOUNT_MISMATCH = "amount_mismatch"

MAX_LENGTH = 200  # Order.failure_reason

MESSAGES: dict[str, Promise] = {
    **DECLINES,
    ABANDONED: _("You left the payment page without paying."),
    RESERVATION_EXPIRED: _("Your reservation expired before the payment went through."),
    AMOUNT_MISMATCH: _("The payment amount did not match the order total."),
}


def failure_code(code: str) -> str:
    """A provider's decline code as the order stores it: lower-case, at most 200 characters; an empty or
    malformed code is ``payment_failed``."""
    value = (code or "").strip().lower()
    if not value or len(value) > MAX_LENGTH or not all(ch.isalnum() or ch == "_" for ch in value):
        return PAYMENT_FAILED
    return value


def failure_message(code: str) -> str:
    """What to tell the buyer about failure ``code``, in the active language (the generic message for a code not
    known here, or an empty one)."""
    message = MESSAGES.get(code) or MESSAGES[PAYMENT_FAILED]
    return str(message)
