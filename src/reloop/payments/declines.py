"""Why a card payment was declined, as the providers' decline codes, and what to tell the buyer, in the active
language. The Stripe adapter and the test provider report the same codes (``card_declined``,
``insufficient_funds``, ``authentication_failed``…); ``checkout.failures`` adds the checkout's own reasons."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

GENERIC = "payment_failed"

MESSAGES: dict[str, Promise] = {
    GENERIC: _("The payment did not go through."),
    "authentication_failed": _("Your bank could not confirm it was you (3-D Secure failed)."),
    "card_declined": _("Your card was declined."),
    "generic_decline": _("Your card was declined."),
    "do_not_honor": _("Your card was declined."),
    "lost_card": _("Your card was declined."),
    "stolen_card": _("Your card was declined."),
    "fraudulent": _("Your card was declined."),
    "insufficient_funds": _("Your card has insufficient funds."),
    "expired_card": _("Your card has expired."),
    "incorrect_cvc": _("The card's security code is incorrect."),
    "incorrect_number": _("The card number is incorrect."),
    "processing_error": _("The card could not be processed; please try again."),
    "instalments_refused": _("Payment in instalments was refused for this card."),
}


def decline_message(code: str) -> str:
    """The buyer's words for decline ``code`` in the active language; "" for no code, the generic message for a
    code not listed."""
    if not code:
        return ""
    return str(MESSAGES.get(code) or MESSAGES[GENERIC])
