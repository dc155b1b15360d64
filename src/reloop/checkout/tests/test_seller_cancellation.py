"""A seller cancelling a whole seller order, and the jobs that cancel lines not accepted or shipped in time.

Orders are placed through checkout so that cancellations refund real (test provider) charges and the ledger.
"""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from reloop.checkout.auto_cancel import cancel_unaccepted_lines, cancel_unshipped_lines
from reloop.checkout.services import cancel_seller_order
from reloop.checkout.tests.factories import paid_seller_order
from reloop.core.errors import InvalidInput
from reloop.fulfillment.services import ship_seller_order
from reloop.offers.models import Offer
from reloop.orders.domain import LineState
from reloop.orders.errors import NotCancellable, OrderNotFound
from reloop.orders.models import Order, OrderLine
from reloop.orders.services import accept_seller_order
from reloop.payments.models import TestCharge
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db

MONDAY_10H = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC)


def placed(*, quantity=1, dispatch_days=1, seller=None):
    """(seller, seller order, line) of an order paid with the test card, as a buyer places it."""
    seller = seller or SellerFactory()
    _, part, line = paid_seller_order(seller=seller, quantity=quantity, dispatch_days=dispatch_days)
    return seller, part, line


def ledger_report() -> str:
    out = StringIO()
    call_command("check_ledger", stdout=out, stderr=out)
    return out.getvalue()


class TestCancelSellerOrder:
    def test_every_open_line_is_cancelled_with_stock_and_money_back(self):
        seller, part, line = placed(quantity=2)
        stock = Offer.objects.get(pk=line.offer_id).stock
        cancelled = cancel_seller_order(actor=None, seller=seller, seller_order_id=part.pk, reason="  damaged  ")
        assert [line.state for line in cancelled.lines.all()] == [LineState.CANCELLED]
        event = line.events.get(to_state="cancelled")
        assert (event.actor_kind, event.reason) == ("seller", "damaged")
        assert Offer.objects.get(pk=line.offer_id).stock == stock + 2
        assert TestCharge.objects.get().refunded_amount == part.total
        assert "FAILED" not in ledger_report()

    def test_cancelling_twice_refunds_once(self):
        seller, part, line = placed()
        cancel_seller_order(actor=None, seller=seller, seller_order_id=part.pk, reason="damaged")
        cancel_seller_order(actor=None, seller=seller, seller_order_id=part.pk, reason="damaged")
        assert line.events.filter(to_state="cancelled").count() == 1
        assert TestCharge.objects.get().refunded_amount == part.total

    @pytest.mark.parametrize("reason", ["", "   ", "x" * 301])
    def test_a_reason_is_required(self, reason):
        seller, part, line = placed()
        with pytest.raises(InvalidInput) as exc:
            cancel_seller_order(actor=None, seller=seller, seller_order_id=part.pk, reason=reason)
        assert exc.value.code == "invalid_reason"
        line.refresh_from_db()
        assert line.state == LineState.PAID
        assert TestCharge.objects.get().refunded_amount == 0

    def test_a_shipped_order_cannot_be_cancelled(self):
        seller, part, line = placed()
        ship_seller_order(
            actor=None,
            seller=seller,
            seller_order_id=part.pk,
            carrier="ups",
            tracking_number="1Z999",
            units={line.pk: ["C02XK1ABC"]},
        )
        with pytest.raises(NotCancellable):
            cancel_seller_order(actor=None, seller=seller, seller_order_id=part.pk, reason="changed my mind")
        line.refresh_from_db()
        assert line.state == LineState.SHIPPED
        assert TestCharge.objects.get().refunded_amount == 0

    def test_another_sellers_order_is_not_found(self):
        _, part, line = placed()
        with pytest.raises(OrderNotFound):
            cancel_seller_order(actor=None, seller=SellerFactory(), seller_order_id=part.pk, reason="mine")
        line.refresh_from_db()
        assert line.state == LineState.PAID


