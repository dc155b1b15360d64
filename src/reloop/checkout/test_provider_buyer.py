"""A buyer paying with the offline test provider, for the demo loaders, the benchmark and tests: the same path a
person takes in the browser (checkout → the provider's card page → 3-D Secure if asked → back to Reloop), with
the provider's page acted directly instead of through HTTP. The card goes to the provider, never to Reloop.
"""

from __future__ import annotations

from reloop.checkout.errors import PaymentDeclined
from reloop.checkout.failures import failure_message
from reloop.checkout.models import CheckoutPayment
from reloop.checkout.services import Checkout, start_checkout
from reloop.checkout.settlement import settle_payment
from reloop.orders.models import Order, OrderStatus
from reloop.payments.providers import PaymentStatus
from reloop.payments.providers.testing import CARD_SUCCEEDS, TestProvider


def pay_with_test_card(
    *, checkout: Checkout, card: str = CARD_SUCCEEDS, authenticate: bool = True, via: str = "redirect"
) -> Order:
    """Start ``checkout``, pay on the test provider's page with ``card`` (passing or failing 3-D Secure when the
    card asks for it) and come back by ``via`` (``redirect`` or ``webhook``). Returns the paid order or raises
    ``PaymentDeclined`` with the reason the buyer would see."""
    started = start_checkout(checkout=checkout)
    if not started.redirect_url:
        return started.order
    reference = CheckoutPayment.objects.get(order=started.order).reference
    provider = TestProvider()
    if provider.retrieve_payment(reference=reference).status is PaymentStatus.REQUIRES_PAYMENT:
        payment = provider.confirm_with_card(reference=reference, card=card)
        if payment.status is PaymentStatus.REQUIRES_ACTION:
            provider.authenticate(reference=reference, passed=authenticate)
    order = settle_payment(reference=reference, source=via) or started.order
    if order.status != OrderStatus.PAID:  # closed (back by the redirect), or still held after a decline
        code = order.failure_reason or provider.retrieve_payment(reference=reference).failure_code
        raise PaymentDeclined(failure_message(code), code="payment_declined")
    return order
