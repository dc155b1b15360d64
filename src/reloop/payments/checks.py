"""The ledger's invariants, each checked by one aggregate query (``reloop check_ledger``).

The services cannot write a ledger that breaks them; these checks catch what bypasses the services (raw SQL, a
bad migration, a restored backup) and what the services do not guard on their own (a refund larger than the sale
it reverses shows up as a positive seller payable or PSP receivable going negative).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, QuerySet, Sum

from reloop.payments.domain import PLATFORM_CLEARING, PLATFORM_COMMISSION, PSP_RECEIVABLE
from reloop.payments.models import LedgerAccount, LedgerTransaction, Posting, TransactionKind

#: How many offenders a failed check names.
MAX_OFFENDERS = 20


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One invariant: ``count`` offending rows (0 when it holds) and the first ``MAX_OFFENDERS`` of them."""

    name: str
    count: int
    offenders: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.count == 0


def _result(name: str, rows: QuerySet, describe: Callable[[dict], str]) -> CheckResult:
    """Count ``rows`` and name the first offenders: two queries, the second only when the check fails."""
    count = rows.count()
    offenders = tuple(describe(row) for row in rows[:MAX_OFFENDERS]) if count else ()
    return CheckResult(name=name, count=count, offenders=offenders)


def _transaction(row: dict) -> str:
    return f"transaction {row['transaction_id']} ({row['currency']} {row['total']:+d})"


def _account(row: dict) -> str:
    return f"{row['code']} {row['currency']} ({row['total']:+d})"


def _account_balances(code: str) -> QuerySet:
    return (
        LedgerAccount.objects.filter(code=code)
        .annotate(total=Sum("postings__amount"))
        .values("id", "code", "currency", "total")
        .order_by("id")
    )


def run_checks() -> list[CheckResult]:
    """Every invariant of docs/adr/0009-ledger.md, in order. About a dozen queries whatever the ledger's size."""
    unbalanced = (
        Posting.objects.values("transaction_id", "currency")
        .annotate(total=Sum("amount"))
        .exclude(total=0)
        .order_by("transaction_id", "currency")
    )
    too_few = (
        LedgerTransaction.objects.annotate(legs=Count("postings"))
        .filter(legs__lt=2)
        .values("id", "legs")
        .order_by("id")
    )
    zero = Posting.objects.filter(amount=0).values("id", "transaction_id").order_by("id")
    wrong_currency = (
        Posting.objects.exclude(currency=F("account__currency"))
        .values("id", "transaction_id", "currency", "account__currency")
        .order_by("id")
    )
    global_sums = Posting.objects.values("currency").annotate(total=Sum("amount")).exclude(total=0).order_by("currency")
    payouts = Posting.objects.filter(account=OuterRef("pk"), transaction__kind=TransactionKind.PAYOUT)
    seller_payables = (
        LedgerAccount.objects.filter(code__startswith="seller:")
        .annotate(total=Sum("postings__amount"), paid_out=Exists(payouts))
        .filter(total__gt=0, paid_out=False)
        .values("id", "code", "currency", "total")
        .order_by("id")
    )
    return [
        _result("each transaction sums to zero per currency", unbalanced, _transaction),
        _result(
            "each transaction has at least two postings",
            too_few,
            lambda row: f"transaction {row['id']} ({row['legs']} posting(s))",
        ),
        _result("no posting is zero", zero, lambda row: f"transaction {row['transaction_id']} (posting {row['id']})"),
        _result(
            "each posting is in its account's currency",
            wrong_currency,
            lambda row: (
                f"transaction {row['transaction_id']} (posting {row['id']}: {row['currency']} "
                f"on a {row['account__currency']} account)"
            ),
        ),
        _result(
            "all postings sum to zero per currency",
            global_sums,
            lambda row: f"{row['currency']} ({row['total']:+d})",
        ),
        _result(
            f"{PLATFORM_CLEARING} balance ≤ 0 (never splits more than was captured)",
            _account_balances(PLATFORM_CLEARING).filter(total__gt=0),
            _account,
        ),
        _result(
            f"{PSP_RECEIVABLE} balance ≥ 0 (never refunds more than was captured)",
            _account_balances(PSP_RECEIVABLE).filter(total__lt=0),
            _account,
        ),
        _result(
            f"{PLATFORM_COMMISSION} balance ≤ 0 (never returns more commission than was charged)",
            _account_balances(PLATFORM_COMMISSION).filter(total__gt=0),
            _account,
        ),
        _result(
            "seller payables ≤ 0 unless a payout was made (a refund after payout is owed by the seller)",
            seller_payables,
            _account,
        ),
    ]


def failed(results: Iterable[CheckResult]) -> list[CheckResult]:
    return [result for result in results if not result.ok]
