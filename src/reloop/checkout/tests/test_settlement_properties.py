"""Property: whatever the interleaving of the buyer at the provider, the return redirect, webhooks (duplicated,
reordered), the expiry job, a refund and reconciliation, each order ends paid exactly once or not at all, the
stock is exact, no money is kept on an unpaid order, and ``check_ledger`` passes."""

from __future__ import annotations

import contextlib
import itertools
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reloop.accounts.tests.factories import UserFactory
from reloop.catalog.tests.factories import VariantFactory
from reloop.checkout.handlers import on_payment_webhook
from reloop.checkout.models import CheckoutPayment
from reloop.checkout.reconciliation import reconcile_payments
from reloop.checkout.services import Checkout, cancel_line, start_checkout
from reloop.checkout.settlement import expire_reservations, settle_payment
from reloop.checkout.tests.factories import ADDRESS, cart_with
from reloop.core import clock
from reloop.offers.models import Offer
from reloop.offers.tests.factories import make_offer
from reloop.orders.domain import LineState
from reloop.orders.models import Order, OrderLine, OrderStatus
from reloop.payments.errors import PaymentNotConfirmable
from reloop.payments.events import PaymentWebhookReceived
from reloop.payments.inbox import receive_webhook
from reloop.payments.models import LedgerTransaction, TestCharge
from reloop.payments.providers import PaymentStatus
from reloop.payments.providers.testing import CARD_3DS, CARD_DECLINED, CARD_SUCCEEDS, TestProvider
from reloop.sellers.tests.factories import SellerFactory

PROVIDER = TestProvider()
ACTIONS = (
    "card_ok",
    "card_3ds",
    "card_declined",
    "authenticate_pass",
    "authenticate_fail",
    "webhook",
    "webhook_again",  # the last webhook delivered once more (same event id)
    "redirect",
    "hold_expires",
    "expiry_job",
    "refund",
    "reconcile",
)
_ids = itertools.count()


class Run:
    """One order's story: the actions applied as the outside world would."""

    def __init__(self, order: Order) -> None:
        self.order = order
        self.reference = CheckoutPayment.objects.get(order=order).reference
        self.last_event: str | None = None  # the id of the last event the provider sent
        self.late = False

    def moment(self):  # after "hold_expires", everything happens 16 minutes later
        return clock.now() + timedelta(minutes=16 if self.late else 0)

    def apply(self, action: str) -> None:
        # A buyer acting on a provider page that no longer waits for them is refused; nothing changes.
        with clock.frozen_at(self.moment()), contextlib.suppress(PaymentNotConfirmable):
            self._apply(action)

    def _apply(self, action: str) -> None:
        if action.startswith("card_"):
            card = {"card_ok": CARD_SUCCEEDS, "card_3ds": CARD_3DS, "card_declined": CARD_DECLINED}[action]
            PROVIDER.confirm_with_card(reference=self.reference, card=card)
            self.last_event = f"evt_{next(_ids)}"
        elif action.startswith("authenticate_"):
            PROVIDER.authenticate(reference=self.reference, passed=action == "authenticate_pass")
            self.last_event = f"evt_{next(_ids)}"
        elif action in ("webhook", "webhook_again"):
            if action == "webhook" or self.last_event is None:
                self.last_event = f"evt_{next(_ids)}"
            # Each delivery is signed when it is sent (a redelivery too), with the event's own id
            headers, body = PROVIDER.payment_event(reference=self.reference, event_id=self.last_event)
            receipt = receive_webhook(provider="test", headers=headers, body=body)
            if not receipt.duplicate:  # what the event bus delivers after the commit
                on_payment_webhook(
                    PaymentWebhookReceived(
                        provider="test",
                        event_id=receipt.event_id,
                        type=receipt.type,
                        outcome=receipt.outcome,
                        data={"reference": self.reference},
                    )
                )
        elif action == "redirect":
            settle_payment(reference=self.reference, source="redirect")
        elif action == "hold_expires":
            self.late = True
        elif action == "expiry_job":
            expire_reservations()
        elif action == "refund":  # the buyer cancels the paid line (refunded in full, units back)
            self.order.refresh_from_db(fields=["status"])
            if self.order.status != OrderStatus.PAID:
                return
            line = OrderLine.objects.filter(seller_order__order=self.order, state=LineState.PAID).first()
            if line is not None:
                cancel_line(line_id=line.pk, actor=None, actor_kind="buyer", reason="changed my mind")
        elif action == "reconcile":
            reconcile_payments()


def ledger_passes() -> bool:
    out = StringIO()
    call_command("check_ledger", stdout=out, stderr=out)
    return "FAILED" not in out.getvalue()


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=st.lists(st.sampled_from(ACTIONS), max_size=9))
def test_any_interleaving_pays_exactly_once_or_not_at_all(actions):
    with transaction.atomic():
        offer = make_offer(seller=SellerFactory(), variant=VariantFactory(), price=20000, stock=3)
        buyer = UserFactory()
        order = start_checkout(
            checkout=Checkout(
                buyer=buyer,
                cart=cart_with(buyer=buyer, items=[(offer, 2)]),
                shipping_address=ADDRESS,
                shipping={},
                idempotency_key=f"prop-{next(_ids)}",
            )
        ).order
        run = Run(order)
        for action in actions:
            run.apply(action)
        # Time passes and the jobs run: every story reaches its end
        run.late = True
        run.apply("expiry_job")
        run.apply("reconcile")

        order.refresh_from_db()
        charge = TestCharge.objects.get(reference=run.reference)
        payment = PROVIDER.retrieve_payment(reference=run.reference)
        kept = charge.captured_amount - charge.refunded_amount
        live_lines = OrderLine.objects.filter(seller_order__order=order, state=LineState.PAID)
        live_units = 2 * live_lines.count() if order.status == OrderStatus.PAID else 0
        if order.status == OrderStatus.PAID:
            assert charge.captured_amount == order.total  # captured once, the exact total
            assert LedgerTransaction.objects.filter(idempotency_key=f"order:{order.number}:capture").count() == 1
            assert kept == (order.total if live_units else 0)
        else:
            assert kept == 0, (actions, order.status, charge.status)  # no money kept on an unpaid order
            assert payment.status is not PaymentStatus.AUTHORIZED  # no authorization left open
            assert not LedgerTransaction.objects.filter(reference=f"order:{order.number}").exists()
        assert Offer.objects.get(pk=offer.pk).stock == 3 - live_units
        assert Order.objects.filter(buyer=buyer).count() == 1
        assert ledger_passes()
        transaction.set_rollback(True)
