"""Refunds of after-sales cases, by the seller or by the operator's decision, and the operator closing a case.

A refund runs in three steps, each safe to repeat: **claim** (one conditional update writes the amount and the
commission given back on the case, checked against what is left refundable on the line), **pay** (the provider's
refund, outside any transaction or lock, with the key ``case:<id>:refund``), **settle** (the ledger's refund under
its own key, the case resolved, the line refunded, events and emails on commit). A crash after any step is
finished by calling again: the buyer is paid back once (docs/adr/0015-returns-and-warranty.md).

A US line's sales tax goes back with it, as a cancellation's does: the claim also writes the tax on the refunded
part (pro rata on the running total, never more than was collected: ``markets.tax.tax_to_refund``), the provider
pays back goods + tax, and the ledger moves the tax out of ``platform:sales_tax_payable`` under the refund's key +
``:sales-tax`` (docs/adr/0022-sales-tax.md), where the credit note reads it.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from reloop.accounts.models import User
from reloop.aftersales import notifications
from reloop.aftersales.casework import case_for, clean_text, move, move_line, publish_resolved
from reloop.aftersales.domain import (
    MAX_NOTE,
    SELLER_REFUND_STATES,
    CaseKind,
    CaseState,
    Resolution,
    refundable_left,
)
from reloop.aftersales.errors import CaseStateConflict, InvalidCaseInput, RefundRefused
from reloop.aftersales.models import Case, CaseMessage, Role
from reloop.buyback import credit
from reloop.core import clock
from reloop.core.errors import DomainError
from reloop.core.money import Money
from reloop.markets.tax import tax_to_refund
from reloop.orders.domain import LineState
from reloop.orders.models import OrderLine
from reloop.payments import services as ledger
from reloop.payments.domain import commission_to_return
from reloop.payments.providers import get_provider

DECISIONS = ("refund", "close")

# --- Refunds --------------------------------------------------------------------------------------------


def refund_case(*, actor: User, case_id: int, amount: Money | None = None, note: str = "") -> Case:
    """Refund the buyer, in full (``amount=None``: what is left refundable on the line) or in part, and resolve
    the case. The seller may refund before escalation; the operator decides escalated cases (``decide_case``).

    Through the provider with the key ``case:<id>:refund`` and the ledger with the commission given back pro
    rata; the line becomes refunded. A retry (same amount, or none) resumes a refund left half-way and returns
    a finished one unchanged: the buyer is paid back once.
    """
    case, role = case_for(actor=actor, case_id=case_id, roles=(Role.SELLER,))
    if case.refunded_at is None and case.refund_amount is None and case.state not in SELLER_REFUND_STATES:
        raise CaseStateConflict(_("This case cannot be refunded by the seller now."))
    return _refund(case, actor=actor, role=role, amount=amount, note=note)


def decide_case(*, actor: User, case_id: int, decision: str, note: str, amount: Money | None = None) -> Case:
    """The operator's decision on an escalated case: a refund at the seller's expense (in full, or ``amount``),
    or closing it with no remedy. ``note`` (why) is posted in the thread for both parties."""
    if decision not in DECISIONS:
        raise InvalidCaseInput(_("Choose refund or close."), code="invalid_decision")
    note = clean_text(note, field="note", limit=MAX_NOTE)
    case, role = case_for(actor=actor, case_id=case_id, roles=(Role.OPERATOR,))
    if decision == "refund":
        if case.state != CaseState.ESCALATED and case.refund_amount is None:
            raise CaseStateConflict(_("The operator decides escalated cases only."))
        return _refund(case, actor=actor, role=role, amount=amount, note=note)
    with transaction.atomic(durable=True):
        if case.state != CaseState.ESCALATED or case.refund_amount is not None:
            raise CaseStateConflict(_("The operator decides escalated cases only."))
        if case.kind == CaseKind.RETURN and case.line.state == LineState.RETURNED:
            # The seller has the unit back: closing would leave the line returned for ever, never refunded.
            raise CaseStateConflict(
                _("The seller has received the returned item: decide a refund, in full or in part."),
                code="refund_due",
            )
        now = clock.now()
        move(
            case,
            to_state=CaseState.CLOSED,
            actor=actor,
            role=role,
            reason=note,
            moment=now,
            resolution=Resolution.CLOSED,
            resolution_note=note,
            resolved_at=now,
        )
        CaseMessage.objects.create(case=case, author=actor, role=role, body=note)
        if case.kind == CaseKind.RETURN and case.line.state == LineState.RETURN_REQUESTED:
            move_line(case, to_state=LineState.DELIVERED, actor=actor, role=role, reason=f"case {case.pk}: closed")
        publish_resolved(case)
        notifications.on_commit(case.pk, "decided", to=(Role.BUYER, Role.SELLER))
    return case


def refundable_on_line(*, line: OrderLine, excluding_case_id: int | None = None) -> tuple[int, int, int]:
    """(left to refund, already refunded gross, already returned commission) on ``line``, counting every case's
    claimed refund (paid or being paid), in minor units."""
    left, gross, fee, _tax = _refunded_on_line(line=line, excluding_case_id=excluding_case_id)
    return left, gross, fee


def _refunded_on_line(*, line: OrderLine, excluding_case_id: int | None) -> tuple[int, int, int, int]:
    """``refundable_on_line`` and the sales tax already given back, in minor units."""
    claimed = Case.objects.filter(line=line, refund_amount__isnull=False)
    if excluding_case_id is not None:
        claimed = claimed.exclude(pk=excluding_case_id)
    rows = list(claimed.values_list("refund_amount", "refund_commission", "refund_tax"))
    gross = sum(amount or 0 for amount, _fee, _tax in rows)
    fee = sum(fee or 0 for _amount, fee, _tax in rows)
    tax = sum(tax or 0 for _amount, _fee, tax in rows)
    return refundable_left(line_total=line.line_total, refunded=[gross]), gross, fee, tax


def _refund(case: Case, *, actor: User, role: str, amount: Money | None, note: str) -> Case:
    if case.refunded_at is not None:  # a replay of a finished refund
        if amount is not None and amount.amount != case.refund_amount:
            raise RefundRefused(_("This case was already refunded."), code="already_refunded")
        return case
    if amount is not None and amount.currency != case.currency:
        raise InvalidCaseInput(_("A refund is in the order's currency."), code="invalid_currency")
    if case.refund_amount is None:
        case = _claim_refund(case, actor=actor, role=role, amount=amount)
    elif amount is not None and amount.amount != case.refund_amount:
        raise RefundRefused(_("A refund of this case is already being paid."), code="refund_in_progress")
    _pay_refund(case)
    return _settle_refund(case, actor=actor, role=role, note=note)


def _claim_refund(case: Case, *, actor: User, role: str, amount: Money | None) -> Case:
    """Write the amount and commission on the case before any money moves (one conditional update), so a retry
    pays back the same amount under the same key."""
    with transaction.atomic(durable=True):
        line = OrderLine.objects.get(pk=case.line_id)
        left, gross, fee, tax = _refunded_on_line(line=line, excluding_case_id=case.pk)
        wanted = left if amount is None else amount.amount
        if wanted <= 0 or wanted > left:
            raise RefundRefused(
                _("A refund is more than zero and at most %(left)s.") % {"left": Money(left, case.currency)},
                code="refund_exceeds_line",
            )
        currency = case.currency
        commission = commission_to_return(
            gross=Money(line.line_total, currency),
            commission=Money(line.commission, currency),
            refunded_gross=Money(gross, currency),
            refunded_commission=Money(fee, currency),
            refund=Money(wanted, currency),
        )
        sales_tax = (
            tax_to_refund(
                line_total=line.line_total, line_tax=line.tax_amount, refunded_gross=gross, refunded_tax=tax,
                refund=wanted,
            )
            if line.tax_amount
            else 0
        )  # fmt: skip
        if not Case.objects.filter(pk=case.pk, state=case.state, refund_amount__isnull=True).update(
            refund_amount=wanted, refund_commission=commission.amount, refund_tax=sales_tax, updated_at=clock.now()
        ):
            raise CaseStateConflict(_("This case changed meanwhile; reload the page and try again"), code="stale_case")
    case.refund_amount, case.refund_commission, case.refund_tax = wanted, commission.amount, sales_tax
    return case


def _pay_refund(case: Case) -> None:
    """Pay the claimed amount back through the provider (no transaction, no lock held). A refusal by the
    provider releases the claim so the refund can be asked again; any other failure keeps it for a retry."""
    if case.refund_amount is None:
        raise RefundRefused("No refund was claimed on this case.", code="refund_not_claimed")
    if credit.is_credit_payment(case.order.payment_reference):
        return  # paid with Reloop credit: the refund goes back to the credit when it is settled
    try:
        get_provider().refund(
            reference=case.order.payment_reference,
            amount=Money(case.refund_amount + case.refund_tax, case.currency),  # the goods and their sales tax
            idempotency_key=f"case:{case.pk}:refund",
        )
    except DomainError:
        Case.objects.filter(pk=case.pk, refunded_at__isnull=True).update(
            refund_amount=None, refund_commission=None, refund_tax=0
        )
        case.refund_amount = case.refund_commission = None
        case.refund_tax = 0
        raise


def _settle_refund(case: Case, *, actor: User, role: str, note: str) -> Case:
    if case.refund_amount is None or case.refund_commission is None:
        raise RefundRefused("No refund was claimed on this case.", code="refund_not_claimed")
    order = case.order
    reference = f"order:{order.number}"
    with transaction.atomic(durable=True):
        ledger.record_refund(
            key=f"{reference}:case:{case.pk}:refund",
            reference=reference,
            seller_id=case.seller_id,
            line_id=case.line_id,
            gross=Money(case.refund_amount, case.currency),
            commission=Money(case.refund_commission, case.currency),
            memo=f"After-sales case {case.pk} ({case.kind})",
        )
        if case.refund_tax:  # US: the sales tax on the refunded part, no longer owed to the state
            ledger.record_sales_tax_refund(
                key=f"{reference}:case:{case.pk}:refund:sales-tax",
                reference=reference,
                amount=Money(case.refund_tax, case.currency),
                memo=f"Sales tax refunded with after-sales case {case.pk}",
            )
        if credit.is_credit_payment(order.payment_reference):  # back to the buyer's Reloop credit
            credit.refund_to_credit(
                user_id=order.buyer_id,
                amount=Money(case.refund_amount + case.refund_tax, case.currency),
                key=f"{reference}:case:{case.pk}:refund:to-credit",
                reference=reference,
            )
        now = clock.now()
        current = Case.objects.select_related("order", "line").get(pk=case.pk)
        if current.refunded_at is not None:  # a concurrent retry settled it first
            return current
        move(
            current,
            to_state=CaseState.RESOLVED,
            actor=actor,
            role=role,
            reason=note or "refund",
            moment=now,
            resolution=Resolution.REFUNDED,
            resolution_note=note,
            resolved_at=now,
            refunded_at=now,
        )
        if note and role == Role.OPERATOR:
            CaseMessage.objects.create(case=current, author=actor, role=role, body=note)
        if current.line.state != LineState.REFUNDED:
            move_line(
                current,
                to_state=LineState.REFUNDED,
                actor=actor,
                role=role,
                reason=f"case {case.pk}: refunded {Money(case.refund_amount + case.refund_tax, case.currency)}",
            )
        publish_resolved(current)
        notifications.on_commit(
            current.pk, "refunded", to=(Role.BUYER, Role.SELLER) if role == Role.OPERATOR else (Role.BUYER,)
        )
    return current
