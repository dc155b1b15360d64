"""Every write to the ledger: one balanced, idempotent transaction per money movement.

``post_transaction`` is the only function that inserts ledger rows. It validates everything first (a refused call
writes nothing), creates the accounts it needs, and writes the transaction and its postings in one atomic block
(a savepoint when the caller already holds a transaction, so order glue can post inside its own). The same
idempotency key again returns the transaction already written, also when two requests race: the unique key
decides, and the loser reads the winner's row. No row locks are taken; it is correct on SQLite and PostgreSQL.

The movements (capture, split, refund, cancellation) know nothing about orders: the caller gives the key and a
free-text reference such as ``order:123`` (docs/adr/0009-ledger.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import reduce
from operator import or_

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q

from reloop.core.money import Money
from reloop.payments import domain
from reloop.payments.domain import PostingSpec, SellerShare
from reloop.payments.errors import IdempotencyMismatch, InvalidTransaction, UnknownAccount
from reloop.payments.models import LedgerAccount, LedgerTransaction, Posting, TransactionKind
from reloop.sellers.models import Seller

__all__ = [
    "post_transaction",
    "record_cancellation",
    "record_capture",
    "record_refund",
    "record_split",
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
            Posting.objects.bulk_create(
                Posting(
                    transaction=entry,
                    account=accounts[(code, money.currency)],
                    amount=money.amount,
                    currency=money.currency,
                )
                for code, money in postings
            )
    except IntegrityError:
        # A concurrent request with the same key won the race: answer with its transaction (or a mismatch).
        existing = _find(idempotency_key)
        if existing is None:
            raise
        return _replayed(existing, kind=kind, reference=reference, postings=postings)
    return entry


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


def record_refund(
    *, key: str, reference: str, seller_id: int, gross: Money, commission: Money, memo: str = ""
) -> LedgerTransaction:
    """Refund ``gross`` of one seller's part to the buyer: the seller's payable gives back gross − commission,
    the platform its ``commission``, and ``psp:receivable`` is credited with the gross."""
    return post_transaction(
        idempotency_key=key,
        kind=TransactionKind.REFUND,
        reference=reference,
        memo=memo or f"Refund of {gross} (seller {seller_id})",
        postings=domain.refund_postings(seller_id=seller_id, gross=gross, commission=commission),
    )


def record_cancellation(
    *, key: str, reference: str, seller_id: int, gross: Money, commission: Money, memo: str = ""
) -> LedgerTransaction:
    """A cancellation before shipping: the postings of a refund, recorded as kind ``cancellation``."""
    return post_transaction(
        idempotency_key=key,
        kind=TransactionKind.CANCELLATION,
        reference=reference,
        memo=memo or f"Cancellation of {gross} (seller {seller_id})",
        postings=domain.refund_postings(seller_id=seller_id, gross=gross, commission=commission),
    )
