"""Invoice numbers: one unbroken sequence per seller, under concurrency; issued documents never change."""

from __future__ import annotations

import threading

import pytest
from django.db import DatabaseError, IntegrityError, connection, connections, transaction

from reloop.invoicing.models import Invoice, InvoiceImmutable
from reloop.invoicing.services import _next_sequence, issue_invoices
from reloop.invoicing.tests.factories import Item, offer_of, paid_order, trader
from reloop.orders.models import Order, OrderStatus


@pytest.mark.django_db
def test_numbers_follow_each_other_per_seller_and_retries_issue_nothing_new() -> None:
    a, b = trader(name="Alpha"), trader(name="Beta")
    first = paid_order(market="fr-fr", items=[Item(offer_of(a), 1000), Item(offer_of(b), 2000)])
    second = paid_order(market="fr-fr", items=[Item(offer_of(a), 3000)])
    issued = issue_invoices(order_id=first.pk) + issue_invoices(order_id=second.pk)
    assert [(i.seller.name, i.sequence) for i in issued] == [("Alpha", 1), ("Beta", 1), ("Alpha", 2)]
    assert issued[2].number == f"RL{a.pk:04d}-000002"
    again = issue_invoices(order_id=first.pk)
    assert [i.pk for i in again] == [issued[0].pk, issued[1].pk]
    assert Invoice.objects.count() == 3


@pytest.mark.django_db
def test_an_issued_invoice_cannot_change_or_disappear() -> None:
    order = paid_order(market="fr-fr", items=[Item(offer_of(trader()), 1000)])
    [invoice] = issue_invoices(order_id=order.pk)
    invoice.total = 1
    with pytest.raises(InvoiceImmutable):
        invoice.save()
    with pytest.raises(InvoiceImmutable):
        Invoice.objects.filter(pk=invoice.pk).update(total=1)
    with pytest.raises(InvoiceImmutable):
        invoice.delete()
    with pytest.raises(InvoiceImmutable):
        Invoice.objects.all().delete()
    # Below the model: the database itself refuses (trigger of migration 0002).
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE invoicing_invoice SET total = 1 WHERE id = %s", [invoice.pk])
    assert Invoice.objects.get(pk=invoice.pk).total == 1000


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgres_refuses_deleting_an_invoice() -> None:
    [invoice] = issue_invoices(order_id=paid_order(market="fr-fr", items=[Item(offer_of(trader()), 1000)]).pk)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM invoicing_invoice WHERE id = %s", [invoice.pk])
    assert Invoice.objects.filter(pk=invoice.pk).exists()


@pytest.mark.django_db
def test_a_rolled_back_issue_gives_its_number_back() -> None:
    seller = trader()

    def crash() -> None:
        with transaction.atomic():
            _next_sequence(seller.pk)
            raise RuntimeError("crash after taking a number")

    with pytest.raises(RuntimeError):
        crash()
    [invoice] = issue_invoices(order_id=paid_order(market="fr-fr", items=[Item(offer_of(seller), 1000)]).pk)
    assert invoice.sequence == 1


@pytest.mark.postgres
@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_concurrent_issuing_gives_one_unbroken_sequence_per_seller() -> None:
    """Twelve orders of one seller invoiced by twelve threads at once, each order twice (a retried handler),
    with threads that crash after taking a number: numbers 1..12, no gap, no duplicate, one invoice per order."""
    seller, other = trader(name="Alpha"), trader(name="Beta")
    orders = []
    for _ in range(12):
        # Paid without publishing OrderPaid, so that only the threads below issue.
        order = paid_order(market="fr-fr", items=[Item(offer_of(seller), 1000), Item(offer_of(other), 500)], paid=False)
        Order.objects.filter(pk=order.pk).update(status=OrderStatus.PAID)
        orders.append(order.pk)
    jobs: list[int | None] = [*orders, *orders, None, None, None]
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def work(order_id: int | None) -> None:
        try:
            barrier.wait()
            if order_id is None:
                with transaction.atomic():
                    _next_sequence(seller.pk)
                    raise RuntimeError("crash")
            issue_invoices(order_id=order_id)
        except RuntimeError:
            pass
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert connection.vendor == "postgresql"
    for who in (seller, other):
        sequences = list(Invoice.objects.filter(seller=who).order_by("sequence").values_list("sequence", flat=True))
        assert sequences == list(range(1, 13))
    assert Invoice.objects.filter(seller=seller).values("seller_order").distinct().count() == 12
