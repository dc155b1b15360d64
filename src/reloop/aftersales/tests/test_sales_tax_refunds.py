"""After-sales refunds of a US line give back the sales tax on the refunded part, as a cancellation does: to the
buyer through the provider, out of ``platform:sales_tax_payable`` in the ledger, and on the credit note; pro rata
for a partial refund, once under retry (docs/adr/0022-sales-tax.md)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reloop.aftersales import refunds, services
from reloop.aftersales.models import Case
from reloop.aftersales.tests.factories import delivered_line
from reloop.core.money import Money
from reloop.invoicing.models import Invoice, InvoiceKind
from reloop.invoicing.services import issue_credit_notes, issue_invoices
from reloop.payments.checks import failed, run_checks
from reloop.payments.domain import PLATFORM_SALES_TAX
from reloop.payments.models import LedgerTransaction, TestCharge, TestRefund
from reloop.payments.selectors import balance

pytestmark = pytest.mark.django_db


def open_return(sale):
    return services.open_return(
        actor=sale.buyer, line_id=sale.line.pk, reason="not_as_described", description="Scratched screen."
    )


def sales_tax_refunds(case: Case) -> list[LedgerTransaction]:
    return list(LedgerTransaction.objects.filter(idempotency_key__endswith=f":case:{case.pk}:refund:sales-tax"))


def test_a_full_refund_gives_back_the_line_sales_tax_to_the_buyer_the_ledger_and_the_credit_note(
    django_capture_on_commit_callbacks,
) -> None:
    sale = delivered_line(price=30000, sales_tax_rate=Decimal("7.25"))  # tax 21.75
    assert (sale.line.tax_amount, sale.order.total) == (2175, 32175)
    [invoice] = issue_invoices(order_id=sale.order.pk)
    assert balance(PLATFORM_SALES_TAX, "USD") == Money(-2175, "USD")
    case = open_return(sale)
    with django_capture_on_commit_callbacks(execute=True):
        case = services.refund_case(actor=sale.seller_user, case_id=case.pk)

    assert (case.refund_amount, case.refund_tax, case.refund_total) == (30000, 2175, 32175)
    assert TestCharge.objects.get().refunded_amount == 32175  # goods and their tax, to the buyer
    assert balance(PLATFORM_SALES_TAX, "USD") == Money(0, "USD")  # nothing left owed to the state
    [entry] = sales_tax_refunds(case)
    assert sorted((p.account.code, p.amount) for p in entry.postings.all()) == [
        ("platform:sales_tax_payable", 2175),
        ("psp:receivable", -2175),
    ]
    assert [c.name for c in failed(run_checks())] == []

    [note] = Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE) or issue_credit_notes(line_id=sale.line.pk)
    [line] = note.content["lines"]
    assert (line["net"], line["sales_tax"], line["total"]) == (30000, 2175, 32175)
    assert (note.credits_id, note.sales_tax_total, note.total) == (invoice.pk, 2175, invoice.total)
    assert "$321.75 was refunded" in mail.outbox[-1].body  # the buyer's email says what came back


def test_a_partial_refund_gives_back_the_tax_on_that_part_only() -> None:
    sale = delivered_line(price=30000, sales_tax_rate=Decimal("7.25"))
    issue_invoices(order_id=sale.order.pk)
    case = services.refund_case(actor=sale.seller_user, case_id=open_return(sale).pk, amount=Money(10000, "USD"))
    assert (case.refund_amount, case.refund_tax) == (10000, 725)  # 7.25 % of 100.00
    assert TestCharge.objects.get().refunded_amount == 10725
    assert balance(PLATFORM_SALES_TAX, "USD") == Money(-1450, "USD")  # the tax on what the buyer keeps
    [note] = Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE) or issue_credit_notes(line_id=sale.line.pk)
    assert (note.total, note.sales_tax_total) == (10725, 725)
    assert [c.name for c in failed(run_checks())] == []


def test_a_retried_refund_gives_back_the_tax_once() -> None:
    sale = delivered_line(price=19999, sales_tax_rate=Decimal("6"))
    case = open_return(sale)
    first = services.refund_case(actor=sale.seller_user, case_id=case.pk)
    again = services.refund_case(actor=sale.seller_user, case_id=case.pk)
    assert (first.refund_tax, again.refund_tax) == (1200, 1200)
    assert TestRefund.objects.count() == 1
    assert len(sales_tax_refunds(case)) == 1
    assert balance(PLATFORM_SALES_TAX, "USD") == Money(0, "USD")


def test_a_crash_after_the_provider_paid_goods_and_tax_is_finished_once(monkeypatch) -> None:
    sale = delivered_line(price=30000, sales_tax_rate=Decimal("7.25"))
    case = open_return(sale)
    real_settle = refunds._settle_refund

    def crash(*args, **kwargs):
        raise ConnectionError("worker killed")

    monkeypatch.setattr(refunds, "_settle_refund", crash)
    with pytest.raises(ConnectionError):
        services.refund_case(actor=sale.seller_user, case_id=case.pk, amount=Money(12345, "USD"))
    assert TestCharge.objects.get().refunded_amount == 12345 + 895  # paid, not yet in the ledger
    assert sales_tax_refunds(case) == []
    monkeypatch.setattr(refunds, "_settle_refund", real_settle)
    done = services.refund_case(actor=sale.seller_user, case_id=case.pk, amount=Money(12345, "USD"))
    assert (done.refund_tax, TestRefund.objects.count(), len(sales_tax_refunds(case))) == (895, 1, 1)
    assert [c.name for c in failed(run_checks())] == []


def test_a_refund_without_sales_tax_records_none() -> None:
    sale = delivered_line(price=30000)  # a GB order: VAT is in the price
    case = services.refund_case(actor=sale.seller_user, case_id=open_return(sale).pk)
    assert (case.refund_tax, case.refund_total) == (0, 30000)
    assert sales_tax_refunds(case) == []
    assert TestCharge.objects.get().refunded_amount == 30000


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    price=st.integers(min_value=1, max_value=250_000),
    quantity=st.integers(min_value=1, max_value=3),
    rate=st.sampled_from([Decimal("4"), Decimal("4.225"), Decimal("6.875"), Decimal("7.25")]),
    share=st.fractions(min_value=0, max_value=1),
)
def test_any_refund_gives_back_its_tax_share_and_the_ledger_balances(price, quantity, rate, share) -> None:
    sale = delivered_line(price=price, quantity=quantity, sales_tax_rate=rate)
    total, tax = sale.line.line_total, sale.line.tax_amount
    amount = max(1, int(total * share))
    case = services.refund_case(actor=sale.seller_user, case_id=open_return(sale).pk, amount=Money(amount, "USD"))
    assert 0 <= case.refund_tax <= tax
    assert case.refund_tax == (tax if amount == total else case.refund_tax)
    assert abs(case.refund_tax * total - tax * amount) * 2 <= total  # half-up of the exact share
    assert TestCharge.objects.get(reference=sale.order.payment_reference).refunded_amount == amount + case.refund_tax
    assert [c.name for c in failed(run_checks())] == []
