"""post_transaction and the money movements: balanced, idempotent, append-only; balances are sums."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from reloop.core.money import Money
from reloop.payments.domain import SellerShare
from reloop.payments.errors import IdempotencyMismatch, InvalidTransaction, LedgerAppendOnly, UnbalancedTransaction
from reloop.payments.models import LedgerAccount, LedgerTransaction, Posting
from reloop.payments.selectors import balance, balances, latest_transactions, totals_by_currency
from reloop.payments.services import (
    post_transaction,
    record_cancellation,
    record_capture,
    record_refund,
    record_split,
)
from reloop.payments.tests.factories import make_sale
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db

EUR = "EUR"


def counts():
    return LedgerAccount.objects.count(), LedgerTransaction.objects.count(), Posting.objects.count()


def capture_postings(amount=1000, currency=EUR):
    return [("psp:receivable", Money(amount, currency)), ("platform:clearing", Money(-amount, currency))]


def test_a_balanced_transaction_is_written_with_its_accounts_and_postings():
    entry = post_transaction(
        idempotency_key="k1", kind="payment", reference="order:1", memo="first", postings=capture_postings()
    )

    assert (entry.kind, entry.reference, entry.memo) == ("payment", "order:1", "first")
    assert sorted(entry.postings.values_list("account__code", "amount", "currency")) == [
        ("platform:clearing", -1000, EUR),
        ("psp:receivable", 1000, EUR),
    ]
    receivable = LedgerAccount.objects.get(code="psp:receivable", currency=EUR)
    assert (receivable.kind, receivable.seller_id) == ("asset", None)
    assert LedgerAccount.objects.get(code="platform:clearing").kind == "liability"
    assert balance("psp:receivable", EUR) == Money(1000, EUR)
    assert balance("platform:clearing", EUR) == Money(-1000, EUR)


def test_accounts_are_per_currency_and_reused():
    post_transaction(idempotency_key="a", kind="payment", reference="order:1", postings=capture_postings(100, EUR))
    post_transaction(idempotency_key="b", kind="payment", reference="order:2", postings=capture_postings(200, EUR))
    post_transaction(idempotency_key="c", kind="payment", reference="order:3", postings=capture_postings(300, "SEK"))

    assert LedgerAccount.objects.count() == 4
    assert balance("psp:receivable", EUR) == Money(300, EUR)
    assert balance("psp:receivable", "SEK") == Money(300, "SEK")
    assert balance("psp:receivable", "JPY") == Money(0, "JPY")  # never used: zero, no account created
    assert LedgerAccount.objects.count() == 4


@pytest.mark.parametrize(
    ("postings", "code"),
    [
        ([("psp:receivable", Money(1000, EUR)), ("platform:clearing", Money(-999, EUR))], "unbalanced_transaction"),
        ([("psp:receivable", Money(1000, EUR)), ("platform:clearing", Money(-1000, "GBP"))], "unbalanced_transaction"),
        ([("psp:receivable", Money(1000, EUR))], "too_few_postings"),
        ([*capture_postings(), ("platform:commission", Money(0, EUR))], "zero_posting"),
        ([("psp:receivable", Money(1000, EUR)), ("bank:1", Money(-1000, EUR))], "unknown_account"),
        ([("psp:receivable", Money(1000, EUR)), ("seller:999999:payable", Money(-1000, EUR))], "unknown_seller"),
    ],
)
def test_an_invalid_transaction_is_refused_and_nothing_is_written(postings, code):
    before = counts()

    with pytest.raises(InvalidTransaction) as excinfo:
        post_transaction(idempotency_key="bad", kind="payment", reference="order:1", postings=postings)

    assert excinfo.value.code == code
    assert counts() == before


def test_an_unbalanced_transaction_raises_the_unbalanced_error():
    with pytest.raises(UnbalancedTransaction, match=r"0\.01 EUR"):
        post_transaction(
            idempotency_key="k",
            kind="payment",
            reference="order:1",
            postings=[("psp:receivable", Money(1000, EUR)), ("platform:clearing", Money(-999, EUR))],
        )


@pytest.mark.parametrize(
    ("key", "kind", "reference", "code"),
    [
        ("", "payment", "order:1", "invalid_idempotency_key"),
        ("k" * 201, "payment", "order:1", "invalid_idempotency_key"),
        ("k", "gift", "order:1", "invalid_kind"),
        ("k", "payment", "", "invalid_reference"),
    ],
)
def test_key_kind_and_reference_are_checked(key, kind, reference, code):
    with pytest.raises(InvalidTransaction) as excinfo:
        post_transaction(idempotency_key=key, kind=kind, reference=reference, postings=capture_postings())
    assert excinfo.value.code == code
    assert counts() == (0, 0, 0)


def test_the_same_key_again_returns_the_same_transaction_and_writes_nothing(django_assert_num_queries):
    first = post_transaction(idempotency_key="k1", kind="payment", reference="order:1", postings=capture_postings())
    before = counts()

    # A replay is one lookup of the key (with its postings prefetched): no write
    with django_assert_num_queries(2):
        again = post_transaction(
            idempotency_key="k1",
            kind="payment",
            reference="order:1",
            memo="the memo may differ",
            postings=list(reversed(capture_postings())),  # the order of the legs does not matter
        )

    assert again.pk == first.pk
    assert counts() == before
    assert balance("psp:receivable", EUR) == Money(1000, EUR)


@pytest.mark.parametrize(
    "changes",
    [
        {"postings": capture_postings(1001)},
        {"postings": capture_postings(1000, "GBP")},
        {"kind": "adjustment"},
        {"reference": "order:2"},
    ],
)
def test_the_same_key_for_a_different_transaction_is_an_idempotency_mismatch(changes):
    post_transaction(idempotency_key="k1", kind="payment", reference="order:1", postings=capture_postings())
    before = counts()
    request = {"kind": "payment", "reference": "order:1", "postings": capture_postings()} | changes

    with pytest.raises(IdempotencyMismatch) as excinfo:
        post_transaction(idempotency_key="k1", **request)

    assert excinfo.value.code == "idempotency_mismatch"
    assert counts() == before


def test_a_key_lost_in_a_race_returns_the_winners_transaction(monkeypatch):
    """The lookup misses (the other request has not committed yet), the insert hits the unique key: the loser
    answers with the winner's transaction, from inside its savepoint."""
    winner = post_transaction(idempotency_key="race", kind="payment", reference="order:1", postings=capture_postings())
    from reloop.payments import services

    real_find = services._find
    calls = []

    def miss_first_time(key):
        calls.append(key)
        return None if len(calls) == 1 else real_find(key)

    monkeypatch.setattr(services, "_find", miss_first_time)
    before = counts()

    again = post_transaction(idempotency_key="race", kind="payment", reference="order:1", postings=capture_postings())

    assert again.pk == winner.pk
    assert len(calls) == 2
    assert counts() == before


