"""Reconciliation: for each recent payment at the provider, compare the order, the ledger and the refunds; finish
what a crash left half-done; report to the operator what cannot be fixed
(docs/adr/0020-instalments-and-reconciliation.md).

What it finishes, each through the same idempotent steps the request would have taken:

- a payment authorized or captured whose order was never placed (a web process killed between the provider's
  answer and placement): placed, or, when its hold expired and the units went back, voided or refunded in full;
- an authorization left open on an order that expired or failed: voided;
- a payment of an expired order still waiting for the buyer: cancelled, so it can no longer be paid;
- a cancelled line whose refund never went out (killed between the line's transition and the provider's
  refund): refunded, and the cancellation recorded in the ledger, with the keys ``cancel_line`` uses.

What it reports (``PaymentIssue``, once per payment and kind, shown in the admin and logged): a paid order whose
payment is not captured or captured for another amount, a capture missing from the ledger, refunds at the
provider that differ from the ledger's, money kept on an order that is not paid, a payment at the provider that
no order knows, and a provider that cannot be reached.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Sum

from reloop.checkout.models import CheckoutPayment, PaymentIssue, PaymentState
from reloop.checkout.settlement import settle_payment
from reloop.core import clock
from reloop.core.errors import DomainError
from reloop.core.money import Money
from reloop.orders.domain import REFUNDING_STATES, LineState
from reloop.orders.models import Order, OrderLine, OrderStatus
from reloop.payments import conf
from reloop.payments import services as ledger
from reloop.payments.domain import PSP_RECEIVABLE
from reloop.payments.models import LedgerTransaction, LineRefund, Posting
from reloop.payments.providers import Payment, PaymentStatus, get_provider

logger = logging.getLogger(__name__)

#: How far back the job looks at payments (days).
RECONCILE_DAYS = 7
#: A cancellation younger than this may still be refunding in its own request: left alone until the next run.
CANCELLATION_GRACE = timedelta(minutes=10)


def reconcile_payments(*, now: datetime | None = None, days: int = RECONCILE_DAYS) -> int:
    """Check every payment created in the last ``days`` days; return how many it fixed. Safe to run twice, or in
    two processes: every fix is a conditional update or a call keyed like the request's own."""
    moment = now or clock.now()
    since = moment - timedelta(days=days)
    fixed = 0
    known: set[str] = set()
    providers: set[str] = {conf.provider_name()}
    for record in CheckoutPayment.objects.select_related("order").filter(created_at__gte=since).order_by("pk"):
        known.add(record.reference)
        providers.add(record.provider)
        try:
            fixed += _reconcile(record, moment)
        except DomainError as exc:
            _report(record.provider, record.reference, record.order, "unreachable", f"{exc.code}: {exc.message}")
        except Exception as exc:  # one payment's trouble must not stop the others
            logger.exception("Reconciling payment %s failed", record.reference)
            _report(record.provider, record.reference, record.order, "unreachable", repr(exc)[:500])
    for name in sorted(providers):
        try:
            payments = get_provider(name).recent_payments(since=since)
        except Exception as exc:
            logger.exception("Listing %s payments failed", name)
            _report(name, "*", None, "unreachable", repr(exc)[:500])
            continue
        for payment in _unknown(payments, known):
            _report(
                name,
                payment.reference,
                None,
                "unknown_payment",
                f"{payment.status} payment of {payment.amount} (captured {payment.captured_amount}, refunded "
                f"{payment.refunded_amount}) that no order knows",
            )
    return fixed


def _unknown(payments: Iterable[Payment], known: set[str]) -> list[Payment]:
    """Payments at the provider holding money that no order of ours knows."""
    found = []
    for payment in payments:
        if payment.reference in known or CheckoutPayment.objects.filter(reference=payment.reference).exists():
            continue
        if payment.status in (PaymentStatus.AUTHORIZED, PaymentStatus.CAPTURED):
            found.append(payment)
    return found


