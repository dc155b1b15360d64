"""An order's payment, from its creation at the provider to its one outcome (docs/adr/0019-payment-flow.md).

1. ``open_payment``: after the reservation, outside any transaction, the provider is asked for a payment of
   exactly the order's total (key ``<order>:payment``, so a retry finds the same payment); the buyer confirms it
   on the provider's page (card, 3-D Secure, instalments).
2. ``settle_payment``: Reloop learns the outcome by a signed webhook, by the buyer's return redirect, or from the
   reconciliation job, whichever comes first; each asks the provider for the payment's status and applies it.
   An authorized payment is captured (key ``<order>:capture``) and the order placed (``pending_payment → paid``,
   a conditional update: once). A declined card leaves the payment waiting for another one while the hold runs
   (the buyer retries on the provider's page); a payment abandoned (the buyer came back without paying),
   cancelled or failed for good closes the order and gives the units back. The order keeps the reason as a code
   (``checkout.failures``), shown in the viewer's language. A payment authorized after the hold expired is
   voided (the buyer is never charged); one captured after
   it is refunded in full (key ``<order>:late-refund``).

Every step is idempotent, so the webhook, the redirect and the job may all run, in any order, any number of
times, in any number of processes: the order is paid exactly once or not at all.
"""

from __future__ import annotations

import contextlib
import logging

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from reloop.checkout.crash import crash_point
from reloop.checkout.errors import TotalChanged
from reloop.checkout.failures import ABANDONED, AMOUNT_MISMATCH, RESERVATION_EXPIRED, failure_code
from reloop.checkout.models import CartLine, CheckoutPayment, PaymentState
from reloop.core import clock
from reloop.core.errors import InvalidInput
from reloop.core.money import Money
from reloop.offers.services import adjust_stock
from reloop.orders.models import Order, OrderLine, OrderStatus, SellerOrder
from reloop.orders.services import close_unpaid, mark_paid, record_initial_events
from reloop.passports.services import release_units
from reloop.payments import services as ledger
from reloop.payments.domain import SellerShare
from reloop.payments.errors import CaptureRefused
from reloop.payments.providers import Payment, PaymentStatus, get_provider

logger = logging.getLogger(__name__)

_WAITING = (PaymentStatus.REQUIRES_PAYMENT, PaymentStatus.REQUIRES_ACTION, PaymentStatus.PROCESSING)
SOURCES = ("webhook", "redirect", "job")


def open_payment(*, order: Order, return_url: str, instalments: int = 1) -> CheckoutPayment:
    """The order's payment at the provider, created once for exactly ``order.total``."""
    record = CheckoutPayment.objects.filter(order=order).first()
    if record is not None:
        return record
    crash_point("after_reserve")
    provider = get_provider()
    amount = Money(order.total, order.currency)
    if instalments != 1 and instalments not in {p.count for p in provider.instalment_plans(amount=amount)}:
        raise InvalidInput(_("Payment in instalments is not offered for this total"), code="instalments_unavailable")
    payment = provider.create_payment(
        amount=amount,
        order_reference=order.number,
        return_url=return_url,
        idempotency_key=f"{order.number}:payment",
        instalments=instalments,
    )
    if payment.amount != amount:  # the provider must be asked for exactly the total shown
        provider.cancel_payment(reference=payment.reference, idempotency_key=f"{order.number}:cancel")
        raise TotalChanged(_("The payment amount could not be confirmed; please try again"))
    try:
        with transaction.atomic():
            return CheckoutPayment.objects.create(
                order=order,
                provider=provider.name,
                reference=payment.reference,
                amount=amount.amount,
                currency=amount.currency,
                instalments=instalments,
                redirect_url=payment.redirect_url,
            )
    except IntegrityError:  # the same attempt, submitted twice at once, created it first
        return CheckoutPayment.objects.get(order=order)


def payment_of(*, order: Order) -> CheckoutPayment | None:
    return CheckoutPayment.objects.filter(order=order).first()


def settle_payment(*, reference: str, source: str) -> Order | None:
    """Apply what the provider says of payment ``reference`` to its order, once; ``None`` for a payment that is
    not one of ours. ``source`` (webhook, redirect, job) is recorded when it settles the payment first.

    On a return redirect, a payment the buyer left unconfirmed is abandoned: cancelled at the provider, the order
    closed and its units given back (the cart is kept for another attempt)."""
    record = CheckoutPayment.objects.select_related("order").filter(reference=reference).first()
    if record is None:
        return None
    order = record.order
    provider = get_provider(record.provider)
    payment = provider.retrieve_payment(reference=reference)
    expected = Money(record.amount, record.currency)
    if payment.amount != expected:
        _refuse_mismatch(record, payment, source)
    elif payment.status in _WAITING:
        _waiting(record, payment, source)
    elif payment.status in (PaymentStatus.FAILED, PaymentStatus.CANCELED):
        _close(record, OrderStatus.PAYMENT_FAILED, failure_code(payment.failure_code))
        _mark(record, PaymentState.FAILED, source)
    elif payment.status is PaymentStatus.AUTHORIZED:
        _authorized(record, source)
    elif payment.status is PaymentStatus.CAPTURED:
        _place_or_refund(record, payment, source)
    order.refresh_from_db()
    return order