def test_ledger_rows_are_append_only():
    entry = post_transaction(idempotency_key="k1", kind="payment", reference="order:1", postings=capture_postings())
    posting = entry.postings.first()

    posting.amount = 1
    with pytest.raises(LedgerAppendOnly):
        posting.save()
    entry.memo = "edited"
    with pytest.raises(LedgerAppendOnly):
        entry.save()
    with pytest.raises(LedgerAppendOnly):
        entry.delete()
    with pytest.raises(LedgerAppendOnly):
        Posting.objects.filter(pk=posting.pk).update(amount=5)
    with pytest.raises(LedgerAppendOnly):
        Posting.objects.all().delete()
    with pytest.raises(LedgerAppendOnly):
        LedgerAccount.objects.all().delete()

    assert sorted(Posting.objects.values_list("amount", flat=True)) == [-1000, 1000]
    assert LedgerTransaction.objects.get().memo == ""


def test_capture_split_and_refund_move_money_between_the_right_accounts():
    seller_a, seller_b = SellerFactory(), SellerFactory()
    reference, capture, split, shares = make_sale(sellers=[seller_a.pk, seller_b.pk], amounts=[30000, 1995])

    assert capture.kind == split.kind == "payment"
    assert balance("psp:receivable", EUR) == Money(31995, EUR)
    assert balance("platform:clearing", EUR) == Money(0, EUR)
    assert balance(f"seller:{seller_a.pk}:payable", EUR) == Money(-27000, EUR)
    assert balance(f"seller:{seller_b.pk}:payable", EUR) == Money(-1795, EUR)
    assert balance("platform:commission", EUR) == Money(-3200, EUR)
    assert LedgerAccount.objects.get(code=f"seller:{seller_a.pk}:payable").seller == seller_a

    refund = record_refund(
        key=f"{reference}:refund:1",
        reference=reference,
        seller_id=seller_b.pk,
        gross=shares[1].gross,
        commission=shares[1].commission,
    )

    assert refund.kind == "refund"
    assert balance("psp:receivable", EUR) == Money(30000, EUR)
    assert balance(f"seller:{seller_b.pk}:payable", EUR) == Money(0, EUR)
    assert balance("platform:commission", EUR) == Money(-3000, EUR)

    cancellation = record_cancellation(
        key=f"{reference}:cancel:1",
        reference=reference,
        seller_id=seller_a.pk,
        gross=Money(10000, EUR),
        commission=Money(1000, EUR),
    )

    assert cancellation.kind == "cancellation"
    assert balance(f"seller:{seller_a.pk}:payable", EUR) == Money(-18000, EUR)
    assert balance("psp:receivable", EUR) == Money(20000, EUR)
    assert balance("platform:commission", EUR) == Money(-2000, EUR)
    assert LedgerTransaction.objects.filter(reference=reference).count() == 4


