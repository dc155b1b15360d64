"""``reloop check_ledger``: passes on a ledger written by the services, fails and names the damage otherwise."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reloop.core.money import Money
from reloop.payments.checks import run_checks
from reloop.payments.models import LedgerAccount, LedgerTransaction, Posting
from reloop.payments.services import record_capture, record_refund
from reloop.payments.tests.factories import make_sale
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db


def run() -> tuple[str, CommandError | None]:
    out = StringIO()
    try:
        call_command("check_ledger", stdout=out)
    except CommandError as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


def raw(sql: str, params: list) -> None:
    """Change ledger rows behind the services' back, as a bad script or migration would."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_a_ledger_written_by_the_services_passes():
    seller_a, seller_b = SellerFactory(), SellerFactory()
    make_sale(sellers=[seller_a.pk, seller_b.pk], amounts=[30000, 1995])
    with CaptureQueriesContext(connection) as fewer:
        run_checks()
    make_sale(sellers=[seller_a.pk], amounts=[12345], currency="JPY")

    # Aggregate queries, about one per check when it passes (higher layers' checks too: the impact totals take four),
    # and the same number whatever the number of postings
    with CaptureQueriesContext(connection) as more:
        results = run_checks()
    assert len(more) == len(fewer)
    assert len(more) <= len(results) + 4
    output, error = run()

    assert error is None
    assert all(r.ok for r in results)
    assert len(results) >= 17
    assert output.count("OK ") == len(results)
    assert "FAILED" not in output
    assert f"All {len(results)} ledger checks passed." in output


def test_an_empty_ledger_passes():
    output, error = run()
    assert error is None
    assert f"All {len(run_checks())} ledger checks passed." in output


def test_a_posting_corrupted_with_raw_sql_fails_and_names_its_transaction():
    seller = SellerFactory()
    _, _, split, _ = make_sale(sellers=[seller.pk], amounts=[1000])
    posting = Posting.objects.filter(transaction=split, account__code="platform:clearing").get()
    raw("UPDATE payments_posting SET amount = amount + 1 WHERE id = %s", [posting.pk])

    output, error = run()

    assert error is not None
    assert "ledger checks failed" in str(error)
    assert f"FAILED  each transaction sums to zero per currency: 1 offending: transaction {split.pk} (EUR +1)" in output
    assert "FAILED  all postings sum to zero per currency: 1 offending: EUR (+1)" in output
    assert "FAILED  platform:clearing balance ≤ 0" in output  # the split now takes 0.01 more than was captured


def test_a_posting_in_the_wrong_currency_and_a_one_legged_transaction_fail():
    capture = record_capture(key="c1", reference="order:1", amount=Money(500, "EUR"))
    receivable = Posting.objects.get(transaction=capture, account__code="psp:receivable")
    raw("UPDATE payments_posting SET currency = 'GBP' WHERE id = %s", [receivable.pk])
    other = record_capture(key="c2", reference="order:2", amount=Money(700, "EUR"))
    clearing = Posting.objects.get(transaction=other, account__code="platform:clearing")
    raw("UPDATE payments_posting SET transaction_id = %s WHERE id = %s", [capture.pk, clearing.pk])

    results = {r.name: r for r in run_checks()}
    output, error = run()

    assert error is not None
    assert results["each posting is in its account's currency"].offenders == (
        f"transaction {capture.pk} (posting {receivable.pk}: GBP on a EUR account)",
    )
    assert results["each transaction has at least two postings"].offenders == (
        f"transaction {other.pk} (1 posting(s))",
    )
    assert f"transaction {other.pk} (1 posting(s))" in output


def test_a_refund_larger_than_the_sale_shows_in_the_account_checks():
    seller = SellerFactory()
    reference, *_ = make_sale(sellers=[seller.pk], amounts=[1000])
    # The ledger services do not know what was sold: the glue must not refund more, and check_ledger notices
    record_refund(
        key="r1", reference=reference, seller_id=seller.pk, gross=Money(3000, "EUR"), commission=Money(0, "EUR")
    )

    failed = {r.name: r for r in run_checks() if not r.ok}

    assert set(failed) == {
        "psp:receivable balance ≥ 0 (never refunds more than was captured)",
        "seller money on hold (seller:<id>:payable) ≤ 0 (never released or refunded more than was held)",
    }
    assert failed["psp:receivable balance ≥ 0 (never refunds more than was captured)"].offenders == (
        "psp:receivable EUR (-2000)",
    )


def test_offenders_are_capped_at_twenty_but_counted_in_full():
    for n in range(25):
        record_capture(key=f"c{n}", reference=f"order:{n}", amount=Money(100, "EUR"))
    raw("UPDATE payments_posting SET amount = amount * 2 WHERE amount > 0", [])

    result = next(r for r in run_checks() if r.name == "each transaction sums to zero per currency")
    output, _ = run()

    assert result.count == 25
    assert len(result.offenders) == 20
    assert "25 offending (first 20)" in output
    assert LedgerTransaction.objects.count() == 25
    assert LedgerAccount.objects.count() == 2
