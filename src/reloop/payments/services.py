"""Every write to the ledger: one balanced, idempotent transaction per money movement.

``post_transaction`` (and ``post_transactions``, several at once in one round of statements: a paid order's
capture, split and sales tax) are the only functions that insert ledger rows. They validate everything first (a
refused call writes nothing), create the accounts they need, and write the transactions and their postings in one
atomic block (a savepoint when the caller already holds a transaction, so order glue can post inside its own). The same
idempotency key again returns the transaction already written, also when two requests race: the unique key
decides, and the loser reads the winner's row. No row locks are taken; it is correct on SQLite and PostgreSQL.

The movements (capture, split, refund, cancellation) know nothing about orders: the caller gives the key and a
free-text reference such as ``order:123`` (docs/adr/0009-ledger.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q, Sum

from reloop.core import clock
from reloop.core.money import Money
from reloop.orders.domain import LineState
from reloop.orders.models import OrderLine
from reloop.payments import conf, domain, selectors
from reloop.payments.domain import PostingSpec, SellerShare
from reloop.payments.errors import IdempotencyMismatch, InvalidTransaction, UnknownAccount, UnknownLine
from reloop.payments.models import (
    LedgerAccount,
    LedgerTransaction,
    LineRefund,
    LineRelease,
    Payout,
    PayoutRun,
    PayoutStatus,
    Posting,
    TransactionKind,
)
from reloop.payments.providers.payouts import PayoutProvider, get_payout_provider
from reloop.sellers.models import Seller

__all__ = [
    "post_transaction",
    "post_transactions",
    "record_cancellation",
    "record_capture",
    "record_payment",
    "record_refund",
    "record_split",
    "release_matured_lines",
    "run_due_payouts",
    "run_payouts",
]


def _check_request(*, idempotency_key: str, kind: str, reference: str) -> None:
    if not isinstance(idempotency_key, str) or not idempotency_key.strip():
        raise InvalidTransaction("An idempotency key is required.", code="invalid_idempotency_key")
    if len(idempotency_key) > domain.MAX_IDEMPOTENCY_KEY_LENGTH:
        raise InvalidTransaction(
            f"An idempotency key has at most {domain.MAX_IDEMPOTENCY_KEY_LENGTH} characters.",
            code="invalid_idempotency_key",
        )
    if kind not in TransactionKind.values:
        raise InvalidTransaction(
            f"Unknown transaction kind {kind!r}: use one of {', '.join(TransactionKind.values)}.", code="invalid_kind"
        )
    if not reference or len(reference) > domain.MAX_REFERENCE_LENGTH:
        raise InvalidTransaction(
            f"A reference (such as order:123) of 1 to {domain.MAX_REFERENCE_LENGTH} characters is required.",
            code="invalid_reference",
        )


def _find(idempotency_key: str) -> LedgerTransaction | None:
    postings = Posting.objects.select_related("account")
    return (
        LedgerTransaction.objects.filter(idempotency_key=idempotency_key)
        .prefetch_related(Prefetch("postings", queryset=postings))
        .first()
    )


def _replayed(
    existing: LedgerTransaction, *, kind: str, reference: str, postings: Sequence[PostingSpec]
) -> LedgerTransaction:
    """The transaction already written under this key, if the request is the same one (the memo may differ)."""
    written = sorted((p.account.code, p.currency, p.amount) for p in existing.postings.all())
    if existing.kind != kind or existing.reference != reference or written != domain.normalized(postings):
        raise IdempotencyMismatch(
            f"Idempotency key {existing.idempotency_key!r} was already used for a different transaction "
            f"(#{existing.pk}, {existing.kind} {existing.reference}); nothing was written."
        )
    return existing


def _accounts(postings: Sequence[PostingSpec]) -> dict[tuple[str, str], LedgerAccount]:
    """The accounts of ``postings`` by (code, currency), creating the missing ones.

    Missing accounts are inserted with ON CONFLICT DO NOTHING, then read back, so two transactions creating the
    same account at once both succeed. Two or four queries.
    """
    wanted = {(code, money.currency) for code, money in postings}
    lookup = reduce(or_, (Q(code=code, currency=currency) for code, currency in wanted))
    found = {(a.code, a.currency): a for a in LedgerAccount.objects.filter(lookup)}
    missing = [(domain.account_spec(code), currency) for code, currency in sorted(wanted - found.keys())]
    if not missing:
        return found
    seller_ids = {spec.seller_id for spec, _ in missing if spec.seller_id is not None}
    if seller_ids:
        known = set(Seller.objects.filter(pk__in=seller_ids).values_list("pk", flat=True))
        if seller_ids - known:
            raise UnknownAccount(f"No seller {sorted(seller_ids - known)}.", code="unknown_seller")
    LedgerAccount.objects.bulk_create(
        [
            LedgerAccount(code=spec.code, currency=currency, name=spec.name, kind=spec.kind, seller_id=spec.seller_id)
            for spec, currency in missing
        ],
        ignore_conflicts=True,
    )
    accounts = {(a.code, a.currency): a for a in LedgerAccount.objects.filter(lookup)}
    if wanted - accounts.keys():  # SQLite's INSERT OR IGNORE skips any failing row, not only duplicates
        raise UnknownAccount(f"Could not open the ledger accounts {sorted(wanted - accounts.keys())}.")
    return accounts


def _posting_rows(
    entry: LedgerTransaction, postings: Sequence[PostingSpec], accounts: dict[tuple[str, str], LedgerAccount]
) -> Iterator[Posting]:
    """The unsaved ``Posting`` rows of ``entry``: one per (account code, signed Money), on its account."""
    for code, money in postings:
        yield Posting(
            transaction=entry, account=accounts[(code, money.currency)], amount=money.amount, currency=money.currency
        )


def post_transaction(
    *,
    idempotency_key: str,
    kind: str,
    reference: str,
    memo: str = "",
    postings: Sequence[PostingSpec],
) -> LedgerTransaction:
    """Write one balanced transaction, or return the one already written under ``idempotency_key``.

    ``postings`` are (account code, signed Money): debit positive, credit negative. Refused, with nothing written,
    when there are fewer than two, one is zero, an account is unknown, or a currency does not sum to zero
    (``InvalidTransaction`` and its codes). A key already used for another kind, reference or set of postings
    raises ``IdempotencyMismatch``. Needs no lock: the unique key settles a race.
    """
    _check_request(idempotency_key=idempotency_key, kind=kind, reference=reference)
    domain.check_postings(postings)
    existing = _find(idempotency_key)
    if existing is not None:
        return _replayed(existing, kind=kind, reference=reference, postings=postings)
    try:
        with transaction.atomic():
            accounts = _accounts(postings)
            entry = LedgerTransaction.objects.create(
                idempotency_key=idempotency_key, kind=kind, reference=reference, memo=memo
            )
            Posting.objects.bulk_create(_posting_rows(entry, postings, accounts))
    except IntegrityError:
        # A concurrent request with the same key won the race: answer with its transaction (or a mismatch).
        existing = _find(idempotency_key)
        if existing is None:
            raise
        return _replayed(existing, kind=kind, reference=reference, postings=postings)
    return entry


@dataclass(frozen=True)
class TransactionSpec:
    """One transaction for ``post_transactions``: the arguments of ``post_transaction``."""

    idempotency_key: str
    kind: str
    reference: str
    postings: Sequence[PostingSpec]
    memo: str = ""


def post_transactions(entries: Sequence[TransactionSpec]) -> list[LedgerTransaction]:
    """``post_transaction`` for several transactions at once, all or none: each one written, or returned (and
    checked, ``IdempotencyMismatch``) when its key was used already. Four statements whatever the number of new
    transactions — their keys looked up, their accounts, the transactions, their postings — where posting them one
    by one takes four each. Refused with nothing written as ``post_transaction`` refuses, and when a key is given
    twice. A concurrent request writing one of the same keys makes the batch fall back to one call each."""
    keys = [entry.idempotency_key for entry in entries]
    for entry in entries:
        _check_request(idempotency_key=entry.idempotency_key, kind=entry.kind, reference=entry.reference)
        domain.check_postings(entry.postings)
    if len(set(keys)) != len(keys):
        raise InvalidTransaction("An idempotency key is given twice in one batch.", code="invalid_idempotency_key")
    postings = Posting.objects.select_related("account")
    existing = {
        row.idempotency_key: row
        for row in LedgerTransaction.objects.filter(idempotency_key__in=keys).prefetch_related(
            Prefetch("postings", queryset=postings)
        )
    }
    done = {  # checked before anything is written: a mismatch refuses the whole batch
        entry.idempotency_key: _replayed(
            existing[entry.idempotency_key], kind=entry.kind, reference=entry.reference, postings=entry.postings
        )
        for entry in entries
        if entry.idempotency_key in existing
    }
    new = [entry for entry in entries if entry.idempotency_key not in existing]
    if new:
        try:
            with transaction.atomic():
                accounts = _accounts([posting for entry in new for posting in entry.postings])
                rows = LedgerTransaction.objects.bulk_create(
                    LedgerTransaction(
                        idempotency_key=entry.idempotency_key, kind=entry.kind, reference=entry.reference,
                        memo=entry.memo,
                    )
                    for entry in new
                )  # fmt: skip
                if any(row.pk is None for row in rows):  # a database that returns no ids from a bulk insert
                    ids = dict(
                        LedgerTransaction.objects.filter(idempotency_key__in=[e.idempotency_key for e in new])
                        .values_list("idempotency_key", "pk")
                    )  # fmt: skip
                    for row in rows:
                        row.pk = ids[row.idempotency_key]
                Posting.objects.bulk_create(
                    posting
                    for row, entry in zip(rows, new, strict=True)
                    for posting in _posting_rows(row, entry.postings, accounts)
                )
        except IntegrityError:  # a concurrent request wrote one of these keys: each is posted or replayed alone
            return [
                post_transaction(
                    idempotency_key=entry.idempotency_key,
                    kind=entry.kind,
                    reference=entry.reference,
                    memo=entry.memo,
                    postings=entry.postings,
                )
                for entry in entries
            ]
        done.update((row.idempotency_key, row) for row in rows)
    return [done[key] for key in keys]


def record_payment(
    *,
    reference: str,
    shares: Sequence[SellerShare],
    captured: Money | None,
    sales_tax: Money | None = None,
) -> list[LedgerTransaction]:
    """A paid order's money, in one ``post_transactions``: the capture (``captured``; ``None`` when the money
    reached the clearing account otherwise, as Reloop credit does), the split between the sellers and, when there
    is one, the US sales tax collected. The same transactions, keys (``<reference>:capture``, ``:split``,
    ``:sales-tax``) and memos as ``record_capture``, ``record_split`` and ``record_sales_tax``."""
    entries = []
    if captured is not None:
        entries.append(
            TransactionSpec(
                f"{reference}:capture", TransactionKind.PAYMENT, reference, domain.capture_postings(captured),
                f"Payment of {captured} captured",
            )
        )  # fmt: skip
    entries.append(
        TransactionSpec(
            f"{reference}:split", TransactionKind.PAYMENT, reference, domain.split_postings(shares),
            f"Split between {len(shares)} seller(s)",
        )
    )  # fmt: skip
    if sales_tax is not None and sales_tax.amount:
        entries.append(
            TransactionSpec(
                f"{reference}:sales-tax", TransactionKind.PAYMENT, reference, domain.sales_tax_postings(sales_tax),
                f"Sales tax of {sales_tax} collected (marketplace facilitator)",
            )
        )  # fmt: skip
    return post_transactions(entries)


def record_capture(*, key: str, reference: str, amount: Money, memo: str = "") -> LedgerTransaction:
    """A buyer's payment was captured: debit ``psp:receivable``, credit ``platform:clearing``."""
    return post_transaction(
        idempotency_key=key,
        kind=TransactionKind.PAYMENT,
        reference=reference,
        memo=memo or f"Payment of {amount} captured",
        postings=domain.capture_postings(amount),
    )


