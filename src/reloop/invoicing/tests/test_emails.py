"""Order emails: sent once per event, after commit (never on rollback), in the recipient's language, recorded."""

from __future__ import annotations

from typing import cast

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db import transaction

from reloop.accounts.models import User
from reloop.accounts.tests.factories import UserFactory
from reloop.invoicing.models import Invoice
from reloop.invoicing.tests.factories import Item, offer_of, paid_order, trader
from reloop.notifications.models import Message, MessageStatus
from reloop.sellers.models import MemberRole, Seller, SellerMember

pytestmark = pytest.mark.django_db


def team(seller: Seller, *emails: str) -> None:
    for email in emails:
        SellerMember.objects.create(seller=seller, user=cast(User, UserFactory(email=email)), role=MemberRole.OWNER)


def test_a_paid_order_sends_the_confirmation_with_invoices_and_each_seller_its_new_order(
    django_capture_on_commit_callbacks,
) -> None:
    alpha, beta = trader(name="Alpha", country="FR"), trader(name="Beta", country="DE")
    team(alpha, "alpha@seller.example")
    team(beta, "beta@seller.example", "beta2@seller.example")
    buyer = cast(User, UserFactory(email="camille@example.com"))
    with django_capture_on_commit_callbacks(execute=True):
        order = paid_order(
            market="fr-fr", buyer=buyer, items=[Item(offer_of(alpha), 34900), Item(offer_of(beta), 19900)]
        )
    assert Invoice.objects.filter(order=order).count() == 2
    sent = {m.to[0]: m for m in mail.outbox}
    assert set(sent) == {"camille@example.com", "alpha@seller.example", "beta@seller.example", "beta2@seller.example"}
    confirmation = sent["camille@example.com"]
    assert confirmation.subject == f"Votre commande {order.number} est confirmée"
    assert "Vendu et expédié par Alpha" in confirmation.body
    assert [name for name, _content, _type in confirmation.attachments] == [
        f"{i.number}.pdf" for i in Invoice.objects.filter(order=order).order_by("pk")
    ]
    assert all(content.startswith(b"%PDF-") for _name, content, _type in confirmation.attachments)
    html = cast(EmailMultiAlternatives, confirmation).alternatives[0]
    assert html[1] == "text/html"
    assert f"Votre commande {order.number} est confirmée" in str(html[0])
    # Sellers in their country's language, with the deadline to accept.
    assert sent["alpha@seller.example"].subject == f"Nouvelle commande {order.number} : acceptez-la à temps"
    assert sent["beta@seller.example"].subject == f"Neue Bestellung {order.number}: rechtzeitig annehmen"
    assert "Nehmen Sie sie bis" in sent["beta@seller.example"].body  # the accept deadline
    assert "Acceptez-la avant le" in sent["alpha@seller.example"].body
    assert f"/seller/orders/{order.seller_orders.get(seller=beta).pk}/" in sent["beta@seller.example"].body
    recorded = Message.objects.get(to="camille@example.com")
    assert (recorded.template, recorded.object_type, recorded.object_id, recorded.status) == (
        "invoicing/email/order_confirmation", "order", order.number, MessageStatus.SENT,
    )  # fmt: skip
    assert recorded.attachments == [name for name, _c, _t in confirmation.attachments]


def test_the_event_delivered_twice_sends_each_email_once(django_capture_on_commit_callbacks) -> None:
    from reloop.invoicing.handlers import on_order_paid
    from reloop.orders.events import OrderPaid

    seller = trader()
    team(seller, "owner@seller.example")
    with django_capture_on_commit_callbacks(execute=True):
        order = paid_order(market="en-gb", items=[Item(offer_of(seller), 1000)])
    with django_capture_on_commit_callbacks(execute=True):
        on_order_paid(OrderPaid(order.pk))
    assert sorted(m.to[0] for m in mail.outbox) == sorted(["owner@seller.example", order.buyer.email or ""])
    assert Message.objects.count() == 2


def test_nothing_is_sent_or_recorded_when_the_transaction_rolls_back(django_capture_on_commit_callbacks) -> None:
    seller = trader()
    team(seller, "owner@seller.example")

    def pay_then_fail() -> None:
        with transaction.atomic():
            paid_order(market="en-gb", items=[Item(offer_of(seller), 1000)])
            raise RuntimeError("the payment was recorded, then something failed")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        pay_then_fail()
    assert mail.outbox == []
    assert not Message.objects.exists()
    assert not Invoice.objects.exists()


def test_a_mail_server_failure_is_recorded_and_keeps_the_invoice(django_capture_on_commit_callbacks, settings) -> None:
    settings.EMAIL_BACKEND = "reloop.notifications.tests.failing_backend.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        order = paid_order(market="en-gb", items=[Item(offer_of(trader()), 1000)])
    message = Message.objects.get()
    assert (message.status, message.error) == (MessageStatus.FAILED, "ConnectionRefusedError: SMTP server down")
    assert Invoice.objects.filter(order=order).count() == 1


def test_a_cancelled_line_tells_the_buyer_once_with_the_credit_note(django_capture_on_commit_callbacks) -> None:
    from reloop.core.money import Money
    from reloop.invoicing.services import issue_credit_notes
    from reloop.orders.models import ActorKind, SellerOrder
    from reloop.orders.services import transition_line
    from reloop.payments import services as ledger

    buyer = cast(User, UserFactory(email="jonas@example.com"))
    order = paid_order(market="de-de", buyer=buyer, items=[Item(offer_of(trader(country="DE")), 25000)])
    part = SellerOrder.objects.get(order=order)
    line = part.lines.get()
    with django_capture_on_commit_callbacks(execute=True):
        transition_line(line_id=line.pk, to_state="cancelled", actor=None, actor_kind=ActorKind.SELLER)
        ledger.record_cancellation(
            key="c", reference=f"order:{order.number}", seller_id=part.seller_id, gross=Money(25000, "EUR"),
            commission=Money(2500, "EUR"), line_id=line.pk,
        )  # fmt: skip
        issue_credit_notes(line_id=line.pk)
        issue_credit_notes(line_id=line.pk)
    [message] = [m for m in mail.outbox if m.to == ["jonas@example.com"] and "storniert" in m.subject]
    note = Invoice.objects.get(kind="credit_note")
    assert message.subject == f"Ein Teil Ihrer Bestellung {order.number} wurde storniert und erstattet"
    assert "250,00" in message.body
    assert [name for name, _c, _t in message.attachments] == [f"{note.number}.pdf"]