def _waiting(record: CheckoutPayment, payment: Payment, source: str) -> None:
    order = record.order
    order.refresh_from_db(fields=["status", "reserved_until"])
    hold_over = order.status == OrderStatus.PENDING_PAYMENT and order.reserved_until < clock.now()
    abandoned = source == "redirect" and payment.status is PaymentStatus.REQUIRES_PAYMENT
    if order.status == OrderStatus.PENDING_PAYMENT and not hold_over and not abandoned:
        return  # the buyer is still at the provider (or authenticating): nothing to do yet
    if hold_over:
        _close(record, OrderStatus.EXPIRED, RESERVATION_EXPIRED)
    cancelled = _cancel(record)
    if cancelled is None:  # paid meanwhile: settle what it became
        settle_payment(reference=record.reference, source=source)
        return
    if abandoned:  # the last decline, if the buyer tried a card before leaving, says more than "abandoned"
        reason = failure_code(payment.failure_code) if payment.failure_code else ABANDONED
        _close(record, OrderStatus.PAYMENT_FAILED, reason)
    _mark(record, PaymentState.FAILED, source)


def _authorized(record: CheckoutPayment, source: str) -> None:
    order = record.order
    order.refresh_from_db(fields=["status", "reserved_until"])
    if order.status == OrderStatus.PENDING_PAYMENT and order.reserved_until < clock.now():
        _close(record, OrderStatus.EXPIRED, RESERVATION_EXPIRED)
        order.refresh_from_db(fields=["status"])
    if order.status == OrderStatus.PENDING_PAYMENT:
        amount = Money(record.amount, record.currency)
        provider = get_provider(record.provider)
        crash_point("after_authorize")
        with contextlib.suppress(CaptureRefused):  # captured meanwhile by another path, or voided: ask again
            provider.capture(reference=record.reference, amount=amount, idempotency_key=f"{order.number}:capture")
        crash_point("after_capture")
        settled = provider.retrieve_payment(reference=record.reference)
        if settled.status is PaymentStatus.CAPTURED:
            _place_or_refund(record, settled, source)
        elif settled.status in (PaymentStatus.FAILED, PaymentStatus.CANCELED):
            _close(record, OrderStatus.PAYMENT_FAILED, failure_code(settled.failure_code))
            _mark(record, PaymentState.FAILED, source)
        return
    if order.status == OrderStatus.PAID:
        return  # placed already (captured first): nothing left to do
    # The hold ran out and the units went back before the buyer confirmed: release the authorization.
    if _cancel(record) is None:
        settle_payment(reference=record.reference, source=source)
        return
    _mark(record, PaymentState.VOIDED, source)


def _place_or_refund(record: CheckoutPayment, payment: Payment, source: str) -> None:
    """The money is captured: place the order once, or refund the capture when the order can no longer be placed."""
    order = record.order
    with transaction.atomic():
        if mark_paid(order=order, payment_reference=record.reference):
            record_initial_events(order=order)
            _record_money(order)
            CartLine.objects.filter(
                cart__user_id=order.buyer_id,
                cart__market=order.market,
                offer_id__in=OrderLine.objects.filter(seller_order__order=order).values("offer_id"),
            ).delete()
            _mark(record, PaymentState.PLACED, source)
            return
    order.refresh_from_db(fields=["status"])
    if order.status == OrderStatus.PAID:
        return
    # Captured, and the order expired or failed meanwhile: give all of it back (once, whatever path gets here).
    left = payment.captured_amount - payment.refunded_amount
    if left.amount > 0:
        get_provider(record.provider).refund(
            reference=record.reference, amount=left, idempotency_key=f"{order.number}:late-refund"
        )
    _mark(record, PaymentState.REFUNDED, source)


def _refuse_mismatch(record: CheckoutPayment, payment: Payment, source: str) -> None:
    """The provider holds a payment for another amount than the order's total: never place on it."""
    logger.error(
        "Payment %s is for %s, order %s for %s", payment.reference, payment.amount, record.order, record.amount
    )
    if payment.status is PaymentStatus.CAPTURED:
        left = payment.captured_amount - payment.refunded_amount
        if left.amount > 0:
            get_provider(record.provider).refund(
                reference=record.reference, amount=left, idempotency_key=f"{record.order.number}:late-refund"
            )
    elif not payment.status.final:
        _cancel(record)
    _close(record, OrderStatus.PAYMENT_FAILED, AMOUNT_MISMATCH)
    _mark(record, PaymentState.FAILED, source)


