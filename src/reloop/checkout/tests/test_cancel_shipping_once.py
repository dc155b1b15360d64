"""The shipping of a seller part is refunded once, with the part's last live line, even when two of its lines are
cancelled at the same time (the seller cancelling while the auto-cancel job runs): which line carries the shipping
is decided inside the cancelling transaction, under a lock on the seller order, never after its commit."""

from __future__ import annotations

from contextlib import contextmanager
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import transaction

from reloop.accounts.tests.factories import UserFactory
from reloop.catalog.tests.factories import VariantFactory
from reloop.checkout import services as checkout
from reloop.checkout.services import Checkout, cancel_line
from reloop.checkout.test_provider_buyer import pay_with_test_card
from reloop.checkout.tests.factories import ADDRESS, TEST_CARD, cart_with
from reloop.offers.tests.factories import make_offer
from reloop.orders.domain import LineState
from reloop.orders.models import OrderLine
from reloop.payments.models import TestCharge, TestRefund
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db


def test_two_lines_cancelled_at_once_refund_the_shipping_once(monkeypatch):
    # Given one express parcel (8.99) of two lines (300.00 and 120.00) from one seller
    seller = SellerFactory()
    a = make_offer(seller=seller, variant=VariantFactory(), price=30000, stock=3)
    b = make_offer(seller=seller, variant=VariantFactory(), price=12000, stock=3)
    buyer = UserFactory()
    order = pay_with_test_card(
        checkout=Checkout(
            buyer=buyer,
            cart=cart_with(buyer=buyer, items=[(a, 1), (b, 1)]),
            shipping_address=ADDRESS,
            shipping={seller.pk: "express"},
            idempotency_key="cancel-race",
        ),
        card=TEST_CARD,
    )
    part = order.seller_orders.get()
    assert part.shipping_amount == 899
    line_a, line_b = OrderLine.objects.filter(seller_order=part).order_by("pk")

    # When line B is cancelled by another process right after line A's cancelling transaction commits (the
    # interleaving of two concurrent cancellations: B runs between A's commit and A's refund)
    real_atomic = transaction.atomic
    interleaved = []

    @contextmanager
    def atomic_then_cancel_b(*args, **kwargs):
        with real_atomic(*args, **kwargs):
            yield
        if not interleaved:
            interleaved.append(True)
            cancel_line(line_id=line_b.pk, actor=None, actor_kind="system", reason="auto_cancel:not_accepted")

    monkeypatch.setattr(checkout, "transaction", SimpleNamespace(atomic=atomic_then_cancel_b))
    cancel_line(line_id=line_a.pk, actor=None, actor_kind="seller", reason="out of stock")

    # Then both lines are cancelled and the buyer got back exactly what was paid: the shipping once
    assert set(OrderLine.objects.filter(seller_order=part).values_list("state", flat=True)) == {LineState.CANCELLED}
    assert sorted(TestRefund.objects.values_list("amount", flat=True)) in ([12000, 30899], [12899, 30000])
    assert TestCharge.objects.get().refunded_amount == 30000 + 12000 + 899 == order.total
    out = StringIO()
    call_command("check_ledger", stdout=out, stderr=out)
    assert "FAILED" not in out.getvalue()
