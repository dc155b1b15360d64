"""A refund the seller started and that stopped half-way (the provider unreachable, the process killed) is not
left for ever: once it has waited an hour past the case's SLA deadline the case goes to the operator like any
overdue case, and the operator's refund decision finishes it — the buyer is paid back once. A refund being paid
right now is not escalated under it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission

from reloop.accounts.tests.factories import UserFactory
from reloop.aftersales import refunds, services
from reloop.aftersales.models import Case
from reloop.aftersales.tests.factories import delivered_line
from reloop.orders.domain import LineState
from reloop.orders.models import OrderLine
from reloop.payments.checks import failed, run_checks
from reloop.payments.models import TestRefund

pytestmark = pytest.mark.django_db


class Unreachable:
    def refund(self, **kwargs):
        raise OSError("provider unreachable")


def test_an_abandoned_refund_is_escalated_and_the_operator_finishes_it(monkeypatch):
    # Given a warranty claim the seller starts to refund while the provider is unreachable
    sale = delivered_line(price=30000)
    case = services.open_warranty_claim(
        actor=sale.buyer, line_id=sale.line.pk, reason="defective", description="It does not charge."
    )
    monkeypatch.setattr(refunds, "get_provider", lambda: Unreachable())
    with pytest.raises(OSError, match="unreachable"):
        services.refund_case(actor=sale.seller_user, case_id=case.pk)
    monkeypatch.undo()
    case = Case.objects.get(pk=case.pk)
    assert (case.state, case.refund_pending, TestRefund.objects.count()) == ("opened", True, 0)

    # When the SLA job runs a minute after the answer deadline and the claim (made at the deadline), the refund is
    # left alone: it may still be running …
    Case.objects.filter(pk=case.pk).update(updated_at=case.answer_due_at)
    assert services.escalate_overdue_cases(now=case.answer_due_at + dt.timedelta(minutes=1)) == 0
    assert Case.objects.get(pk=case.pk).state == "opened"
    # … but an hour later it goes to the operator
    assert services.escalate_overdue_cases(now=case.answer_due_at + dt.timedelta(hours=1, minutes=1)) == 1
    assert Case.objects.get(pk=case.pk).state == "escalated"

    # Then the operator's refund decision pays the buyer back once, as claimed
    operator = UserFactory(is_staff=True)
    operator.user_permissions.add(*Permission.objects.filter(codename__in=["view_case", "change_case"]))
    services.decide_case(actor=operator, case_id=case.pk, decision="refund", note="Finishing the seller's refund.")
    case = Case.objects.get(pk=case.pk)
    assert (case.state, case.refund_amount, case.refund_pending) == ("resolved", 30000, False)
    assert list(TestRefund.objects.values_list("amount", flat=True)) == [30000]
    assert OrderLine.objects.get(pk=sale.line.pk).state == LineState.REFUNDED
    assert failed(run_checks()) == []
