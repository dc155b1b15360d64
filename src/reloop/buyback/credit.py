"""Reloop credit at checkout: the customer's trade-in credit (``customer:<id>:credit`` in the ledger) pays an
order whole, and what is refunded on such an order goes back to the credit (docs/adr/0027-trade-in.md).

An order paid with credit has the payment reference ``credit:<order number>`` and no payment at the provider.
Spending locks the customer's credit account row (PostgreSQL; SQLite serializes writers), re-reads the balance
and posts ``customer:credit → platform:clearing`` under the order's key, so two checkouts cannot spend the same
credit twice and a retried one spends once.
"""

from __future__ import annotations

from django.db.models import Sum
from django.utils.translation import gettext as _

from reloop.core.errors import DomainError
from reloop.core.money import Money
from reloop.payments import domain as ledger
from reloop.payments.models import LedgerAccount, LedgerTransaction, Posting, TransactionKind
from reloop.payments.services import post_transaction

PREFIX = "credit:"


class NotEnoughCredit(DomainError):
    code = "not_enough_credit"
    http_status = 409


def payment_reference(order_number: str) -> str:
    return f"{PREFIX}{order_number}"


def is_credit_payment(reference: str) -> bool:
    return reference.startswith(PREFIX)


def available_credit(*, user_id: int, currency: str) -> int:
    """The customer's credit in ``currency``, minor units, ≥ 0 (one query)."""
    total = Posting.objects.filter(account__code=ledger.customer_credit(user_id), currency=currency).aggregate(
        total=Sum("amount")
    )["total"]
    return max(0, -(total or 0))


def spend_credit(*, user_id: int, amount: Money, key: str, reference: str) -> None:
    """Pay ``amount`` from the customer's credit into the platform's clearing account; ``NotEnoughCredit`` when
    the balance is short. Inside the caller's transaction; the same ``key`` again spends nothing more."""
    if LedgerTransaction.objects.filter(idempotency_key=key).exists():
        return
    code = ledger.customer_credit(user_id)
    list(LedgerAccount.objects.select_for_update().filter(code=code, currency=amount.currency))  # the lock
    if available_credit(user_id=user_id, currency=amount.currency) < amount.amount:
        raise NotEnoughCredit(_("Your Reloop credit does not cover this order."))
    post_transaction(
        idempotency_key=key,
        kind=TransactionKind.PAYMENT,
        reference=reference,
        memo="Paid with Reloop credit",
        postings=[(code, amount), (ledger.PLATFORM_CLEARING, -amount)],
    )


def refund_to_credit(*, user_id: int, amount: Money, key: str, reference: str) -> None:
    """A refund on an order paid with credit: the refund's postings credited ``psp:receivable`` as for a card;
    this moves that amount to the customer's credit instead (no money left the PSP)."""
    if amount.amount <= 0:
        return
    post_transaction(
        idempotency_key=key,
        kind=TransactionKind.REFUND,
        reference=reference,
        memo="Refunded to Reloop credit",
        postings=[(ledger.PSP_RECEIVABLE, amount), (ledger.customer_credit(user_id), -amount)],
    )
