"""Every after-sales write: opening a case, the seller's answer, the return trip, refunds, the thread, the SLA job
and the operator's decision (docs/aftersales.md).

Each service validates and authorizes first (a refused call writes nothing), then moves the case with a
conditional update on its current state (two concurrent steps cannot both apply: the second raises
``CaseStateConflict``), records a ``CaseEvent``, and sends the other party an email on commit. Order lines move
through ``orders.services.transition_line``. A refund claims its amount on the case first, pays it back through
the provider outside any transaction with a key derived from the case, then writes the ledger (keyed too) and
closes the case: a retry after a crash anywhere resumes where it stopped and never refunds twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from reloop.accounts.models import User
from reloop.aftersales import notifications
from reloop.aftersales.casework import (
    DECIDE_PERMISSION,
    VIEW_PERMISSION,
    case_for,
    clean_text,
    is_operator,
    move,
    move_line,
    publish_resolved,
    role_of,
)
from reloop.aftersales.domain import (
    DEFECT_REASONS,
    MAX_DESCRIPTION,
    MAX_MESSAGE,
    MAX_NOTE,
    MAX_PHOTO_BYTES,
    MAX_PHOTOS,
    OPEN_STATES,
    RECEIPT_DAYS,
    CaseKind,
    CaseState,
    Escalation,
    Reason,
    Remedy,
    Resolution,
    allowed_kinds,
    answer_due,
    battery_claim_refusal,
    battery_floor,
    overdue,
    reasons_for,
    resolution_due,
    sniff_image_type,
)
from reloop.aftersales.errors import CaseStateConflict, InvalidCaseInput, InvalidPhoto, NotEligible
from reloop.aftersales.events import CaseEscalated, CaseOpened
from reloop.aftersales.models import Case, CaseEvent, CaseMessage, CasePhoto, Role
from reloop.aftersales.refunds import DECISIONS, decide_case, refund_case, refundable_on_line
from reloop.core import clock
from reloop.core.events import publish
from reloop.fulfillment.carriers import CARRIERS
from reloop.orders.domain import LineState
from reloop.orders.errors import OrderNotFound
from reloop.orders.models import OrderLine

__all__ = [
    "DECIDE_PERMISSION",
    "DECISIONS",
    "VIEW_PERMISSION",
    "Photo",
    "answer_case",
    "check_photos",
    "confirm_receipt",
    "decide_case",
    "dispute_refusal",
    "escalate_overdue_cases",
    "is_operator",
    "mark_shipped_back",
    "open_return",
    "open_warranty_claim",
    "post_message",
    "refund_case",
    "refundable_on_line",
    "resolve_case",
    "role_of",
]

ANSWERS = {
    "accept": Remedy.REFUND,
    "offer_repair": Remedy.REPAIR,
    "offer_replacement": Remedy.REPLACE,
    "refuse": "",
}
ESCALATION_BATCH = 500
ABANDONED_REFUND = timedelta(hours=1)


# --- Opening --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Photo:
    """An uploaded photo as the services see it: its declared name (ignored for the type) and its bytes."""

    name: str
    content: bytes


def check_photos(photos: Sequence[Photo]) -> list[str]:
    """The content type of each photo, or ``InvalidPhoto``: at most 5, each ≤ 5 MB, JPEG/PNG/WebP by its bytes."""
    if len(photos) > MAX_PHOTOS:
        raise InvalidPhoto(_("Attach at most %(count)s photos.") % {"count": MAX_PHOTOS}, code="too_many_photos")
    types = []
    for photo in photos:
        if not photo.content:
            raise InvalidPhoto(_("%(name)s is empty.") % {"name": photo.name}, code="empty_photo")
        if len(photo.content) > MAX_PHOTO_BYTES:
            raise InvalidPhoto(
                _("%(name)s is larger than %(size)s MB.") % {"name": photo.name, "size": MAX_PHOTO_BYTES // 2**20},
                code="photo_too_large",
            )
        kind = sniff_image_type(photo.content[:16])
        if kind is None:
            raise InvalidPhoto(
                _("%(name)s is not a JPEG, PNG or WebP image.") % {"name": photo.name}, code="photo_type"
            )
        types.append(kind)
    return types


def _open_case(
    *,
    actor: User,
    line_id: int,
    kind: str,
    reason: str,
    description: str,
    photos: Sequence[Photo],
    battery_reading: int | None = None,
) -> Case:
    if reason not in reasons_for(kind):
        raise InvalidCaseInput(_("Choose one of the reasons offered."), code="invalid_reason")
    description = clean_text(description, field="description", limit=MAX_DESCRIPTION)
    types = check_photos(photos)
    line = (
        OrderLine.objects.select_related("seller_order__order", "variant__product_model__category")
        .filter(pk=line_id, seller_order__order__buyer_id=actor.pk)
        .first()
    )
    if line is None:
        raise OrderNotFound(_("No such order line"))
    order = line.seller_order.order
    now = clock.now()
    has_open = Case.objects.filter(line=line, state__in=OPEN_STATES).exists()
    kinds = allowed_kinds(
        line_state=line.state,
        delivered_at=line.delivered_at,
        paid_at=order.paid_at,
        warranty_months=line.warranty_months,
        now=now,
        has_open_case=has_open,
    )
    if kind not in kinds:
        if has_open:
            raise NotEligible(_("A case is already open for this item."), code="case_already_open")
        if line.delivered_at is None:
            raise NotEligible(_("This item has not been delivered yet."), code="not_delivered")
        raise NotEligible(
            _("The return period for this item is over.")
            if kind == CaseKind.RETURN
            else _("The warranty for this item is over."),
            code="window_closed",
        )
    floor = _check_battery_claim(line, reason=reason, reading=battery_reading)
    try:
        with transaction.atomic(durable=True):
            case = Case.objects.create(
                kind=kind,
                battery_reading=battery_reading if floor is not None else None,
                battery_floor=floor,
                line=line,
                order=order,
                buyer=actor,
                seller_id=line.seller_order.seller_id,
                reason=reason,
                description=description,
                currency=order.currency,
                opened_at=now,
                answer_due_at=answer_due(now),
            )
            CaseEvent.objects.create(
                case=case, actor=actor, role=Role.BUYER, from_state="", to_state=CaseState.OPENED, created_at=now
            )
            for position, (photo, content_type) in enumerate(zip(photos, types, strict=True), start=1):
                item = CasePhoto(case=case, position=position, content_type=content_type, size=len(photo.content))
                item.file.save(photo.name, ContentFile(photo.content), save=False)
                item.save()
            if kind == CaseKind.RETURN:
                move_line(case, to_state=LineState.RETURN_REQUESTED, actor=actor, role=Role.BUYER, reason=reason)
            publish(
                CaseOpened(
                    case_id=case.pk,
                    kind=kind,
                    reason=reason,
                    seller_id=case.seller_id,
                    line_id=line.pk,
                    is_defect=kind == CaseKind.WARRANTY or reason in DEFECT_REASONS,
                )
            )
            notifications.on_commit(case.pk, "opened", to=(Role.SELLER,))
    except IntegrityError:  # the same line's case opened concurrently: the unique open-case index decided
        raise NotEligible(_("A case is already open for this item."), code="case_already_open") from None
    return case


def _check_battery_claim(line: OrderLine, *, reason: str, reading: int | None) -> int | None:
    """The floor a battery-floor claim is opened against (``None`` for any other reason), or ``InvalidCaseInput``
    / ``NotEligible`` when the reading is missing, not a percentage, or at or above the line's floor."""
    if reason != Reason.BATTERY_BELOW_FLOOR:
        return None
    floor = battery_floor(
        battery_tier=line.battery_tier, category_minimum=line.variant.product_model.category.battery_min_health
    )
    if floor is None:
        raise NotEligible(_("This item has no battery guarantee."), code="no_battery_guarantee")
    refusal = battery_claim_refusal(reading=reading, floor=floor)
    if refusal == "battery_reading_required":
        raise InvalidCaseInput(
            _("Give the battery health your device shows (Settings › Battery), in percent."), code=refusal
        )
    if refusal == "battery_reading_invalid":
        raise InvalidCaseInput(_("The battery health is a percentage from 0 to 100."), code=refusal)
    if refusal == "battery_above_floor":
        raise NotEligible(
            _(
                "Your battery is at %(reading)s%%, at or above the %(floor)s%% this purchase guarantees: the "
                "guarantee holds. If the device does not work properly, choose another reason."
            )
            % {"reading": reading, "floor": floor},
            code=refusal,
        )
    return floor