def record_split(*, key: str, reference: str, shares: Sequence[SellerShare], memo: str = "") -> LedgerTransaction:
    """Split captured money: debit clearing by the total gross, credit each seller's payable with their gross
    minus commission and ``platform:commission`` with the total commission. All shares in one currency."""
    return post_transaction(
        idempotency_key=key,
        kind=TransactionKind.PAYMENT,
        reference=reference,
        memo=memo or f"Split between {len(shares)} seller(s)",
        postings=domain.split_postings(shares),
    )


def record_sales_tax(*, key: str, reference: str, amount: Money, memo: str = "") -> LedgerTransaction:
    """US sales tax collected with a captured payment: clearing → ``platform:sales_tax_payable``."""
    return post_transaction(
        idempotency_key=key,
        kind=TransactionKind.PAYMENT,
        reference=reference,
        memo=memo or f"Sales tax of {amount} collected (marketplace facilitator)",
        postings=domain.sales_tax_postings(amount),
    )


def record_sales_tax_refund(*, key: str, reference: str, amount: Money, memo: str = "") -> LedgerTransaction:
    """Sales tax refunded to the buyer with a cancellation or refund: ``platform:sales_tax_payable`` → PSP."""
    return post_transaction(
        idempotency_key=key,
        kind=TransactionKind.REFUND,
        reference=reference,
        memo=memo or f"Sales tax of {amount} refunded",
        postings=domain.sales_tax_refund_postings(amount),
    )


