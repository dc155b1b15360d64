"""Ledger reads. A balance is always the sum of postings, computed by the database, never a stored counter."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Prefetch, Sum
from django.db.models.functions import Coalesce

from reloop.core.money import Money
from reloop.payments.models import LedgerAccount, LedgerTransaction, Posting


@dataclass(frozen=True, slots=True)
class AccountBalance:
    """One account with its balance (debit positive: an asset is positive, a liability or revenue negative)."""

    code: str
    name: str
    kind: str
    seller_name: str | None
    balance: Money


def balance(account_code: str, currency: str) -> Money:
    """The sum of the postings of one account in one currency; zero for an account never used. One query."""
    total = Posting.objects.filter(account__code=account_code, account__currency=currency).aggregate(
        total=Sum("amount")
    )["total"]
    return Money(total or 0, currency)


def balances() -> list[AccountBalance]:
    """Every account with its balance, by currency then code, in one aggregate query."""
    accounts = (
        LedgerAccount.objects.select_related("seller")
        .annotate(total=Coalesce(Sum("postings__amount"), 0))
        .order_by("currency", "code")
    )
    return [
        AccountBalance(
            code=account.code,
            name=account.name,
            kind=account.kind,
            seller_name=account.seller.name if account.seller else None,
            balance=Money(account.total, account.currency),
        )
        for account in accounts
    ]


def totals_by_currency(accounts: Sequence[AccountBalance]) -> dict[str, Money]:
    """The sum of all balances per currency, which double entry keeps at zero. No query."""
    totals: dict[str, int] = defaultdict(int)
    for account in accounts:
        totals[account.balance.currency] += account.balance.amount
    return {currency: Money(total, currency) for currency, total in sorted(totals.items())}


def latest_transactions(*, limit: int = 50) -> list[LedgerTransaction]:
    """The newest transactions with their postings and accounts. Two queries whatever the number of postings."""
    postings = Posting.objects.select_related("account").order_by("id")
    return list(
        LedgerTransaction.objects.order_by("-created_at", "-id").prefetch_related(
            Prefetch("postings", queryset=postings)
        )[:limit]
    )