def open_battery_claim(
    *, actor: User, line_id: int, battery_reading: int | None, description: str, photos: Sequence[Photo] = ()
) -> Case:
    """A warranty claim because the battery's state of health (``battery_reading``, percent, as the buyer's device
    shows it) is below the floor the line's battery tier guarantees for the whole warranty (issue 16, item 4). It
    opens only within the warranty and below the floor; the seller then replaces the battery, the unit or refunds
    through the usual after-sales steps."""
    return _open_case(
        actor=actor,
        line_id=line_id,
        kind=CaseKind.WARRANTY,
        reason=Reason.BATTERY_BELOW_FLOOR,
        description=description,
        photos=photos,
        battery_reading=battery_reading,
    )


def open_return(*, actor: User, line_id: int, reason: str, description: str, photos: Sequence[Photo] = ()) -> Case:
    """The buyer of a delivered line returns it within the return window; the line becomes return_requested."""
    return _open_case(
        actor=actor, line_id=line_id, kind=CaseKind.RETURN, reason=reason, description=description, photos=photos
    )


def open_warranty_claim(
    *, actor: User, line_id: int, reason: str, description: str, photos: Sequence[Photo] = ()
) -> Case:
    """The buyer of a delivered (or completed) line claims the warranty within the line's warranty months."""
    return _open_case(
        actor=actor, line_id=line_id, kind=CaseKind.WARRANTY, reason=reason, description=description, photos=photos
    )