def record_refund(
    *,
    key: str,
    reference: str,
    seller_id: int,
    gross: Money,
    commission: Money,
    memo: str = "",
    line_id: int | None = None,
) -> LedgerTransaction:
    """Refund ``gross`` of one seller's part to the buyer: the seller gives back gross − commission, the platform
    its ``commission``, and ``psp:receivable`` is credited with the gross.

    Give the order ``line_id`` the refund belongs to (the order glue always should): the seller's share is then
    taken from where that line's money is — on hold, or the available balance once its hold ended (which goes
    above zero when the money was already paid out: a debt recovered from the next payout). Without it the share
    comes from the money on hold, as before payouts existed.
    """
    return _money_back(
        kind=TransactionKind.REFUND,
        key=key,
        reference=reference,
        seller_id=seller_id,
        gross=gross,
        commission=commission,
        memo=memo or f"Refund of {gross} (seller {seller_id})",
        line_id=line_id,
    )


def record_cancellation(
    *,
    key: str,
    reference: str,
    seller_id: int,
    gross: Money,
    commission: Money,
    memo: str = "",
    line_id: int | None = None,
) -> LedgerTransaction:
    """A cancellation before shipping: the postings of a refund, recorded as kind ``cancellation``."""
    return _money_back(
        kind=TransactionKind.CANCELLATION,
        key=key,
        reference=reference,
        seller_id=seller_id,
        gross=gross,
        commission=commission,
        memo=memo or f"Cancellation of {gross} (seller {seller_id})",
        line_id=line_id,
    )


