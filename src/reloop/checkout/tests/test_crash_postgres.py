"""A process killed with SIGKILL at each step of a checkout (after the reservation, after the buyer's authorization,
after the capture), on PostgreSQL: after the jobs (expiry, reconciliation) every charge has exactly one paid order
or none at all (nothing kept), stock is exact and ``check_ledger`` passes (issue 10, item 6)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from reloop.accounts.tests.factories import UserFactory
from reloop.catalog.tests.factories import VariantFactory
from reloop.checkout.models import CheckoutPayment
from reloop.checkout.reconciliation import reconcile_payments
from reloop.checkout.services import Checkout, start_checkout
from reloop.checkout.settlement import expire_reservations
from reloop.checkout.tests.factories import ADDRESS, cart_with
from reloop.core import clock
from reloop.offers.models import Offer
from reloop.offers.tests.factories import make_offer
from reloop.orders.models import Order, OrderStatus
from reloop.payments.models import LedgerTransaction, TestCharge
from reloop.payments.providers.testing import CARD_SUCCEEDS, TestProvider
from reloop.sellers.tests.factories import SellerFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

#: What the killed process was doing, and where it dies (the function replaced by a SIGKILL of itself).
CHILD = textwrap.dedent(
    """
    import os, signal, sys
    import django
    django.setup()
    from reloop.accounts.models import User
    from reloop.checkout import services, settlement
    from reloop.checkout.models import Cart, CheckoutPayment
    from reloop.payments.providers.testing import TestProvider

    step, buyer_id, key = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    if step == "after_reserve":
        services.open_payment = die  # the units are reserved; the payment is never created
        buyer = User.objects.get(pk=buyer_id)
        services.start_checkout(checkout=services.Checkout(
            buyer=buyer, cart=Cart.objects.get(user=buyer), shipping_address={"full_name": "K"}, shipping={},
            idempotency_key=key))
    else:
        reference = CheckoutPayment.objects.get(order__idempotency_key=key).reference
        if step == "after_authorize":
            TestProvider.capture = die  # the buyer authorized; the return request dies before capturing
        else:
            settlement.mark_paid = die  # captured; the process dies before placing the order
        settlement.settle_payment(reference=reference, source="redirect")
    """
)


def run_killed(step: str, buyer_id: int, key: str) -> int:
    settings = connection.settings_dict
    url = (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"
    )
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "reloop.settings"}
    child = subprocess.run(  # noqa: S603  # our own interpreter and script
        [sys.executable, "-c", CHILD, step, str(buyer_id), key], env=env, capture_output=True, timeout=120, check=False
    )
    return child.returncode


def ledger_passes() -> bool:
    out = StringIO()
    call_command("check_ledger", stdout=out, stderr=out)
    return "FAILED" not in out.getvalue()


@pytest.mark.parametrize("step", ["after_reserve", "after_authorize", "after_capture"])
def test_a_checkout_killed_at_any_step_ends_paid_once_or_not_charged(step):
    offer = make_offer(seller=SellerFactory(), variant=VariantFactory(), price=25000, stock=2)
    buyer = UserFactory()
    cart = cart_with(buyer=buyer, items=[(offer, 1)])
    key = f"crash-{step}"
    if step != "after_reserve":
        start_checkout(
            checkout=Checkout(buyer=buyer, cart=cart, shipping_address=ADDRESS, shipping={}, idempotency_key=key)
        )
        reference = CheckoutPayment.objects.get(order__idempotency_key=key).reference
        TestProvider().confirm_with_card(reference=reference, card=CARD_SUCCEEDS)  # the buyer, on the provider page

    assert run_killed(step, buyer.pk, key) == -9  # SIGKILL

    order = Order.objects.get(idempotency_key=key)
    assert order.status == OrderStatus.PENDING_PAYMENT  # left half-done by the dead process
    with clock.frozen_at(clock.now() + timedelta(minutes=5)):  # the reconciliation job runs within the hold
        reconcile_payments()
    with clock.frozen_at(clock.now() + timedelta(minutes=20)):  # then the expiry job, and reconciliation again
        expire_reservations()
        reconcile_payments()
    order.refresh_from_db()
    charges = TestCharge.objects.filter(order_reference=order.number)
    kept = sum(c.captured_amount - c.refunded_amount for c in charges)
    stock = Offer.objects.get(pk=offer.pk).stock
    if step == "after_reserve":  # never charged: the hold expired and the units came back
        assert (order.status, kept, stock) == (OrderStatus.EXPIRED, 0, 2)
    else:  # authorized or captured by the dead process: the job captured (if needed) and placed it, once
        assert (order.status, kept, stock) == (OrderStatus.PAID, order.total, 1)
        assert LedgerTransaction.objects.filter(idempotency_key=f"order:{order.number}:capture").count() == 1
        assert CheckoutPayment.objects.get(order=order).settled_by == "job"
    assert ledger_passes()
