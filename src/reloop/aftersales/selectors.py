"""After-sales reads, always scoped to who is asking: the buyer's cases, one seller's queues, the operator's view.

Each read owns its ``select_related``/``prefetch_related``, so a list costs the same number of queries for one
case or fifty.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from reloop.accounts.models import User
from reloop.aftersales.domain import (
    OPEN_STATES,
    CaseKind,
    CaseState,
    allowed_kinds,
    return_deadline,
    warranty_deadline,
)
from reloop.aftersales.errors import CaseNotFound
from reloop.aftersales.models import Case, CaseEvent, CaseMessage, CasePhoto
from reloop.orders.models import Order, OrderLine
from reloop.sellers.models import Seller

#: The seller's work queues, in display order: what the seller must do next.
SELLER_QUEUES: dict[str, tuple[str, ...]] = {
    "to_answer": (CaseState.OPENED,),
    "to_receive": (CaseState.AWAITING_RETURN, CaseState.SHIPPED_BACK),
    "to_resolve": (CaseState.RECEIVED,),
    "escalated": (CaseState.ESCALATED,),
    "closed": (CaseState.REFUSED, CaseState.RESOLVED, CaseState.CLOSED),
}
OPERATOR_QUEUES: dict[str, tuple[str, ...]] = {
    "escalated": (CaseState.ESCALATED,),
    "open": tuple(sorted(OPEN_STATES - {CaseState.ESCALATED})),
    "closed": (CaseState.REFUSED, CaseState.RESOLVED, CaseState.CLOSED),
}
LIST_LIMIT = 200


def _list(qs: QuerySet[Case]) -> QuerySet[Case]:
    return qs.select_related("line", "order", "buyer", "seller").order_by("-opened_at", "-pk")


def _detail(qs: QuerySet[Case]) -> QuerySet[Case]:
    return qs.select_related("line", "order", "buyer", "seller").prefetch_related(
        Prefetch("photos", queryset=CasePhoto.objects.order_by("position")),
        Prefetch("messages", queryset=CaseMessage.objects.select_related("author").order_by("created_at", "pk")),
        Prefetch("events", queryset=CaseEvent.objects.select_related("actor").order_by("created_at", "pk")),
    )


# --- Buyer ----------------------------------------------------------------------------------------------


def buyer_cases(*, buyer: User) -> QuerySet[Case]:
    return _list(Case.objects.filter(buyer=buyer))


def buyer_case(*, buyer: User, case_id: int) -> Case:
    """One of the buyer's cases with its photos, thread and history; another's is answered like a missing one."""
    case = _detail(Case.objects.filter(buyer=buyer, pk=case_id)).first()
    if case is None:
        raise CaseNotFound(f"No case {case_id}")
    return case


def buyer_line(*, buyer: User, line_id: int) -> OrderLine:
    """One of the buyer's order lines with its order (to open a case on it)."""
    line = (
        OrderLine.objects.select_related("seller_order__order")
        .filter(pk=line_id, seller_order__order__buyer=buyer)
        .first()
    )
    if line is None:
        raise CaseNotFound(f"No order line {line_id}")
    return line


@dataclass(frozen=True)
class LineAftersales:
    """What the order page shows for one line: the case kinds open now, until when, and its latest case."""

    kinds: frozenset[str]
    return_until: dt.datetime | None
    warranty_until: dt.datetime | None
    case: Case | None

    @property
    def can_return(self) -> bool:
        return CaseKind.RETURN in self.kinds

    @property
    def can_claim(self) -> bool:
        return CaseKind.WARRANTY in self.kinds


def order_aftersales(*, order: Order, lines: Iterable[OrderLine], now: dt.datetime) -> dict[int, LineAftersales]:
    """For each line of ``order``: what the buyer may open now and the line's latest case. One query."""
    lines = list(lines)
    latest: dict[int, Case] = {}
    for found in Case.objects.filter(line__in=[line.pk for line in lines]).order_by("line_id", "-opened_at", "-pk"):
        latest.setdefault(found.line_id, found)
    result = {}
    for line in lines:
        case = latest.get(line.pk)
        delivered = line.delivered_at
        result[line.pk] = LineAftersales(
            kinds=allowed_kinds(
                line_state=line.state,
                delivered_at=delivered,
                paid_at=order.paid_at,
                warranty_months=line.warranty_months,
                now=now,
                has_open_case=case is not None and case.is_open,
            ),
            return_until=return_deadline(delivered_at=delivered, paid_at=order.paid_at) if delivered else None,
            warranty_until=(
                warranty_deadline(delivered_at=delivered, warranty_months=line.warranty_months) if delivered else None
            ),
            case=case,
        )
    return result


# --- Seller ---------------------------------------------------------------------------------------------


def seller_cases(*, seller: Seller, queue: str | None = None) -> QuerySet[Case]:
    """``seller``'s cases, newest first, in one of ``SELLER_QUEUES`` (or all), with line, order and buyer."""
    qs = Case.objects.filter(seller=seller)
    if queue in SELLER_QUEUES:
        qs = qs.filter(state__in=SELLER_QUEUES[queue])
    return _list(qs)


def seller_queue_counts(*, seller: Seller) -> dict[str, int]:
    """How many cases wait in each of the seller's queues (one aggregate query)."""
    counts = Case.objects.filter(seller=seller).aggregate(
        **{name: Count("pk", filter=Q(state__in=states)) for name, states in SELLER_QUEUES.items()}
    )
    return {name: counts[name] or 0 for name in SELLER_QUEUES}


def seller_case(*, seller: Seller, case_id: int) -> Case:
    """One of ``seller``'s cases with photos, thread and history; another seller's is answered like a missing one."""
    case = _detail(Case.objects.filter(seller=seller, pk=case_id)).first()
    if case is None:
        raise CaseNotFound(f"No case {case_id}")
    return case


# --- Operator -------------------------------------------------------------------------------------------


def operator_cases(*, queue: str | None = "escalated") -> QuerySet[Case]:
    qs = Case.objects.all()
    if queue in OPERATOR_QUEUES:
        qs = qs.filter(state__in=OPERATOR_QUEUES[queue])
    return _list(qs)


def operator_queue_counts() -> dict[str, int]:
    counts = Case.objects.aggregate(
        **{name: Count("pk", filter=Q(state__in=states)) for name, states in OPERATOR_QUEUES.items()}
    )
    return {name: counts[name] or 0 for name in OPERATOR_QUEUES}


def operator_case(*, case_id: int) -> Case:
    case = _detail(Case.objects.filter(pk=case_id)).first()
    if case is None:
        raise CaseNotFound(f"No case {case_id}")
    return case


def case_photo(*, case: Case, photo_id: int) -> CasePhoto:
    """A photo of ``case`` (already authorized by the caller's selector)."""
    photo = CasePhoto.objects.filter(case=case, pk=photo_id).first()
    if photo is None:
        raise CaseNotFound(f"No photo {photo_id}")
    return photo
