"""The payment's one outcome: every state of the flow, the webhook and the redirect in either order, expiry, and
what the reconciliation job finishes after a crash (docs/adr/0019-payment-flow.md)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from reloop.accounts.tests.factories import UserFactory
from reloop.catalog.tests.factories import VariantFactory
from reloop.checkout.errors import TotalChanged
from reloop.checkout.failures import failure_message
from reloop.checkout.models import CartLine, CheckoutPayment, PaymentIssue, PaymentState
from reloop.checkout.reconciliation import reconcile_payments
from reloop.checkout.services import Checkout, start_checkout
from reloop.checkout.settlement import expire_reservations, settle_payment
from reloop.checkout.tests.factories import ADDRESS, cart_with
from reloop.core import clock
from reloop.core.money import Money
from reloop.offers.models import Offer
from reloop.offers.tests.factories import make_offer
from reloop.orders.domain import LineState
from reloop.orders.models import Order, OrderLine, OrderStatus
from reloop.orders.services import transition_line
from reloop.payments.errors import PaymentNotConfirmable
from reloop.payments.inbox import receive_webhook
from reloop.payments.models import LedgerTransaction, TestCharge, TestRefund
from reloop.payments.providers import PaymentStatus
from reloop.payments.providers.testing import (
    CARD_3DS,
    CARD_DECLINED,
    CARD_INSUFFICIENT_FUNDS,
    CARD_SUCCEEDS,
    TestProvider,
)
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db

PROVIDER = TestProvider()


def ledger_output() -> str:
    out = StringIO()
    call_command("check_ledger", stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture
def offer():
    return make_offer(seller=SellerFactory(), variant=VariantFactory(), price=30000, stock=3)


@pytest.fixture
def started(offer):
    """A buyer's checkout of 2 units (600.00 GBP): reserved, the payment waiting on the provider's page."""
    buyer = UserFactory()
    cart = cart_with(buyer=buyer, items=[(offer, 2)])
    start = start_checkout(
        checkout=Checkout(buyer=buyer, cart=cart, shipping_address=ADDRESS, shipping={}, idempotency_key="try-1")
    )
    assert start.redirect_url.startswith("/_provider/test/pay/pi_")
    return start.order


def reference(order: Order) -> str:
    return CheckoutPayment.objects.get(order=order).reference


def stock(offer: Offer) -> int:
    return Offer.objects.get(pk=offer.pk).stock


def webhook(order: Order, event_id: str | None = None):
    headers, body = PROVIDER.payment_event(reference=reference(order), event_id=event_id)
    return receive_webhook(provider="test", headers=headers, body=body)


def test_a_started_checkout_reserves_and_charges_nothing_yet(started, offer):
    assert (started.status, stock(offer)) == (OrderStatus.PENDING_PAYMENT, 1)
    assert PROVIDER.retrieve_payment(reference=reference(started)).status is PaymentStatus.REQUIRES_PAYMENT
    assert TestCharge.objects.get().amount == 60000 == started.total
    assert LedgerTransaction.objects.count() == 0


def test_a_good_card_is_captured_once_and_the_order_placed(started, offer):
    PROVIDER.confirm_with_card(reference=reference(started), card=CARD_SUCCEEDS)
    order = settle_payment(reference=reference(started), source="redirect")
    again = settle_payment(reference=reference(started), source="webhook")

    assert order.status == again.status == OrderStatus.PAID
    charge = TestCharge.objects.get()
    assert (charge.status, charge.captured_amount) == ("captured", 60000)
    assert LedgerTransaction.objects.filter(reference=f"order:{order.number}").count() == 2  # capture and split
    assert CheckoutPayment.objects.get().settled_by == "redirect"
    assert not CartLine.objects.exists()
    assert stock(offer) == 1
    assert "FAILED" not in ledger_output()


@pytest.mark.parametrize("passed", [True, False])
def test_three_d_secure_then_back(started, offer, passed):
    PROVIDER.confirm_with_card(reference=reference(started), card=CARD_3DS)
    # The buyer is on the bank's page: a webhook or a job meanwhile changes nothing
    assert settle_payment(reference=reference(started), source="webhook").status == OrderStatus.PENDING_PAYMENT
    PROVIDER.authenticate(reference=reference(started), passed=passed)

    order = settle_payment(reference=reference(started), source="redirect")

    if passed:
        assert (order.status, stock(offer)) == (OrderStatus.PAID, 1)
    else:  # the buyer came back to the shop after the failed challenge: closed, with the reason as a code
        assert (order.status, order.failure_reason, stock(offer)) == (
            OrderStatus.PAYMENT_FAILED,
            "authentication_failed",
            3,
        )
        assert CartLine.objects.count() == 1  # the buyer can try again
        assert LedgerTransaction.objects.count() == 0


@pytest.mark.parametrize("card", [CARD_DECLINED, CARD_INSUFFICIENT_FUNDS, CARD_3DS])
def test_a_declined_card_keeps_the_reservation_and_another_card_pays_the_same_order(started, offer, card):
    payment = PROVIDER.confirm_with_card(reference=reference(started), card=card)
    if card == CARD_3DS:
        payment = PROVIDER.authenticate(reference=reference(started), passed=False)
    assert payment.status is PaymentStatus.REQUIRES_PAYMENT
    # The provider's webhook and the reconciliation job see a payment waiting for another card: nothing closes
    for source in ("webhook", "job"):
        order = settle_payment(reference=reference(started), source=source)
        assert (order.status, order.failure_reason, stock(offer)) == (OrderStatus.PENDING_PAYMENT, "", 1)

    PROVIDER.confirm_with_card(reference=reference(started), card=CARD_SUCCEEDS)  # another card, same page
    order = settle_payment(reference=reference(started), source="redirect")

    assert (order.pk, order.status, stock(offer)) == (started.pk, OrderStatus.PAID, 1)
    charge = TestCharge.objects.get()
    assert (charge.captured_amount, charge.card_last4) == (60000, "4242")
    assert "FAILED" not in ledger_output()


def test_a_declined_card_not_retried_before_the_hold_ends_expires_and_gives_the_units_back(started, offer):
    PROVIDER.confirm_with_card(reference=reference(started), card=CARD_DECLINED)
    with clock.frozen_at(clock.now() + timedelta(minutes=16)):
        assert expire_reservations() == 1
        with pytest.raises(PaymentNotConfirmable):  # the provider's page takes no card any more
            PROVIDER.confirm_with_card(reference=reference(started), card=CARD_SUCCEEDS)
    started.refresh_from_db()
    assert (started.status, started.failure_reason, stock(offer)) == (
        OrderStatus.EXPIRED,
        "reservation_expired",
        3,
    )


def test_back_at_the_shop_after_a_decline_closes_with_the_decline_code_shown_in_the_viewers_language(started, offer):
    PROVIDER.confirm_with_card(reference=reference(started), card=CARD_INSUFFICIENT_FUNDS)
    order = settle_payment(reference=reference(started), source="redirect")  # "Cancel and return to the shop"
    assert (order.status, order.failure_reason, stock(offer)) == (
        OrderStatus.PAYMENT_FAILED,
        "insufficient_funds",
        3,
    )
    assert settle_payment(reference=reference(started), source="webhook").status == OrderStatus.PAYMENT_FAILED
    assert stock(offer) == 3  # given back once
    with translation.override("fr"):
        assert failure_message(order.failure_reason) == "Le solde de votre carte est insuffisant."
    with translation.override("en"):
        assert failure_message(order.failure_reason) == "Your card has insufficient funds."


def test_leaving_the_provider_page_abandons_the_payment(started, offer):
    order = settle_payment(reference=reference(started), source="redirect")  # back without paying
    assert (order.status, stock(offer)) == (OrderStatus.PAYMENT_FAILED, 3)
    assert PROVIDER.retrieve_payment(reference=reference(started)).status is PaymentStatus.CANCELED
    with pytest.raises(PaymentNotConfirmable):  # the old page cannot be paid any more
        PROVIDER.confirm_with_card(reference=reference(started), card=CARD_SUCCEEDS)


def test_an_abandoned_checkout_expires_its_stock_returns_and_its_payment_is_cancelled(started, offer):
    later = clock.now() + timedelta(minutes=16)
    with clock.frozen_at(later):
        assert expire_reservations() == 1
        assert expire_reservations() == 0
    started.refresh_from_db()
    assert (started.status, stock(offer)) == (OrderStatus.EXPIRED, 3)
    assert PROVIDER.retrieve_payment(reference=reference(started)).status is PaymentStatus.CANCELED


def test_authorized_after_the_hold_expired_is_voided_and_never_charged(started, offer):
    PROVIDER.confirm_with_card(reference=reference(started), card=CARD_SUCCEEDS)
    with clock.frozen_at(clock.now() + timedelta(minutes=16)):
        order = settle_payment(reference=reference(started), source="redirect")
    assert (order.status, stock(offer)) == (OrderStatus.EXPIRED, 3)
    charge = TestCharge.objects.get()
    assert (charge.status, charge.captured_amount) == ("canceled", 0)
    assert CheckoutPayment.objects.get().state == PaymentState.VOIDED
    assert LedgerTransaction.objects.count() == 0


def test_captured_after_the_hold_expired_is_refunded_in_full_once(started, offer):
    PROVIDER.confirm_with_card(reference=reference(started), card=CARD_SUCCEEDS)
    # A capture that went through while the expiry job closed the order (the race ADR 0019 describes)
    PROVIDER.capture(reference=reference(started), amount=Money(60000, "GBP"), idempotency_key="elsewhere")
    with clock.frozen_at(clock.now() + timedelta(minutes=16)):
        expire_reservations()
    settle_payment(reference=reference(started), source="redirect")
    settle_payment(reference=reference(started), source="webhook")

    charge = TestCharge.objects.get()
    assert (charge.captured_amount, charge.refunded_amount, TestRefund.objects.count()) == (60000, 60000, 1)
    started.refresh_from_db()
    assert (started.status, stock(offer)) == (OrderStatus.EXPIRED, 3)
    assert CheckoutPayment.objects.get().state == PaymentState.REFUNDED
    assert LedgerTransaction.objects.count() == 0
    assert "FAILED" not in ledger_output()


@pytest.mark.parametrize("order_of_news", [("webhook", "redirect"), ("redirect", "webhook")])
def test_webhook_and_redirect_in_either_order_place_once(started, order_of_news, django_capture_on_commit_callbacks):
    PROVIDER.confirm_with_card(reference=reference(started), card=CARD_SUCCEEDS)
    for news in order_of_news:
        if news == "webhook":
            with django_capture_on_commit_callbacks(execute=True):
                webhook(started)
        else:
            settle_payment(reference=reference(started), source="redirect")
    started.refresh_from_db()
    assert started.status == OrderStatus.PAID
    assert CheckoutPayment.objects.get().settled_by == order_of_news[0]
    assert LedgerTransaction.objects.filter(kind="payment").count() == 2
    assert TestCharge.objects.get().captured_amount == 60000


def test_the_same_webhook_twice_is_acknowledged_and_changes_nothing(started, django_capture_on_commit_callbacks):
    PROVIDER.confirm_with_card(reference=reference(started), card=CARD_SUCCEEDS)
    with django_capture_on_commit_callbacks(execute=True):
        first = webhook(started, event_id="evt_same")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second = webhook(started, event_id="evt_same")
    assert (first.duplicate, second.duplicate, len(callbacks)) == (False, True, 0)
    started.refresh_from_db()
    assert started.status == OrderStatus.PAID


def test_the_same_checkout_sent_again_returns_the_paid_order(started):
    PROVIDER.confirm_with_card(reference=reference(started), card=CARD_SUCCEEDS)
    settle_payment(reference=reference(started), source="redirect")
    again = start_checkout(
        checkout=Checkout(
            buyer=started.buyer,
            cart=cart_with(buyer=started.buyer, items=[]),
            shipping_address=ADDRESS,
            shipping={},
            idempotency_key="try-1",
        )
    )
    assert (again.order.pk, again.redirect_url) == (started.pk, "")
    assert (Order.objects.count(), TestCharge.objects.count()) == (1, 1)


def test_a_total_other_than_the_one_shown_is_refused_and_nothing_reserved(offer):
    buyer = UserFactory()
    cart = cart_with(buyer=buyer, items=[(offer, 1)])
    submitted = Checkout(
        buyer=buyer,
        cart=cart,
        shipping_address=ADDRESS,
        shipping={offer.seller_id: "express"},  # 8.99 more than the page showed
        idempotency_key="k",
        expected_total=30000,
    )
    with pytest.raises(TotalChanged, match=r"£308\.99"):
        start_checkout(checkout=submitted)
    assert (Order.objects.count(), TestCharge.objects.count(), stock(offer)) == (0, 0, 3)


# --- Reconciliation: what a crash leaves half-done ---------------------------------------------------------


def test_a_process_killed_after_authorization_is_finished_by_the_job(started, offer):
    # The buyer authorized; the web process died before anything else (no webhook arrived either)
    PROVIDER.confirm_with_card(reference=reference(started), card=CARD_SUCCEEDS)

    assert reconcile_payments() == 1
    assert reconcile_payments() == 0

    started.refresh_from_db()
    assert started.status == OrderStatus.PAID
    assert (TestCharge.objects.get().captured_amount, stock(offer)) == (60000, 1)
    assert CheckoutPayment.objects.get().settled_by == "job"
    assert not PaymentIssue.objects.exists()
    assert "FAILED" not in ledger_output()


def test_a_process_killed_after_capture_is_placed_or_refunded_by_the_job(started, offer):
    PROVIDER.confirm_with_card(reference=reference(started), card=CARD_SUCCEEDS)
    PROVIDER.capture(
        reference=reference(started), amount=Money(60000, "GBP"), idempotency_key=f"{started.number}:capture"
    )
    # ...killed here: charged, no order placed. The job places it.
    reconcile_payments()
    started.refresh_from_db()
    assert started.status == OrderStatus.PAID
    assert LedgerTransaction.objects.filter(idempotency_key=f"order:{started.number}:capture").count() == 1


def test_a_capture_whose_order_expired_is_refunded_by_the_job(started, offer):
    PROVIDER.confirm_with_card(reference=reference(started), card=CARD_SUCCEEDS)
    PROVIDER.capture(
        reference=reference(started), amount=Money(60000, "GBP"), idempotency_key=f"{started.number}:capture"
    )
    Order.objects.filter(pk=started.pk).update(status=OrderStatus.EXPIRED)  # the expiry job ran, units back
    Offer.objects.filter(pk=offer.pk).update(stock=3)
    reconcile_payments()
    charge = TestCharge.objects.get()
    assert (charge.captured_amount, charge.refunded_amount) == (60000, 60000)
    assert not PaymentIssue.objects.exists()


def test_a_cancellation_whose_refund_never_went_out_is_refunded_by_the_job(started, offer):
    PROVIDER.confirm_with_card(reference=reference(started), card=CARD_SUCCEEDS)
    order = settle_payment(reference=reference(started), source="redirect")
    line = OrderLine.objects.get(seller_order__order=order)
    # cancel_line's transaction committed (line cancelled, units back), then the process died before the refund
    transition_line(line_id=line.pk, to_state=LineState.CANCELLED, actor=None, actor_kind="seller", reason="x")

    with clock.frozen_at(clock.now() + timedelta(minutes=11)):
        assert reconcile_payments() == 1
        assert reconcile_payments() == 0

    charge = TestCharge.objects.get()
    assert (charge.refunded_amount, TestRefund.objects.count()) == (60000, 1)
    assert LedgerTransaction.objects.filter(kind="cancellation").count() == 1
    assert not PaymentIssue.objects.exists()
    assert "FAILED" not in ledger_output()


def test_what_the_job_cannot_fix_is_reported_to_the_operator_once(started):
    stray = PROVIDER.create_payment(
        amount=Money(5000, "GBP"), order_reference="RL-NOBODY", return_url="/", idempotency_key="stray"
    )
    PROVIDER.confirm_with_card(reference=stray.reference, card=CARD_SUCCEEDS)
    reconcile_payments()
    reconcile_payments()
    issue = PaymentIssue.objects.get()
    assert (issue.kind, issue.reference) == ("unknown_payment", stray.reference)