def _reconcile(record: CheckoutPayment, moment: datetime) -> int:
    order = record.order
    before = (order.status, record.state)
    if record.state == PaymentState.AWAITING_BUYER or order.status != OrderStatus.PAID:
        settle_payment(reference=record.reference, source="job")
        order.refresh_from_db()
        record.refresh_from_db()
    fixed = int((order.status, record.state) != before)
    payment = get_provider(record.provider).retrieve_payment(reference=record.reference)
    total = Money(order.total, order.currency)
    if order.status == OrderStatus.PAID:
        if payment.status is not PaymentStatus.CAPTURED:
            _report(
                record.provider, record.reference, order, "paid_not_captured", f"order paid, payment {payment.status}"
            )
            return fixed
        if payment.captured_amount != total:
            _report(
                record.provider,
                record.reference,
                order,
                "captured_amount_differs",
                f"captured {payment.captured_amount}, order total {total}",
            )
        if not LedgerTransaction.objects.filter(idempotency_key=f"order:{order.number}:capture").exists():
            _report(record.provider, record.reference, order, "capture_not_in_ledger", f"order {order.number}")
        fixed += _finish_cancellations(record, order, moment)
        payment = get_provider(record.provider).retrieve_payment(reference=record.reference)
        in_ledger = _refunded_in_ledger(order)
        if payment.refunded_amount != in_ledger:
            _report(
                record.provider,
                record.reference,
                order,
                "refunds_differ",
                f"refunded at the provider {payment.refunded_amount}, in the ledger {in_ledger}",
            )
    elif payment.status is PaymentStatus.CAPTURED and payment.refunded_amount != payment.captured_amount:
        _report(
            record.provider,
            record.reference,
            order,
            "charged_without_order",
            f"order {order.status}, captured {payment.captured_amount}, refunded {payment.refunded_amount}",
        )
    elif payment.status is PaymentStatus.AUTHORIZED:
        _report(record.provider, record.reference, order, "authorization_open", f"order {order.status}")
    return fixed


def _refunded_in_ledger(order: Order) -> Money:
    """What the ledger has given back to the buyer of ``order``: the credits of ``psp:receivable`` under its
    reference (refunds and cancellations)."""
    total = Posting.objects.filter(
        transaction__reference=f"order:{order.number}", account__code=PSP_RECEIVABLE, amount__lt=0
    ).aggregate(total=Sum("amount"))["total"]
    return Money(-(total or 0), order.currency)


def _finish_cancellations(record: CheckoutPayment, order: Order, moment: datetime) -> int:
    """Cancelled lines with no cancellation in the ledger: refund them and record it, keyed as ``cancel_line``."""
    keys = set(
        LedgerTransaction.objects.filter(reference=f"order:{order.number}", kind="cancellation").values_list(
            "idempotency_key", flat=True
        )
    )
    lines = OrderLine.objects.select_related("seller_order__order").filter(
        seller_order__order=order, state=LineState.CANCELLED, state_changed_at__lt=moment - CANCELLATION_GRACE
    )
    fixed = 0
    for line in lines.order_by("pk"):
        key = f"order:{order.number}:line:{line.pk}:cancel"
        if key in keys:
            continue
        gross, fee, shipping_tax = _cancellation_amounts(line)
        # US: the line's sales tax (and its shipping's, with the shipping) given back, as cancel_line does
        sales_tax = Money(line.tax_amount, order.currency) + shipping_tax
        get_provider(record.provider).refund(
            reference=record.reference, amount=gross + sales_tax, idempotency_key=f"line:{line.pk}:cancel"
        )
        ledger.record_cancellation(
            key=key,
            reference=f"order:{order.number}",
            seller_id=line.seller_order.seller_id,
            gross=gross,
            commission=fee,
            line_id=line.pk,
        )
        if sales_tax.amount:
            ledger.record_sales_tax_refund(key=f"{key}:sales-tax", reference=f"order:{order.number}", amount=sales_tax)
        fixed += 1
    return fixed


def _cancellation_amounts(line: OrderLine) -> tuple[Money, Money, Money]:
    """What ``cancel_line`` gives back for ``line``: its total and commission, plus the part's shipping (and the
    commission and the sales tax on it) when no other line of the part is live and no other cancellation took the
    shipping; the third amount is that shipping's sales tax."""
    part = line.seller_order
    currency = part.order.currency
    gross, fee, shipping_tax = Money(line.line_total, currency), Money(line.commission, currency), Money.zero(currency)
    others = OrderLine.objects.filter(seller_order=part).exclude(pk=line.pk)
    live = others.exclude(state__in=REFUNDING_STATES).exists()
    shipping_taken = (
        LineRefund.objects.filter(seller_order=part, gross__gt=F("line__line_total")).exclude(line=line).exists()
    )
    if not live and not shipping_taken and part.shipping_amount:
        lines_fee = sum(OrderLine.objects.filter(seller_order=part).values_list("commission", flat=True))
        gross += Money(part.shipping_amount, currency)
        fee += Money(part.commission - lines_fee, currency)
        shipping_tax = Money(part.shipping_tax_amount, currency)
    return gross, fee, shipping_tax


def _report(provider: str, reference: str, order: Order | None, kind: str, detail: str) -> None:
    """Tell the operator, once per payment and kind."""
    logger.warning("Payment reconciliation: %s %s %s: %s", provider, reference, kind, detail)
    try:
        with transaction.atomic():
            PaymentIssue.objects.get_or_create(
                provider=provider, reference=reference, kind=kind, defaults={"order": order, "detail": detail}
            )
    except IntegrityError:  # reported concurrently by another run
        pass


def open_issues() -> list[PaymentIssue]:
    """The payment problems the operator has not resolved yet, newest first."""
    return list(PaymentIssue.objects.filter(resolved_at__isnull=True).select_related("order")[:200])
