"""The ledger's invariants, each checked by one aggregate query (``reloop check_ledger``).

The services cannot write a ledger that breaks them; these checks catch what bypasses the services (raw SQL, a
bad migration, a restored backup) and what the services do not guard on their own (a refund larger than the sale
it reverses shows up as a positive seller payable or PSP receivable going negative).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from reloop.orders.models import SellerOrder
from reloop.payments.domain import PLATFORM_CLEARING, PLATFORM_COMMISSION, PSP_PAYOUTS, PSP_RECEIVABLE
from reloop.payments.models import (
    LedgerAccount,
    LedgerTransaction,
    LineRefund,
    LineRelease,
    Payout,
    PayoutStatus,
    Posting,
    TransactionKind,
)

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
    seller_holds = (
        LedgerAccount.objects.filter(code__startswith="seller:", code__endswith=":payable")
        .annotate(total=Sum("postings__amount"))
        .filter(total__gt=0)
        .values("id", "code", "currency", "total")
        .order_by("id")
    )
    payouts = Payout.objects.filter(seller_id=OuterRef("seller_id"), currency=OuterRef("currency"))
    tradeins = Posting.objects.filter(account=OuterRef("pk"), transaction__kind=TransactionKind.TRADEIN)
    seller_available = (
        LedgerAccount.objects.filter(code__startswith="seller:", code__endswith=":available")
        .annotate(total=Sum("postings__amount"), paid_out=Exists(payouts), bought=Exists(tradeins))
        .filter(total__gt=0, paid_out=False, bought=False)
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
            "seller money on hold (seller:<id>:payable) ≤ 0 (never released or refunded more than was held)",
            seller_holds,
            _account,
        ),
        _result(
            "seller available balances ≤ 0 unless paid out or charged for trade-ins (then owed by the seller)",
            seller_available,
            _account,
        ),
        _result(
            "customer trade-in balances (customer:<id>:credit / :payable) ≤ 0 (never spent or paid more than owed)",
            LedgerAccount.objects.filter(code__startswith="customer:")
            .annotate(total=Sum("postings__amount"))
            .filter(total__gt=0)
            .values("id", "code", "currency", "total")
            .order_by("id"),
            _account,
        ),
        *_payout_checks(),
        *(result for extra in EXTRA_CHECKS for result in extra()),
    ]


#: Checks of higher layers over their own ledger references (``buyback`` adds the trade-in ones in its
#: ``AppConfig.ready``): each returns ``CheckResult`` rows like the ones above.
EXTRA_CHECKS: list[Callable[[], list[CheckResult]]] = []


def _seller_posting(transaction: str, code_suffix: str) -> Subquery:
    """The sum of the postings of transaction ``OuterRef(transaction)`` on the outer row's seller account."""
    rows = (
        Posting.objects.filter(
            transaction=OuterRef(transaction),
            account__seller_id=OuterRef("seller_id"),
            account__code__endswith=code_suffix,
            currency=OuterRef("currency"),
        )
        .values("transaction")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Subquery(rows)


def _sum_of(model: type[LineRelease] | type[LineRefund], **filters: object) -> Coalesce:
    rows = (
        model.objects.filter(seller_order=OuterRef("pk"), **filters)
        .values("seller_order")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(rows), Value(0))


def _payout_checks() -> list[CheckResult]:
    """The payout invariants of docs/adr/0017-payouts.md: every payout, reversal and release is exactly its
    ledger transaction, nothing leaves a seller's available balance outside them, and no seller order releases
    more than it earned."""
    payout_mismatch = (
        Payout.objects.annotate(posted=Coalesce(_seller_posting("transaction_id", ":available"), Value(0)))
        .filter(~Q(posted=F("amount")) | ~Q(transaction__kind=TransactionKind.PAYOUT))
        .values("id", "amount", "posted")
        .order_by("id")
    )
    reversal_mismatch = (
        Payout.objects.filter(status=PayoutStatus.FAILED)
        .annotate(posted=Coalesce(_seller_posting("reversal_id", ":available"), Value(0)))
        .exclude(posted=-F("amount"))
        .values("id", "amount", "posted")
        .order_by("id")
    )
    unexplained = (
        Posting.objects.filter(account__code__startswith="seller:", account__code__endswith=":available")
        .filter(
            transaction__line_release__isnull=True,
            transaction__line_refund__isnull=True,
            transaction__payout__isnull=True,
            transaction__payout_reversal__isnull=True,
        )
        .exclude(transaction__kind=TransactionKind.TRADEIN)
        .values("id", "transaction_id")
        .order_by("id")
    )
    release_mismatch = (
        LineRelease.objects.filter(transaction__isnull=False)
        .annotate(posted=Coalesce(_seller_posting("transaction_id", ":payable"), Value(0)))
        .exclude(posted=F("amount"))
        .values("id", "line_id", "amount", "posted")
        .order_by("id")
    )
    over_released = (
        SellerOrder.objects.annotate(
            released=_sum_of(LineRelease), held_refunds=_sum_of(LineRefund, from_available=False)
        )
        .filter(released__gt=0)
        .filter(released__gt=F("total") - F("commission") - F("held_refunds"))
        .values("id", "released", "held_refunds")
        .order_by("id")
    )
    return [
        _result(
            f"{PSP_PAYOUTS} balance ≤ 0 (never more back from failed payouts than was sent)",
            _account_balances(PSP_PAYOUTS).filter(total__gt=0),
            _account,
        ),
        _result(
            "each payout equals its ledger transaction (debit of the seller's available balance)",
            payout_mismatch,
            lambda row: f"payout {row['id']} ({row['amount']} vs {row['posted']} posted)",
        ),
        _result(
            "each failed payout is reversed by exactly its amount",
            reversal_mismatch,
            lambda row: f"payout {row['id']} ({row['amount']} vs {row['posted']} reversed)",
        ),
        _result(
            "seller available balances move only by releases, line refunds, payouts, their reversals and trade-ins",
            unexplained,
            lambda row: f"transaction {row['transaction_id']} (posting {row['id']})",
        ),
        _result(
            "each release equals its ledger transaction",
            release_mismatch,
            lambda row: f"line {row['line_id']} ({row['amount']} vs {row['posted']} posted)",
        ),
        _result(
            "no seller order releases more than it earned (net of commission and refunds from the hold)",
            over_released,
            lambda row: f"seller order {row['id']} ({row['released']} released, {row['held_refunds']} refunded)",
        ),
    ]


def failed(results: Iterable[CheckResult]) -> list[CheckResult]:
    return [result for result in results if not result.ok]
