"""Operator decisions taken through the console or the operator API: each calls the owning app's service (which
owns its durable transaction) and then records an ``OperatorDecision`` for the seller's audit trail."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db.models import Q
from django.utils.translation import gettext as _

from reloop.accounts.models import User
from reloop.aftersales import services as aftersales
from reloop.aftersales.models import Case
from reloop.console.models import DecisionKind, OperatorDecision
from reloop.console.roles import ROLES
from reloop.core import clock
from reloop.core.errors import InvalidInput
from reloop.core.money import Money
from reloop.sellers.models import Seller, Standing
from reloop.sellers.services import change_seller_standing

MAX_REASON = 500


def decide_seller_standing(*, actor: User, seller: Seller, standing: str, reason: str) -> Seller:
    """Suspend or reactivate ``seller`` (``sellers.services.change_seller_standing`` checks the permission) with a
    reason kept in the audit trail. A reason is required: the seller and the next operator must know why."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput(_("Say why: the reason is kept in the seller's record"), code="reason_required")
    if len(reason) > MAX_REASON:
        raise InvalidInput(_("The reason is at most %(n)s characters") % {"n": MAX_REASON}, code="reason_too_long")
    # The standing changes in its own (durable) transaction, then the decision is recorded: a refused change
    # (permission, standing) leaves no audit row.
    changed = change_seller_standing(actor=actor, seller=seller, standing=standing)
    OperatorDecision.objects.create(
        seller=seller,
        actor=actor,
        kind=DecisionKind.SUSPEND if standing == Standing.SUSPENDED else DecisionKind.REACTIVATE,
        reason=reason,
        created_at=clock.now(),
    )
    return changed


def decide_case(*, actor: User, case_id: int, decision: str, note: str, amount: Money | None = None) -> Case:
    """The operator's decision on an escalated case (``aftersales.services.decide_case``: permission, rules, the
    refund), then an ``OperatorDecision`` for the seller's audit trail once it is recorded."""
    case = aftersales.decide_case(actor=actor, case_id=case_id, decision=decision, note=note, amount=amount)
    OperatorDecision.objects.create(
        seller_id=case.seller_id,
        actor=actor,
        kind=DecisionKind.CASE_DECISION,
        reason=f"{decision}: {note}"[:MAX_REASON],
        reference=f"case:{case.pk}",
        created_at=clock.now(),
    )
    return case


def sync_roles() -> list[Group]:
    """Set each role's group to exactly its permissions (console/roles.py), creating it if missing; idempotent.
    The migrations do the same at install; tests call it after a database flush."""
    groups = []
    for name, perms in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = Q()
        for perm in perms:
            app_label, codename = perm.split(".")
            wanted |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.set(Permission.objects.filter(wanted))
        groups.append(group)
    return groups