def _money_back(
    *,
    kind: str,
    key: str,
    reference: str,
    seller_id: int,
    gross: Money,
    commission: Money,
    memo: str,
    line_id: int | None,
) -> LedgerTransaction:
    if line_id is None:
        postings = domain.refund_postings(seller_id=seller_id, gross=gross, commission=commission)
        return post_transaction(idempotency_key=key, kind=kind, reference=reference, memo=memo, postings=postings)
    _check_request(idempotency_key=key, kind=kind, reference=reference)
    with transaction.atomic():
        # A replay keeps the account the first call chose, even if the line was released since.
        done = LineRefund.objects.filter(transaction__idempotency_key=key).first()
        seller_order_id = done.seller_order_id if done is not None else 0
        if done is not None:
            released = done.from_available
        else:
            # Lock the line (PostgreSQL; SQLite writers are serialized): a release and a refund of the same
            # line never interleave, so the refund sees whether the money is still on hold.
            line = (
                OrderLine.objects.select_for_update(of=("self",))
                .select_related("seller_order")
                .filter(pk=line_id)
                .first()
            )
            if line is None or line.seller_order.seller_id != seller_id:
                raise UnknownLine(f"Order line {line_id} is not a line of seller {seller_id}.")
            seller_order_id = line.seller_order_id
            released = LineRelease.objects.filter(line_id=line_id).exists()
        postings = domain.refund_postings(seller_id=seller_id, gross=gross, commission=commission, released=released)
        entry = post_transaction(idempotency_key=key, kind=kind, reference=reference, memo=memo, postings=postings)
        if done is None:
            LineRefund.objects.create(
                transaction=entry,
                line_id=line_id,
                seller_order_id=seller_order_id,
                seller_id=seller_id,
                currency=gross.currency,
                gross=gross.amount,
                amount=(gross - commission).amount,
                from_available=released,
            )
    return entry


# --- Payouts: releases after the hold, payout runs (docs/adr/0017-payouts.md) ---------------------------------

#: A line with a return in progress waits for its outcome; a refunded line releases whatever its refunds left.
RELEASABLE_STATES = selectors.RELEASABLE_STATES


