"""Ledger reads. A balance is always the sum of postings, computed by the database, never a stored counter."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from reloop.core.money import Money
from reloop.orders.domain import LineState
from reloop.orders.models import OrderLine
from reloop.payments import conf, domain
from reloop.payments.errors import PayoutNotFound
from reloop.payments.models import (
    LedgerAccount,
    LedgerTransaction,
    LineRefund,
    LineRelease,
    Payout,
    PayoutRun,
    PayoutStatus,
    Posting,
)
from reloop.sellers.models import Seller

#: Line states whose money is released once the hold after delivery ends (services.release_matured_lines).
RELEASABLE_STATES = (LineState.DELIVERED, LineState.COMPLETED, LineState.REFUNDED)


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


# --- Payouts (docs/payouts.md) ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SellerPayoutBalance:
    """What the platform owes one seller in one currency, in the seller's terms (positive = owed to the seller).

    ``available`` is negative when a refund after a payout left a debt, recovered from the next payouts.
    ``estimated_next`` is the next run's payout if nothing else happens: the available balance plus the net of
    the lines whose hold ends by then (refunds and returns meanwhile change it), never below zero."""

    currency: str
    on_hold: Money
    available: Money
    next_run_date: dt.date
    estimated_next: Money


def seller_payout_balances(*, seller: Seller, today: dt.date) -> list[SellerPayoutBalance]:
    """The seller's balances per currency and the next payout (today, on a payout day whose run has not finished).
    Three queries whatever the history."""
    days = conf.payout_days()
    next_run = domain.next_run_date(today, days)
    if (
        domain.latest_run_date(today, days) == today
        and not PayoutRun.objects.filter(run_date=today, finished_at__isnull=False).exists()
    ):
        next_run = today
    ledger = {
        (code, currency): -(total or 0)
        for code, currency, total in LedgerAccount.objects.filter(seller=seller)
        .values("code", "currency")
        .annotate(total=Sum("postings__amount"))
        .values_list("code", "currency", "total")
    }
    hold_days = conf.payout_hold_days()
    # Lines delivered before this moment are released by the next run (see services.release_matured_lines).
    cutoff = dt.datetime.combine(next_run - dt.timedelta(days=hold_days - 1), dt.time.min, tzinfo=dt.UTC)
    maturing = dict(
        OrderLine.objects.filter(
            seller_order__seller=seller,
            state__in=RELEASABLE_STATES,
            delivered_at__lt=cutoff,
            payout_release__isnull=True,
        )
        .values("seller_order__order__currency")
        .annotate(total=Sum(F("line_total") - F("commission")))
        .values_list("seller_order__order__currency", "total")
    )
    currencies = sorted({currency for _, currency in ledger} | set(maturing))
    result = []
    for currency in currencies:
        held = ledger.get((domain.seller_payable(seller.pk), currency), 0)
        available = ledger.get((domain.seller_available(seller.pk), currency), 0)
        estimate = max(0, available + min(held, maturing.get(currency, 0)))
        result.append(
            SellerPayoutBalance(
                currency=currency,
                on_hold=Money(held, currency),
                available=Money(available, currency),
                next_run_date=next_run,
                estimated_next=Money(estimate, currency),
            )
        )
    return result


def seller_payouts(*, seller: Seller) -> QuerySet[Payout]:
    """One seller's payouts, newest run first. One query per page."""
    return Payout.objects.filter(seller=seller).order_by("-run_date", "-pk")


@dataclass(frozen=True, slots=True)
class PayoutStatement:
    """What one payout paid: the lines released and the refunds deducted since the seller's previous payout in
    that currency, and what was ``brought_forward`` (a debt left by a refund after a payout, negative; or a
    failed payout's money, positive), so that brought forward + released − refunded = the payout's amount."""

    payout: Payout
    releases: list[LineRelease]
    refunds: list[LineRefund]
    released: Money
    refunded: Money
    brought_forward: Money


def payout_statement(*, seller: Seller, payout_id: int) -> PayoutStatement:
    """One of the seller's payouts with its statement; ``PayoutNotFound`` for a missing payout and for another
    seller's alike. Four queries whatever the number of lines."""
    payout = Payout.objects.filter(seller=seller, pk=payout_id).first()
    if payout is None:
        raise PayoutNotFound(f"No payout {payout_id}.")
    previous = (
        Payout.objects.filter(seller=seller, currency=payout.currency, transaction_id__lt=payout.transaction_id)
        .order_by("-transaction_id")
        .values_list("transaction_id", flat=True)
        .first()
    ) or 0
    window = {"transaction_id__gt": previous, "transaction_id__lte": payout.transaction_id}
    releases = list(
        LineRelease.objects.filter(seller=seller, currency=payout.currency, **window)
        .select_related("line", "seller_order__order")
        .order_by("pk")
    )
    refunds = list(
        LineRefund.objects.filter(seller=seller, currency=payout.currency, from_available=True, **window)
        .select_related("line", "seller_order__order")
        .order_by("pk")
    )
    released = sum(r.amount for r in releases)
    refunded = sum(r.amount for r in refunds)
    return PayoutStatement(
        payout=payout,
        releases=releases,
        refunds=refunds,
        released=Money(released, payout.currency),
        refunded=Money(refunded, payout.currency),
        brought_forward=Money(payout.amount - released + refunded, payout.currency),
    )


@dataclass(frozen=True, slots=True)
class PayoutFilters:
    """The operator report's filters; empty values mean "any"."""

    run_date: dt.date | None = None
    seller_id: int | None = None
    currency: str = ""
    status: str = ""


def payouts_report(*, filters: PayoutFilters) -> QuerySet[Payout]:
    """Payouts matching ``filters`` by run date (newest first), seller and currency, with their seller: one query
    per page or one streamed query for the CSV export."""
    rows = Payout.objects.select_related("seller")
    if filters.run_date is not None:
        rows = rows.filter(run_date=filters.run_date)
    if filters.seller_id is not None:
        rows = rows.filter(seller_id=filters.seller_id)
    if filters.currency:
        rows = rows.filter(currency=filters.currency)
    if filters.status:
        rows = rows.filter(status=filters.status)
    return rows.order_by("-run_date", "seller__name", "currency", "pk")


@dataclass(frozen=True, slots=True)
class PayoutTotal:
    currency: str
    count: int
    total: Money
    paid: Money


def payout_totals(*, filters: PayoutFilters) -> list[PayoutTotal]:
    """Per currency: how many payouts match ``filters``, their total and the part actually paid. One query."""
    rows = (
        payouts_report(filters=filters)
        .order_by()
        .values("currency")
        .annotate(
            count=Count("pk"),
            total=Sum("amount"),
            paid=Coalesce(Sum("amount", filter=Q(status=PayoutStatus.PAID)), 0),
        )
        .order_by("currency")
    )
    return [
        PayoutTotal(
            currency=row["currency"],
            count=row["count"],
            total=Money(row["total"], row["currency"]),
            paid=Money(row["paid"], row["currency"]),
        )
        for row in rows
    ]


def payout_sellers() -> list[tuple[int, str]]:
    """The sellers that have payouts, for the report's filter: (id, name) by name. One query."""
    return list(Seller.objects.filter(payouts__isnull=False).distinct().order_by("name").values_list("pk", "name"))