def paid_at(part, moment):
    Order.objects.filter(pk=part.order_id).update(paid_at=moment)


def at(monkeypatch, moment):
    monkeypatch.setattr("reloop.core.clock.now", lambda: moment)


class TestAutoCancel:
    def test_a_line_not_accepted_within_one_business_day_is_cancelled_once(self, monkeypatch):
        # given a line paid on Monday 10:00 and another accepted in time
        seller, late, late_line = placed()
        _, on_time, on_time_line = placed(seller=seller)
        paid_at(late, MONDAY_10H)
        paid_at(on_time, MONDAY_10H)
        accept_seller_order(actor=None, seller=seller, seller_order_id=on_time.pk)
        # when the job runs on Tuesday 09:59 nothing happens; at 10:01 the late line is cancelled; then again
        at(monkeypatch, MONDAY_10H + dt.timedelta(hours=23, minutes=59))
        assert cancel_unaccepted_lines() == 0
        at(monkeypatch, MONDAY_10H + dt.timedelta(days=1, minutes=1))
        assert cancel_unaccepted_lines() == 1
        assert cancel_unaccepted_lines() == 0
        # then it is cancelled by the system, counted against the seller, refunded once
        late_line.refresh_from_db()
        on_time_line.refresh_from_db()
        assert (late_line.state, on_time_line.state) == (LineState.CANCELLED, LineState.ACCEPTED)
        event = late_line.events.get(to_state="cancelled")
        assert event.actor_kind == "system"
        assert event.reason.startswith("auto_cancel:not_accepted")
        assert "counts against the seller" in event.reason
        assert sorted(TestCharge.objects.values_list("refunded_amount", flat=True)) == [0, late.total]
        assert "FAILED" not in ledger_report()

    def test_a_friday_order_may_be_accepted_until_monday(self, monkeypatch):
        _, part, _line = placed()
        friday = MONDAY_10H - dt.timedelta(days=3)
        paid_at(part, friday)
        at(monkeypatch, friday + dt.timedelta(days=3) - dt.timedelta(minutes=1))  # Monday 09:59
        assert cancel_unaccepted_lines() == 0
        at(monkeypatch, friday + dt.timedelta(days=3, minutes=1))
        assert cancel_unaccepted_lines() == 1

    def test_an_accepted_line_not_shipped_within_its_dispatch_days_is_cancelled_once(self, monkeypatch):
        seller, part, line = placed(dispatch_days=3)
        paid_at(part, MONDAY_10H)
        accept_seller_order(actor=None, seller=seller, seller_order_id=part.pk)
        at(monkeypatch, MONDAY_10H + dt.timedelta(days=3) - dt.timedelta(minutes=1))  # Thursday 09:59
        assert cancel_unshipped_lines() == 0
        at(monkeypatch, MONDAY_10H + dt.timedelta(days=3, minutes=1))
        assert cancel_unshipped_lines() == 1
        assert cancel_unshipped_lines() == 0
        line.refresh_from_db()
        assert line.state == LineState.CANCELLED
        event = line.events.get(to_state="cancelled")
        assert (event.actor_kind, event.reason.split(":")[0:2]) == ("system", ["auto_cancel", "not_shipped"])
        assert Offer.objects.get(pk=line.offer_id).stock == 10
        assert TestCharge.objects.get().refunded_amount == part.total

    def test_shipped_lines_are_never_auto_cancelled(self, monkeypatch):
        seller, part, line = placed()
        paid_at(part, MONDAY_10H)
        ship_seller_order(
            actor=None,
            seller=seller,
            seller_order_id=part.pk,
            carrier="dpd",
            tracking_number="0123456789",
            units={line.pk: ["SN12345"]},
        )
        at(monkeypatch, MONDAY_10H + dt.timedelta(days=30))
        assert (cancel_unaccepted_lines(), cancel_unshipped_lines()) == (0, 0)
        assert OrderLine.objects.get(pk=line.pk).state == LineState.SHIPPED