def release_matured_lines(*, today: dt.date) -> int:
    """Release every line whose hold ended by ``today`` (delivered ``RELOOP_PAYOUT_HOLD_DAYS`` days ago or more):
    its net moves from the seller's money on hold to their available balance, one ledger transaction per line
    keyed ``line:<id>:release``. Returns how many lines were released; running it twice releases nothing more.
    """
    hold_days = conf.payout_hold_days()
    # Delivered on day D (UTC) → payable on D + hold: release what was delivered before the start of the day
    # after today − hold.
    cutoff = dt.datetime.combine(today - dt.timedelta(days=hold_days - 1), dt.time.min, tzinfo=dt.UTC)
    line_ids = list(
        OrderLine.objects.filter(
            state__in=RELEASABLE_STATES, delivered_at__lt=cutoff, payout_release__isnull=True
        ).values_list("pk", flat=True)
    )
    return sum(_release_line(line_id=line_id, today=today) for line_id in sorted(line_ids))


def _release_line(*, line_id: int, today: dt.date) -> int:
    """Release one line in its own transaction (locks the line on PostgreSQL: see ``_money_back``). 1 or 0."""
    with transaction.atomic(durable=True):
        line = (
            OrderLine.objects.select_for_update(of=("self",))
            .select_related("seller_order__order")
            .filter(pk=line_id, state__in=RELEASABLE_STATES, payout_release__isnull=True)
            .first()
        )
        # Released by another process meanwhile (checked again once the lock is held: on PostgreSQL the query
        # above may have waited for that process's commit), or its state changed.
        if line is None or LineRelease.objects.filter(line_id=line_id).exists():
            return 0
        part = line.seller_order
        currency = part.order.currency
        reference = f"order:{part.order.number}"
        # What the seller order still holds, read from the ledger: its split, minus its refunds and cancellations
        # from the hold and its releases (every movement of a seller order's money is referenced order:<number>),
        # so a refund recorded without its line is counted too.
        still_held = -(
            Posting.objects.filter(
                account__code=domain.seller_payable(part.seller_id),
                currency=currency,
                transaction__reference=reference,
            ).aggregate(total=Sum("amount"))["total"]
            or 0
        )
        refunded_from_hold = (
            LineRefund.objects.filter(line=line, from_available=False).aggregate(total=Sum("amount"))["total"] or 0
        )
        others_open = (
            OrderLine.objects.filter(seller_order=part, payout_release__isnull=True)
            .exclude(pk=line.pk)
            .exclude(state=LineState.CANCELLED)
            .exists()
        )
        amount = domain.release_amount(
            line_net=line.line_total - line.commission,
            line_refunded=refunded_from_hold,
            part_held=still_held,
            last=not others_open,
        )
        entry = None
        if amount:
            entry = post_transaction(
                idempotency_key=f"line:{line.pk}:release",
                kind=TransactionKind.RELEASE,
                reference=reference,
                memo=f"Line {line.pk} released after the hold",
                postings=domain.release_postings(seller_id=part.seller_id, amount=Money(amount, currency)),
            )
        LineRelease.objects.create(
            line=line,
            seller_order=part,
            seller_id=part.seller_id,
            currency=currency,
            amount=amount,
            transaction=entry,
            released_on=today,
        )
    return 1


def run_due_payouts(*, today: dt.date) -> int:
    """The payout job: run the latest scheduled date on or before ``today`` unless it already ran. A missed date
    (the job did not run that day) is caught up on a later day under its own date; when several were missed,
    only the latest runs, and it pays everything owed. Returns the number of payouts created."""
    run_date = domain.latest_run_date(today, conf.payout_days())
    if PayoutRun.objects.filter(run_date=run_date, finished_at__isnull=False).exists():
        _send_scheduled()  # a payout left scheduled by a crash (or a provider error) is still sent
        return 0
    return run_payouts(run_date=run_date)


