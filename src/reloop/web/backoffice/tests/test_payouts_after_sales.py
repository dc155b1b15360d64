"""The issue's key money test through the real after-sales flow: a line delivered, released and paid out, then
returned and refunded; the seller's debt is recovered from the next payout and ``reloop check_ledger`` passes."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from reloop.aftersales import services as aftersales
from reloop.aftersales.tests.factories import delivered_line
from reloop.core import clock
from reloop.core.money import Money
from reloop.payments import services as payouts
from reloop.payments.checks import run_checks
from reloop.payments.models import LineRefund, Payout
from reloop.payments.selectors import balance

pytestmark = pytest.mark.django_db


def available(seller) -> int:
    """The seller's available balance in the seller's terms (negative: the seller owes us)."""
    return -balance(f"seller:{seller.pk}:available", "GBP").amount


def ledger_output() -> str:
    out = StringIO()
    call_command("check_ledger", stdout=out)
    return out.getvalue()


def test_a_return_refunded_after_payout_is_a_debt_recovered_from_the_next_payout():
    today = clock.now().date()
    # Given a line delivered 20 days ago, released and paid out
    sale = delivered_line(price=30000, delivered_at=clock.now() - dt.timedelta(days=20))
    payouts.release_matured_lines(today=today)
    payouts.run_payouts(run_date=today - dt.timedelta(days=1))
    assert available(sale.seller) == 0

    # When the buyer returns it within the 30 days and the seller refunds it in full
    case = aftersales.open_return(
        actor=sale.buyer, line_id=sale.line.pk, reason="change_of_mind", description="Not for me."
    )
    aftersales.answer_case(actor=sale.seller_user, case_id=case.pk, answer="accept", note="Label inside.")
    aftersales.mark_shipped_back(actor=sale.buyer, case_id=case.pk, carrier="royal_mail", tracking_number="AB1GB")
    aftersales.confirm_receipt(actor=sale.seller_user, case_id=case.pk)
    aftersales.refund_case(actor=sale.seller_user, case_id=case.pk)

    # Then the refund came out of the seller's available balance: a debt of the net paid out
    assert LineRefund.objects.get(line=sale.line).from_available is True
    assert available(sale.seller) == -27000
    assert f"All {len(run_checks())} ledger checks passed." in ledger_output()

    # And the next sale's money pays the debt first
    delivered_line(seller=sale.seller, price=50000, delivered_at=clock.now() - dt.timedelta(days=15))
    payouts.release_matured_lines(today=today)
    payouts.run_payouts(run_date=today)
    assert Payout.objects.get(run_date=today).amount == 45000 - 27000
    assert Money(available(sale.seller), "GBP") == Money(0, "GBP")
    assert f"All {len(run_checks())} ledger checks passed." in ledger_output()
