"""A credit note for each refund and each cancellation, referencing the invoice, issued once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reloop.core.money import Money
from reloop.invoicing.handlers import on_line_state_changed
from reloop.invoicing.models import Invoice, InvoiceKind
from reloop.invoicing.services import issue_credit_notes, issue_invoices
from reloop.invoicing.tests.factories import Item, offer_of, paid_order, trader
from reloop.orders.domain import LineState
from reloop.orders.events import LineStateChanged
from reloop.orders.models import ActorKind, SellerOrder
from reloop.orders.services import transition_line
from reloop.payments import services as ledger

pytestmark = pytest.mark.django_db


def _refund(part: SellerOrder, line_id: int, gross: int, key: str) -> None:
    order = part.order
    ledger.record_refund(
        key=key, reference=f"order:{order.number}", seller_id=part.seller_id, line_id=line_id,
        gross=Money(gross, order.currency), commission=Money(0, order.currency),
    )  # fmt: skip


def test_a_refund_gives_one_credit_note_referencing_the_invoice() -> None:
    order = paid_order(market="fr-fr", items=[Item(offer_of(trader()), 34900)], shipping=990)
    [invoice] = issue_invoices(order_id=order.pk)
    part = SellerOrder.objects.get(order=order)
    line = part.lines.get()
    _refund(part, line.pk, 34900, "r1")
    for to in (LineState.ACCEPTED, LineState.SHIPPED, LineState.DELIVERED, LineState.REFUNDED):
        transition_line(line_id=line.pk, to_state=to, actor=None, actor_kind=ActorKind.SYSTEM)
    event = LineStateChanged(line.pk, LineState.DELIVERED, LineState.REFUNDED)
    on_line_state_changed(event)
    on_line_state_changed(event)  # a redelivered event issues nothing more
    [note] = Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE)
    assert note.credits_id == invoice.pk
    assert note.sequence == invoice.sequence + 1
    assert note.content["credits"] == invoice.number
    assert note.total == 34900
    assert note.content["lines"][0]["scheme"] == "margin"
    assert note.content["mentions"][0].startswith("Régime particulier – Biens d'occasion")


def test_a_partial_refund_then_the_rest_are_two_credit_notes() -> None:
    order = paid_order(market="de-de", items=[Item(offer_of(trader(country="DE"), scheme="standard"), 11900)])
    issue_invoices(order_id=order.pk)
    part = SellerOrder.objects.get(order=order)
    line = part.lines.get()
    _refund(part, line.pk, 2380, "partial")
    [first] = issue_credit_notes(line_id=line.pk)
    assert (first.total, first.vat_total) == (2380, 380)  # 23.80 incl. 19 % = 20.00 + 3.80
    assert first.content["lines"][0]["description"].startswith("Teilerstattung: ")  # in the market language
    _refund(part, line.pk, 9520, "rest")
    [second] = issue_credit_notes(line_id=line.pk)
    assert second.total == 9520
    assert issue_credit_notes(line_id=line.pk) == []


def test_cancelling_a_us_line_credits_its_sales_tax_and_the_shipping() -> None:
    order = paid_order(
        market="en-us", items=[Item(offer_of(trader(country="US"), scheme="standard"), 20000, tax_rate=Decimal("6"))],
        shipping=1299,
    )  # fmt: skip
    [invoice] = issue_invoices(order_id=order.pk)
    part = SellerOrder.objects.get(order=order)
    line = part.lines.get()
    transition_line(line_id=line.pk, to_state=LineState.CANCELLED, actor=None, actor_kind=ActorKind.SELLER)
    _refund(part, line.pk, 20000 + 1299, "cancel")  # the ledger's gross: goods and shipping, before sales tax
    [note] = issue_credit_notes(line_id=line.pk)
    goods, shipping = note.content["lines"]
    assert (goods["net"], goods["sales_tax"], goods["total"]) == (20000, 1200, 21200)
    assert (shipping["net"], shipping["total"]) == (1299, 1299)
    assert note.total == invoice.total == 22499
    assert note.sales_tax_total == 1200
    assert note.content["reason"] == "Cancelled before shipping"


def test_an_after_sales_refund_of_a_us_line_credits_the_goods_it_paid_back_only() -> None:
    order = paid_order(
        market="en-us", items=[Item(offer_of(trader(country="US"), scheme="standard"), 20000, tax_rate=Decimal("6"))]
    )
    issue_invoices(order_id=order.pk)
    part = SellerOrder.objects.get(order=order)
    line = part.lines.get()
    for to in (LineState.ACCEPTED, LineState.SHIPPED, LineState.DELIVERED, LineState.REFUNDED):
        transition_line(line_id=line.pk, to_state=to, actor=None, actor_kind=ActorKind.SYSTEM)
    _refund(part, line.pk, 20000, "case:1:refund")  # the case's amount: goods, no sales tax
    [note] = issue_credit_notes(line_id=line.pk)
    assert (note.total, note.sales_tax_total) == (20000, 0)