def run_payouts(*, run_date: dt.date) -> int:
    """Pay every seller owed money (available balance owed, per currency) for the run of ``run_date``: one
    ``Payout`` and one ledger transaction (available → ``psp:payouts``) each, then send them through the payout
    provider. A seller whose balance is zero or a debt (a refund after a payout) gets nothing this time.

    Idempotent: a date that finished is never paid again, and a payout is unique per seller × currency × date, so
    a rerun after a crash only completes what is missing. Returns how many payouts it created.
    """
    run, _ = PayoutRun.objects.get_or_create(run_date=run_date)
    if run.finished_at is not None:
        return 0
    owed = (
        LedgerAccount.objects.filter(code__startswith="seller:", code__endswith=":available")
        .annotate(total=Sum("postings__amount"))
        .filter(total__lt=0)
        .order_by("seller_id", "currency")
        .values_list("seller_id", "currency")
    )
    created = sum(
        _schedule_payout(seller_id=seller_id, currency=currency, run_date=run_date)
        for seller_id, currency in list(owed)
        if seller_id is not None
    )
    _send_scheduled()
    PayoutRun.objects.filter(pk=run.pk, finished_at__isnull=True).update(finished_at=clock.now(), payouts=created)
    return created


def _schedule_payout(*, seller_id: int, currency: str, run_date: dt.date) -> int:
    """Create one payout of the seller's whole available balance, with its ledger transaction. 1 or 0."""
    key = f"payout:seller:{seller_id}:{currency}:{run_date.isoformat()}"
    with transaction.atomic(durable=True):
        if Payout.objects.filter(seller_id=seller_id, currency=currency, run_date=run_date).exists():
            return 0
        # Read the balance in the transaction that pays it; a refund landing after it makes a debt, as it
        # would after any payout.
        owed = -selectors.balance(domain.seller_available(seller_id), currency).amount
        if owed <= 0:
            return 0
        try:
            with transaction.atomic():
                entry = post_transaction(
                    idempotency_key=key,
                    kind=TransactionKind.PAYOUT,
                    reference=f"payout:{run_date.isoformat()}",
                    memo=f"Payout to seller {seller_id} for the run of {run_date.isoformat()}",
                    postings=domain.payout_postings(seller_id=seller_id, amount=Money(owed, currency)),
                )
                Payout.objects.create(
                    seller_id=seller_id,
                    currency=currency,
                    run_date=run_date,
                    amount=owed,
                    transaction=entry,
                    destination=domain.mask_iban(_destination_iban(seller_id)),
                    provider=conf.payout_provider_name(),
                )
        except (IntegrityError, IdempotencyMismatch):
            return 0  # a concurrent run paid this seller for this date first
    return 1


def _destination_iban(seller_id: int) -> str:
    """The IBAN the seller gave when applying (``sellers.SellerApplication``), or ``""`` when there is none."""
    value = Seller.objects.filter(pk=seller_id).values_list("application__iban", flat=True).first()
    return str(value or "")


def _send_scheduled() -> None:
    """Send every scheduled payout through the provider it was scheduled with; mark it paid, or failed and
    reversed."""
    providers: dict[str, PayoutProvider] = {}
    for payout_id, name in list(
        Payout.objects.filter(status=PayoutStatus.SCHEDULED).order_by("pk").values_list("pk", "provider")
    ):
        if name not in providers:
            providers[name] = get_payout_provider(name)
        _send_payout(payout_id=payout_id, provider=providers[name])


def _send_payout(*, payout_id: int, provider: PayoutProvider) -> None:
    payout = Payout.objects.get(pk=payout_id)
    amount = Money(payout.amount, payout.currency)
    # No transaction or lock is held while the provider is called; the key makes a retry pay once.
    result = provider.send_payout(
        amount=amount,
        destination_iban=_destination_iban(payout.seller_id),
        reference=f"payout:{payout.pk}",
        idempotency_key=f"payout:{payout.pk}",
    )
    with transaction.atomic(durable=True):
        if result.ok:
            Payout.objects.filter(pk=payout.pk, status=PayoutStatus.SCHEDULED).update(
                status=PayoutStatus.PAID, provider_reference=result.reference[:100], settled_at=clock.now()
            )
            return
        reversal = post_transaction(
            idempotency_key=f"payout:{payout.pk}:reversal",
            kind=TransactionKind.PAYOUT,
            reference=f"payout:{payout.run_date.isoformat()}",
            memo=f"Payout {payout.pk} refused by the bank: back to the seller's balance",
            postings=domain.payout_reversal_postings(seller_id=payout.seller_id, amount=amount),
        )
        Payout.objects.filter(pk=payout.pk, status=PayoutStatus.SCHEDULED).update(
            status=PayoutStatus.FAILED,
            reversal=reversal,
            failure_reason=result.message[:200],
            settled_at=clock.now(),
        )
