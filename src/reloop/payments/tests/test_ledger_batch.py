"""post_transactions and record_payment: a paid order's capture, split and sales tax in one round of statements,
each still its own balanced, idempotent transaction, the same as posting them one by one."""

from __future__ import annotations

import threading
from typing import cast

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from reloop.core.money import Money
from reloop.payments.domain import SellerShare
from reloop.payments.errors import IdempotencyMismatch, InvalidTransaction
from reloop.payments.models import LedgerAccount, LedgerTransaction, Posting
from reloop.payments.selectors import balances, totals_by_currency
from reloop.payments.services import (
    TransactionSpec,
    post_transactions,
    record_capture,
    record_payment,
    record_sales_tax,
    record_split,
)
from reloop.sellers.models import Seller
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db

USD = "USD"


def rows() -> list[tuple[str, str, str, list[tuple[str, int]]]]:
    return [
        (t.idempotency_key, t.kind, t.memo, sorted(t.postings.values_list("account__code", "amount")))
        for t in LedgerTransaction.objects.order_by("idempotency_key")
    ]


def statements(queries: CaptureQueriesContext) -> list[str]:
    """The statements that reached the database, savepoints left out."""
    return [q["sql"].split()[0] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]


def test_record_payment_writes_what_the_three_calls_write_in_four_statements() -> None:
    """Given two sellers' shares, a captured amount and a sales tax; when they are recorded at once and, for
    another order, one call each; then the transactions, memos and postings are the same, and the batch took one
    lookup of the keys, one of the accounts, one insert of the transactions and one of their postings."""
    alpha, beta = cast(Seller, SellerFactory()), cast(Seller, SellerFactory())
    shares = [
        SellerShare(seller_id=alpha.pk, gross=Money(30000, USD), commission=Money(3000, USD)),
        SellerShare(seller_id=beta.pk, gross=Money(12000, USD), commission=Money(1200, USD)),
    ]
    record_capture(key="order:B:capture", reference="order:B", amount=Money(44175, USD))
    record_split(key="order:B:split", reference="order:B", shares=shares)
    record_sales_tax(key="order:B:sales-tax", reference="order:B", amount=Money(2175, USD))
    one_by_one = [(k.replace("order:B", "order:A"), kind, memo, p) for k, kind, memo, p in rows()]

    with CaptureQueriesContext(connection) as queries:
        written = record_payment(
            reference="order:A", shares=shares, captured=Money(44175, USD), sales_tax=Money(2175, USD)
        )

    assert [t.idempotency_key for t in written] == ["order:A:capture", "order:A:split", "order:A:sales-tax"]
    assert [r for r in rows() if r[0].startswith("order:A")] == sorted(one_by_one)
    assert statements(queries) == ["SELECT", "SELECT", "INSERT", "INSERT"]  # keys, accounts, transactions, postings
    assert totals_by_currency(balances()) == {USD: Money(0, USD)}  # double entry: every currency sums to zero


def test_recording_the_same_payment_again_writes_nothing_and_returns_the_same_transactions() -> None:
    seller = cast(Seller, SellerFactory())
    shares = [SellerShare(seller_id=seller.pk, gross=Money(19900, USD), commission=Money(1990, USD))]
    first = record_payment(reference="order:A", shares=shares, captured=Money(19900, USD))
    before = (LedgerAccount.objects.count(), LedgerTransaction.objects.count(), Posting.objects.count())

    with CaptureQueriesContext(connection) as queries:
        again = record_payment(reference="order:A", shares=shares, captured=Money(19900, USD))

    assert [t.pk for t in again] == [t.pk for t in first]
    assert (LedgerAccount.objects.count(), LedgerTransaction.objects.count(), Posting.objects.count()) == before
    assert statements(queries) == ["SELECT", "SELECT"]  # the keys, with their postings prefetched


def test_a_batch_whose_first_transaction_exists_writes_only_the_others() -> None:
    """A settlement that died after an older release wrote the capture alone is finished, not doubled."""
    seller = cast(Seller, SellerFactory())
    shares = [SellerShare(seller_id=seller.pk, gross=Money(19900, USD), commission=Money(1990, USD))]
    capture = record_capture(key="order:A:capture", reference="order:A", amount=Money(19900, USD))

    written = record_payment(reference="order:A", shares=shares, captured=Money(19900, USD))

    assert written[0].pk == capture.pk
    assert [r[0] for r in rows()] == ["order:A:capture", "order:A:split"]
    assert LedgerTransaction.objects.count() == 2


def test_a_key_used_for_other_postings_refuses_the_whole_batch() -> None:
    seller = cast(Seller, SellerFactory())
    shares = [SellerShare(seller_id=seller.pk, gross=Money(19900, USD), commission=Money(1990, USD))]
    record_capture(key="order:A:capture", reference="order:A", amount=Money(100, USD))

    with pytest.raises(IdempotencyMismatch):
        record_payment(reference="order:A", shares=shares, captured=Money(19900, USD))

    assert LedgerTransaction.objects.count() == 1  # the split was not written either


def test_an_invalid_entry_or_a_key_given_twice_writes_nothing() -> None:
    capture = [("psp:receivable", Money(100, USD)), ("platform:clearing", Money(-100, USD))]
    unbalanced = [("psp:receivable", Money(100, USD)), ("platform:clearing", Money(-99, USD))]
    with pytest.raises(InvalidTransaction):
        post_transactions(
            [
                TransactionSpec("a", "payment", "order:1", capture),
                TransactionSpec("b", "payment", "order:1", unbalanced),
            ]
        )
    with pytest.raises(InvalidTransaction) as twice:
        post_transactions(
            [TransactionSpec("a", "payment", "order:1", capture), TransactionSpec("a", "payment", "order:1", capture)]
        )
    assert twice.value.code == "invalid_idempotency_key"
    assert LedgerTransaction.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_concurrent_recordings_of_one_payment_write_it_once() -> None:
    """Six threads record the same order's money at once (the webhook, the return redirect and the job racing)
    against PostgreSQL: one capture and one split, every caller gets them."""
    seller = cast(Seller, SellerFactory())
    shares = [SellerShare(seller_id=seller.pk, gross=Money(19900, USD), commission=Money(1990, USD))]
    barrier = threading.Barrier(6)
    results: list[list[int]] = []
    errors: list[Exception] = []

    def record() -> None:
        try:
            barrier.wait()
            with transaction.atomic():  # as settlement posts it: inside the order's transaction
                written = record_payment(reference="order:A", shares=shares, captured=Money(19900, USD))
            results.append([t.pk for t in written])
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=record) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(results) == 6
    assert len({tuple(r) for r in results}) == 1
    assert sorted(LedgerTransaction.objects.values_list("idempotency_key", flat=True)) == [
        "order:A:capture",
        "order:A:split",
    ]
    assert Posting.objects.count() == 2 + 3
    assert totals_by_currency(balances()) == {USD: Money(0, USD)}
    assert connection.vendor == "postgresql"