# --- The seller's answer and the return trip ------------------------------------------------------------


def answer_case(*, actor: User, case_id: int, answer: str, note: str) -> Case:
    """The seller accepts (refund once the unit is back), offers a repair or a replacement, each with return
    instructions, or refuses with a reason. A refused return puts the line back to delivered."""
    if answer not in ANSWERS:
        raise InvalidCaseInput(_("Choose how you answer."), code="invalid_answer")
    field = "reason" if answer == "refuse" else "instructions"
    note = clean_text(note, field=field, limit=MAX_NOTE)
    with transaction.atomic(durable=True):
        case, role = case_for(actor=actor, case_id=case_id, roles=(Role.SELLER,))
        now = clock.now()
        if answer == "refuse":
            move(
                case,
                to_state=CaseState.REFUSED,
                actor=actor,
                role=role,
                reason=note,
                moment=now,
                answered_at=now,
                refusal_reason=note,
            )
        else:
            move(
                case,
                to_state=CaseState.AWAITING_RETURN,
                actor=actor,
                role=role,
                reason=answer,
                moment=now,
                answered_at=now,
                remedy=ANSWERS[answer],
                return_instructions=note,
            )
        if case.kind == CaseKind.RETURN and (answer == "refuse" or ANSWERS[answer] != Remedy.REFUND):
            # The sale stands (refused, or the unit comes back to be repaired or replaced).
            move_line(case, to_state=LineState.DELIVERED, actor=actor, role=role, reason=f"case {case.pk}: {answer}")
        notifications.on_commit(case.pk, "answered", to=(Role.BUYER,))
    return case


def mark_shipped_back(*, actor: User, case_id: int, carrier: str, tracking_number: str) -> Case:
    """The buyer sent the unit back, with the carrier and tracking number."""
    if carrier not in CARRIERS:
        raise InvalidCaseInput(_("Choose a carrier from the list."), code="unknown_carrier")
    tracking = clean_text(tracking_number, field="tracking", limit=60)
    if not tracking.replace("-", "").replace(" ", "").isalnum():
        raise InvalidCaseInput(_("A tracking number has letters and digits only."), code="invalid_tracking")
    with transaction.atomic(durable=True):
        case, role = case_for(actor=actor, case_id=case_id, roles=(Role.BUYER,))
        now = clock.now()
        move(
            case,
            to_state=CaseState.SHIPPED_BACK,
            actor=actor,
            role=role,
            reason=f"{carrier} {tracking}",
            moment=now,
            return_carrier=carrier,
            return_tracking=tracking,
            shipped_back_at=now,
        )
        notifications.on_commit(case.pk, "shipped_back", to=(Role.SELLER,))
    return case


def confirm_receipt(*, actor: User, case_id: int) -> Case:
    """The seller has the unit back: the 5-business-day timer to repair, replace or refund starts."""
    with transaction.atomic(durable=True):
        case, role = case_for(actor=actor, case_id=case_id, roles=(Role.SELLER,))
        now = clock.now()
        move(
            case,
            to_state=CaseState.RECEIVED,
            actor=actor,
            role=role,
            moment=now,
            received_at=now,
            resolve_due_at=resolution_due(now),
        )
        if case.kind == CaseKind.RETURN and case.line.state == LineState.RETURN_REQUESTED:
            move_line(case, to_state=LineState.RETURNED, actor=actor, role=role, reason=f"case {case.pk}: received")
        notifications.on_commit(case.pk, "received", to=(Role.BUYER,))
    return case


