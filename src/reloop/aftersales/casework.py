"""Moving a case, shared by the after-sales services: who is asking (buyer, seller member, operator), the
conditional state update with its ``CaseEvent``, the order line's matching transition, and the events published.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from reloop.accounts.models import User
from reloop.aftersales.domain import Resolution, check_transition
from reloop.aftersales.errors import CaseNotFound, CaseStateConflict, InvalidCaseInput
from reloop.aftersales.events import CaseResolved
from reloop.aftersales.models import Case, CaseEvent, Role
from reloop.core import clock
from reloop.core.events import publish
from reloop.orders.models import ActorKind
from reloop.orders.services import transition_line
from reloop.sellers.selectors import membership_for_user

#: The operator permissions: reading every case, and deciding escalated ones.
VIEW_PERMISSION = "aftersales.view_case"
DECIDE_PERMISSION = "aftersales.change_case"

_ACTOR_KINDS: dict[str, str] = {
    Role.BUYER: ActorKind.BUYER,
    Role.SELLER: ActorKind.SELLER,
    Role.OPERATOR: ActorKind.OPERATOR,
}


# --- Who is asking --------------------------------------------------------------------------------------


def is_operator(user: Any, permission: str = DECIDE_PERMISSION) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and user.is_staff and user.has_perm(permission)
    )


def role_of(*, actor: Any, case: Case) -> str | None:
    """The actor's part in ``case``: buyer, seller (a member of its seller) or operator; ``None`` for anyone else."""
    if not getattr(actor, "is_authenticated", False):
        return None
    if case.buyer_id == actor.pk:
        return Role.BUYER
    member = membership_for_user(actor)
    if member is not None and member.seller_id == case.seller_id:
        return Role.SELLER
    if is_operator(actor, VIEW_PERMISSION):
        return Role.OPERATOR
    return None


def case_for(*, actor: User | None, case_id: int, roles: Sequence[str]) -> tuple[Case, str]:
    """The case and the actor's role in it, when that role may take this step; else ``CaseNotFound``, so a
    stranger cannot learn that the case exists (an operator without the decide permission is refused alike)."""
    case = Case.objects.select_related("order", "line").filter(pk=case_id).first()
    role = role_of(actor=actor, case=case) if case is not None else None
    if case is None or role is None or role not in roles:
        raise CaseNotFound(_("No such case"))
    if role == Role.OPERATOR and not is_operator(actor, DECIDE_PERMISSION):
        raise CaseNotFound(_("No such case"))
    return case, role


def actor_kind(role: str) -> str:
    return _ACTOR_KINDS.get(role, ActorKind.SYSTEM)


def clean_text(value: str, *, field: str, limit: int, required: bool = True) -> str:
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise InvalidCaseInput(_("Please fill in %(field)s.") % {"field": field}, code=f"missing_{field}")
    if len(cleaned) > limit:
        raise InvalidCaseInput(
            _("%(field)s is at most %(limit)s characters.") % {"field": field, "limit": limit},
            code=f"{field}_too_long",
        )
    return cleaned


# --- Moving a case --------------------------------------------------------------------------------------


def move(case: Case, *, to_state: str, actor: User | None, role: str, reason: str = "", **fields: Any) -> Case:
    """Move ``case`` to ``to_state`` if it is still where we read it, set ``fields``, record the event."""
    problem = check_transition(case.state, to_state)
    if problem:
        raise CaseStateConflict(problem)
    moment = fields.pop("moment", None) or clock.now()
    if not Case.objects.filter(pk=case.pk, state=case.state).update(state=to_state, updated_at=moment, **fields):
        raise CaseStateConflict(_("This case changed meanwhile; reload the page and try again"), code="stale_case")
    CaseEvent.objects.create(
        case=case,
        actor=actor,
        role=role,
        from_state=case.state,
        to_state=to_state,
        reason=reason[:300],
        created_at=moment,
    )
    case.state = to_state
    for name, value in fields.items():
        setattr(case, name, value)
    return case


def move_line(case: Case, *, to_state: str, actor: User | None, role: str, reason: str) -> None:
    transition_line(line_id=case.line_id, to_state=to_state, actor=actor, actor_kind=actor_kind(role), reason=reason)


def publish_resolved(case: Case) -> None:
    publish(
        CaseResolved(
            case_id=case.pk,
            kind=case.kind,
            reason=case.reason,
            seller_id=case.seller_id,
            line_id=case.line_id,
            resolution=case.resolution,
            refund_amount=(case.refund_amount or 0) if case.resolution == Resolution.REFUNDED else 0,
            currency=case.currency,
        )
    )