def _cancel(record: CheckoutPayment) -> Payment | None:
    """Cancel (void) the payment at the provider; ``None`` when it was captured meanwhile."""
    try:
        return get_provider(record.provider).cancel_payment(
            reference=record.reference, idempotency_key=f"{record.order.number}:cancel"
        )
    except CaptureRefused:
        return None


def _close(record: CheckoutPayment, status: str, reason: str) -> None:
    with transaction.atomic():
        if close_unpaid(order=record.order, status=status, reason=reason):
            restore_stock(record.order)


def _mark(record: CheckoutPayment, state: str, source: str) -> None:
    """Record Reloop's outcome of the payment (the first path to settle it is remembered)."""
    CheckoutPayment.objects.filter(pk=record.pk).exclude(state=state).update(state=state, settled_at=clock.now())
    CheckoutPayment.objects.filter(pk=record.pk, settled_by="").update(settled_by=source)


def restore_stock(order: Order) -> None:
    """The order was not paid: its units go back to stock, and the units its buyer chose back on sale."""
    line_ids = []
    for line_id, offer_id, quantity in (
        OrderLine.objects.filter(seller_order__order=order)
        .order_by("offer_id")
        .values_list("pk", "offer_id", "quantity")
    ):
        adjust_stock(offer_id=offer_id, delta=quantity)
        line_ids.append(line_id)
    release_units(order_line_ids=line_ids)


def pay_with_credit(order: Order) -> bool:
    """Pay a reserved order whole with the buyer's Reloop credit (docs/adr/0027-trade-in.md): the credit is spent,
    the order placed and its money split in one transaction; no payment at the provider. ``NotEnoughCredit`` when
    the credit is short, ``False`` when the order can no longer be paid (its hold expired). A retry pays once."""
    from reloop.buyback import credit

    reference = f"order:{order.number}"
    with transaction.atomic():
        order.refresh_from_db(fields=["status", "reserved_until"])
        if order.status == OrderStatus.PAID:
            return True
        if order.status != OrderStatus.PENDING_PAYMENT or order.reserved_until < clock.now():
            return False
        credit.spend_credit(
            user_id=order.buyer_id,
            amount=Money(order.total, order.currency),
            key=f"{reference}:credit",
            reference=reference,
        )
        if not mark_paid(order=order, payment_reference=credit.payment_reference(order.number)):
            raise TotalChanged(_("This order changed meanwhile; please check it and pay again"))
        record_initial_events(order=order)
        _record_money(order, captured=False)
        CartLine.objects.filter(
            cart__user_id=order.buyer_id,
            cart__market=order.market,
            offer_id__in=OrderLine.objects.filter(seller_order__order=order).values("offer_id"),
        ).delete()
    return True


def _record_money(order: Order, *, captured: bool = True) -> None:
    """The ledger's capture and split, with the commission frozen on each seller part at reservation (no capture
    for an order paid with Reloop credit: the credit went to the clearing account already)."""
    shares = [
        SellerShare(seller_id=seller_id, gross=Money(total, order.currency), commission=Money(fee, order.currency))
        for seller_id, total, fee in SellerOrder.objects.filter(order=order).values_list(
            "seller_id", "total", "commission"
        )
    ]
    # One round of statements for the capture, the split and the US sales tax (the platform collects and remits
    # it: docs/adr/0022-sales-tax.md), each still its own balanced, idempotent transaction.
    ledger.record_payment(
        reference=f"order:{order.number}",
        shares=shares,
        captured=Money(order.total, order.currency) if captured else None,
        sales_tax=Money(order.tax_total, order.currency),
    )


def expire_reservations(*, now: object | None = None) -> int:
    """Close orders still awaiting payment after their hold, give their units back, and cancel their payment at
    the provider (a payment confirmed meanwhile is voided, or refunded if captured). Safe to run twice."""
    moment = now or clock.now()
    expired = 0
    for order in Order.objects.filter(status=OrderStatus.PENDING_PAYMENT, reserved_until__lt=moment).order_by("pk")[
        :500
    ]:
        with transaction.atomic():
            if close_unpaid(order=order, status=OrderStatus.EXPIRED, reason=RESERVATION_EXPIRED):
                restore_stock(order)
                expired += 1
        record = CheckoutPayment.objects.filter(order=order).first()
        if record is not None:
            try:
                settle_payment(reference=record.reference, source="job")
            except Exception:  # the provider unreachable: reconciliation tries again
                logger.exception("Could not settle the payment of expired order %s", order.number)
    return expired
