"""A return the seller accepted for a refund ends in a refund: once the unit is back the seller cannot mark it
"repaired" or "replaced" instead (the line would stay ``returned`` for ever: the buyer never refunded, the money
never released). Only a case answered with a repair or a replacement offer is resolved that way; and the operator
cannot close such a return, escalated, with no remedy either."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from reloop.accounts.tests.factories import UserFactory
from reloop.aftersales import services
from reloop.aftersales.errors import CaseStateConflict
from reloop.aftersales.models import Case
from reloop.aftersales.tests.factories import delivered_line
from reloop.orders.domain import LineState
from reloop.orders.models import OrderLine
from reloop.payments.models import TestRefund

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(db):
    person = UserFactory.create(is_staff=True)
    person.user_permissions.add(*Permission.objects.filter(codename__in=["view_case", "change_case"]))
    return person


def received_return(sale):
    case = services.open_return(
        actor=sale.buyer, line_id=sale.line.pk, reason="change_of_mind", description="Too big for my hand."
    )
    services.answer_case(actor=sale.seller_user, case_id=case.pk, answer="accept", note="Label inside.")
    services.mark_shipped_back(actor=sale.buyer, case_id=case.pk, carrier="royal_mail", tracking_number="AB1GB")
    return services.confirm_receipt(actor=sale.seller_user, case_id=case.pk)


def test_the_seller_cannot_resolve_an_accepted_return_without_refunding_it():
    # Given a return accepted for a refund, the unit back with the seller
    sale = delivered_line()
    case = received_return(sale)
    # When the seller marks it replaced instead of refunding
    with pytest.raises(CaseStateConflict):
        services.resolve_case(actor=sale.seller_user, case_id=case.pk, resolution="replaced", note="Sent another.")
    # Then nothing changed: the case waits for the refund, the line is returned
    assert Case.objects.get(pk=case.pk).state == "received"
    assert OrderLine.objects.get(pk=sale.line.pk).state == LineState.RETURNED


def test_the_resolve_form_posted_on_an_accepted_return_is_a_form_error(client):
    sale = delivered_line()
    case = received_return(sale)
    client.force_login(sale.seller_user)
    url = reverse("seller:case", kwargs={"case_id": case.pk})
    response = client.post(url, {"action": "resolve", "resolution": "repaired", "note": "Fixed it."})
    assert response.status_code == 422
    assert Case.objects.get(pk=case.pk).state == "received"
    # And the refund still goes through
    assert client.post(url, {"action": "refund", "amount": ""}).status_code == 302
    assert (Case.objects.get(pk=case.pk).state, TestRefund.objects.get().amount) == ("resolved", sale.line.line_total)
    assert OrderLine.objects.get(pk=sale.line.pk).state == LineState.REFUNDED


def test_the_operator_cannot_close_a_return_whose_unit_the_seller_has_without_a_refund(operator):
    # Given an accepted return received by the seller, escalated when the seller did not refund in time
    sale = delivered_line()
    case = received_return(sale)
    services.escalate_overdue_cases(now=case.resolve_due_at + dt.timedelta(minutes=1))
    assert Case.objects.get(pk=case.pk).state == "escalated"
    # When the operator closes it with no remedy
    with pytest.raises(CaseStateConflict):
        services.decide_case(actor=operator, case_id=case.pk, decision="close", note="Nothing to do.")
    # Then nothing changed, and a refund at the seller's expense still goes through
    assert Case.objects.get(pk=case.pk).state == "escalated"
    assert OrderLine.objects.get(pk=sale.line.pk).state == LineState.RETURNED
    services.decide_case(actor=operator, case_id=case.pk, decision="refund", note="The seller has the unit.")
    assert OrderLine.objects.get(pk=sale.line.pk).state == LineState.REFUNDED
    assert TestRefund.objects.get().amount == sale.line.line_total