def test_a_retried_split_is_written_once():
    seller = SellerFactory()
    shares = [SellerShare.at_rate(seller.pk, Money(5000, "GBP"), Decimal("10"))]
    record_capture(key="o1:capture", reference="o1", amount=Money(5000, "GBP"))
    first = record_split(key="o1:split", reference="o1", shares=shares)

    assert record_split(key="o1:split", reference="o1", shares=shares).pk == first.pk
    assert balance(f"seller:{seller.pk}:payable", "GBP") == Money(-4500, "GBP")


def test_balances_lists_every_account_in_one_query_and_the_totals_are_zero(django_assert_num_queries):
    sellers = [SellerFactory() for _ in range(3)]
    make_sale(sellers=[s.pk for s in sellers], amounts=[1000, 2000, 3000], currency="SEK")
    make_sale(sellers=[sellers[0].pk], amounts=[5000], currency="JPY")

    with django_assert_num_queries(1):
        accounts = balances()

    assert [(a.code, a.balance) for a in accounts if a.balance.currency == "JPY"] == [
        ("platform:clearing", Money(0, "JPY")),
        ("platform:commission", Money(-500, "JPY")),
        ("psp:receivable", Money(5000, "JPY")),
        (f"seller:{sellers[0].pk}:payable", Money(-4500, "JPY")),
    ]
    assert next(a for a in accounts if a.code == f"seller:{sellers[1].pk}:payable").seller_name == sellers[1].name
    assert totals_by_currency(accounts) == {"JPY": Money(0, "JPY"), "SEK": Money(0, "SEK")}


def test_latest_transactions_prefetch_their_postings(django_assert_num_queries):
    seller = SellerFactory()
    for _ in range(3):
        make_sale(sellers=[seller.pk], amounts=[1000])

    with django_assert_num_queries(2):
        entries = latest_transactions(limit=5)
        legs = [(p.account.code, p.amount) for entry in entries for p in entry.postings.all()]

    assert len(entries) == 5
    assert entries[0].idempotency_key.endswith(":split")  # newest first
    assert len(legs) == 3 + 2 + 3 + 2 + 3  # splits have three legs (clearing, payable, commission), captures two
    assert entries[0].pk > entries[1].pk


@pytest.mark.postgres
@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_write_one_transaction():
    """Eight threads post the same key at once against PostgreSQL: one transaction, every caller gets it."""
    barrier = threading.Barrier(8)
    results, errors = [], []

    def post():
        try:
            barrier.wait()
            entry = post_transaction(
                idempotency_key="same", kind="payment", reference="order:1", postings=capture_postings(700)
            )
            results.append(entry.pk)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(results) == 8
    assert len(set(results)) == 1
    assert LedgerTransaction.objects.count() == 1
    assert Posting.objects.count() == 2
    assert LedgerAccount.objects.count() == 2
    assert balance("psp:receivable", EUR) == Money(700, EUR)
    assert connection.vendor == "postgresql"