def resolve_case(*, actor: User, case_id: int, resolution: str, note: str) -> Case:
    """The seller repaired or replaced the unit it received and sent it back (``note``: what was done,
    tracking)."""
    if resolution not in (Resolution.REPAIRED, Resolution.REPLACED):
        raise InvalidCaseInput(_("Choose repaired or replaced."), code="invalid_resolution")
    note = clean_text(note, field="note", limit=MAX_NOTE)
    with transaction.atomic(durable=True):
        case, role = case_for(actor=actor, case_id=case_id, roles=(Role.SELLER,))
        if case.state != CaseState.RECEIVED:
            raise CaseStateConflict(_("A unit is repaired or replaced once you have received it."))
        if case.remedy not in (Remedy.REPAIR, Remedy.REPLACE):  # accepted for a refund: it ends in one
            raise CaseStateConflict(_("You accepted this case for a refund: refund the buyer."), code="refund_due")
        now = clock.now()
        move(
            case,
            to_state=CaseState.RESOLVED,
            actor=actor,
            role=role,
            reason=note,
            moment=now,
            resolution=resolution,
            resolution_note=note,
            resolved_at=now,
        )
        publish_resolved(case)
        notifications.on_commit(case.pk, "resolved", to=(Role.BUYER,))
    return case


def dispute_refusal(*, actor: User, case_id: int, reason: str) -> Case:
    """The buyer disagrees with the seller's refusal: the case goes to the operator."""
    reason = clean_text(reason, field="reason", limit=MAX_NOTE)
    with transaction.atomic(durable=True):
        case, role = case_for(actor=actor, case_id=case_id, roles=(Role.BUYER,))
        if case.state != CaseState.REFUSED:
            raise CaseStateConflict(_("Only a refused case can be disputed."))
        _escalate(case, actor=actor, role=role, why=Escalation.REFUSAL_DISPUTED, note=reason)
        CaseMessage.objects.create(case=case, author=actor, role=role, body=reason)
    return case


def _escalate(case: Case, *, actor: User | None, role: str, why: str, note: str = "") -> None:
    now = clock.now()
    move(
        case,
        to_state=CaseState.ESCALATED,
        actor=actor,
        role=role,
        reason=note or why,
        moment=now,
        escalated_at=now,
        escalation_reason=why,
    )
    publish(
        CaseEscalated(case_id=case.pk, kind=case.kind, reason=case.reason, seller_id=case.seller_id, escalation=why)
    )
    notifications.on_commit(case.pk, "escalated", to=(Role.BUYER, Role.SELLER, Role.OPERATOR))


def escalate_overdue_cases(*, now: datetime | None = None) -> int:
    """Scheduled job: hand every case past its SLA (unanswered after 1 business day, not repaired, replaced or
    refunded 5 business days after receipt, a unit sent back and not confirmed received after ``RECEIPT_DAYS``) to
    the operator. Idempotent: an escalated case is not overdue."""
    moment = now or clock.now()
    due = (
        Case.objects.filter(
            Q(state=CaseState.OPENED, answer_due_at__lt=moment)
            | Q(state=CaseState.RECEIVED, resolve_due_at__lt=moment)
            | Q(state=CaseState.SHIPPED_BACK, shipped_back_at__lt=moment - timedelta(days=RECEIPT_DAYS))
        )
        # A refund being paid will resolve the case; one claimed over an hour ago stopped half-way (the provider
        # unreachable, a crash): the operator finishes it (decide_case resumes the claimed refund).
        .exclude(refund_amount__isnull=False, updated_at__gt=moment - ABANDONED_REFUND)
        .order_by("pk")[:ESCALATION_BATCH]
    )
    escalated = 0
    for case in list(due):
        why = overdue(
            state=case.state,
            answer_due_at=case.answer_due_at,
            resolve_due_at=case.resolve_due_at,
            now=moment,
            shipped_back_at=case.shipped_back_at,
        )
        if why is None:
            continue
        try:
            with transaction.atomic(durable=True):
                _escalate(case, actor=None, role=Role.SYSTEM, why=why)
        except CaseStateConflict:  # the seller acted meanwhile (or another worker escalated it)
            continue
        escalated += 1
    return escalated


# --- The thread -----------------------------------------------------------------------------------------


def post_message(*, actor: User, case_id: int, body: str) -> CaseMessage:
    """Add a message to the case's thread (buyer, seller or operator); the other parties get an email."""
    body = clean_text(body, field="message", limit=MAX_MESSAGE)
    with transaction.atomic(durable=True):
        case, role = case_for(actor=actor, case_id=case_id, roles=(Role.BUYER, Role.SELLER, Role.OPERATOR))
        message = CaseMessage.objects.create(case=case, author=actor, role=role, body=body)
        others = tuple(r for r in (Role.BUYER, Role.SELLER) if r != role)
        notifications.on_commit(case.pk, "message", to=others)
    return message
