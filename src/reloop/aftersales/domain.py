"""After-sales rules as pure functions (DESIGN.md section 2, "After-sales"; docs/adr/0015-returns-and-warranty.md).

- **Return window**: 30 days from delivery; a purchase paid from 24 November to 31 December may be returned until
  31 January of the next year, whichever is later. A deadline falling on a Saturday or Sunday moves to the next
  Monday. Deadlines end at the end of their day (UTC).
- **Warranty window**: the line's warranty months from delivery (calendar months, the day clamped to the month's
  end: 31 January + 1 month = 28/29 February), to the end of that day.
- **SLA timers**: the seller answers within 1 business day of the opening; repairs, replaces or refunds within 5
  business days of receiving the unit. A step past its deadline is escalated to the operator.
- **Case states**: opened → awaiting_return (accepted, or repair/replacement offered, with return instructions) |
  refused → shipped_back (buyer's tracking) → received → resolved (refunded, repaired or replaced). Any open step
  may be escalated (overdue, or the buyer disputes a refusal); the operator then refunds at the seller's expense
  (resolved) or closes the case (closed).
- **Photos**: at most 5 per case, each at most 5 MB, JPEG, PNG or WebP told by their first bytes.

No Django ORM, no database: the services apply these rules.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _

from reloop.core.clock import add_business_days

RETURN_DAYS = 30
#: Purchases paid from this day (month, day) to 31 December may be returned until 31 January of the next year.
HOLIDAY_SEASON_START = (11, 24)
HOLIDAY_RETURN_UNTIL = (1, 31)
ANSWER_BUSINESS_DAYS = 1
RESOLVE_BUSINESS_DAYS = 5
#: A unit the buyer sent back and the seller has not confirmed receiving after this long goes to the operator:
#: a parcel takes days, not weeks, and the buyer must not wait for a refund with no one watching.
RECEIPT_DAYS = 14

MAX_PHOTOS = 5
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_DESCRIPTION = 2000
MAX_MESSAGE = 2000
MAX_NOTE = 1000


class CaseKind(models.TextChoices):
    RETURN = "return", _("Return")
    WARRANTY = "warranty", _("Warranty claim")


class Reason(models.TextChoices):
    CHANGE_OF_MIND = "change_of_mind", _("I changed my mind")
    NOT_AS_DESCRIBED = "not_as_described", _("Not as described (grade, battery, parts)")
    DEFECTIVE = "defective", _("It does not work properly")
    DAMAGED_IN_TRANSIT = "damaged_in_transit", _("Damaged in transit")
    WRONG_ITEM = "wrong_item", _("Wrong item received")
    MISSING_PART = "missing_part", _("Something is missing (charger, cable…)")
    BATTERY_BELOW_FLOOR = "battery_below_floor", _("Battery below the guaranteed floor")
    OTHER = "other", _("Something else")


#: Reasons a warranty claim may give: a warranty covers defects, not a change of mind. The battery floor is a
#: warranty claim only: it comes with the reading the buyer's device shows (``battery_claim_refusal``).
WARRANTY_REASONS = frozenset(
    {Reason.DEFECTIVE, Reason.NOT_AS_DESCRIBED, Reason.BATTERY_BELOW_FLOOR, Reason.MISSING_PART, Reason.OTHER}
)
#: Reasons that count as a defect for seller quality (DESIGN.md: warranty claims + not-as-described returns).
DEFECT_REASONS = frozenset(
    {Reason.NOT_AS_DESCRIBED, Reason.DEFECTIVE, Reason.WRONG_ITEM, Reason.MISSING_PART, Reason.DAMAGED_IN_TRANSIT}
)


class CaseState(models.TextChoices):
    OPENED = "opened", _("Waiting for the seller's answer")
    AWAITING_RETURN = "awaiting_return", _("Waiting for the buyer to send it back")
    REFUSED = "refused", _("Refused by the seller")
    SHIPPED_BACK = "shipped_back", _("On its way back to the seller")
    RECEIVED = "received", _("Received by the seller")
    ESCALATED = "escalated", _("With Reloop's customer care")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


class Remedy(models.TextChoices):
    REFUND = "refund", _("Refund")
    REPAIR = "repair", _("Repair")
    REPLACE = "replace", _("Replacement")


class Resolution(models.TextChoices):
    REFUNDED = "refunded", _("Refunded")
    REPAIRED = "repaired", _("Repaired")
    REPLACED = "replaced", _("Replaced")
    CLOSED = "closed", _("Closed without a remedy")


class Escalation(models.TextChoices):
    ANSWER_OVERDUE = "answer_overdue", _("The seller did not answer in time")
    RESOLUTION_OVERDUE = "resolution_overdue", _("The seller did not repair, replace or refund in time")
    REFUSAL_DISPUTED = "refusal_disputed", _("The buyer disputes the refusal")
    RECEIPT_OVERDUE = "receipt_overdue", _("The seller did not confirm receiving the returned unit")


#: States in which a case is still being handled: a line has at most one such case.
OPEN_STATES = frozenset(
    {CaseState.OPENED, CaseState.AWAITING_RETURN, CaseState.SHIPPED_BACK, CaseState.RECEIVED, CaseState.ESCALATED}
)
FINAL_STATES = frozenset({CaseState.RESOLVED, CaseState.CLOSED})

TRANSITIONS: dict[str, frozenset[str]] = {
    CaseState.OPENED: frozenset(
        {CaseState.AWAITING_RETURN, CaseState.REFUSED, CaseState.RESOLVED, CaseState.ESCALATED}
    ),
    CaseState.AWAITING_RETURN: frozenset({CaseState.SHIPPED_BACK, CaseState.RESOLVED, CaseState.ESCALATED}),
    CaseState.REFUSED: frozenset({CaseState.ESCALATED}),
    CaseState.SHIPPED_BACK: frozenset({CaseState.RECEIVED, CaseState.RESOLVED, CaseState.ESCALATED}),
    CaseState.RECEIVED: frozenset({CaseState.RESOLVED, CaseState.ESCALATED}),
    CaseState.ESCALATED: frozenset({CaseState.RESOLVED, CaseState.CLOSED}),
    CaseState.RESOLVED: frozenset(),
    CaseState.CLOSED: frozenset(),
}

#: Where the seller may refund on their own (before escalation): at once, or once the unit is on its way or back.
SELLER_REFUND_STATES = frozenset(
    {CaseState.OPENED, CaseState.AWAITING_RETURN, CaseState.SHIPPED_BACK, CaseState.RECEIVED}
)


def allowed(from_state: str, to_state: str) -> bool:
    return to_state in TRANSITIONS.get(from_state, frozenset())


def check_transition(from_state: str, to_state: str) -> str | None:
    """``None`` when the case may move, else why not (for the error message)."""
    if from_state not in TRANSITIONS or to_state not in TRANSITIONS:
        return f"unknown case state {from_state!r} or {to_state!r}"
    if not allowed(from_state, to_state):
        nexts = ", ".join(sorted(TRANSITIONS[from_state])) or "none (final state)"
        return f"a case {from_state} cannot become {to_state}; allowed: {nexts}"
    return None


# --- Windows --------------------------------------------------------------------------------------------


def _end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.max, tzinfo=dt.UTC)


def _next_weekday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _utc_date(moment: dt.datetime) -> dt.date:
    if moment.tzinfo is None:
        raise ValueError("after-sales deadlines take aware datetimes")
    return moment.astimezone(dt.UTC).date()


def in_holiday_season(paid_at: dt.datetime) -> bool:
    """Paid from 24 November to 31 December (UTC)."""
    day = _utc_date(paid_at)
    return (day.month, day.day) >= HOLIDAY_SEASON_START


def return_deadline(*, delivered_at: dt.datetime, paid_at: dt.datetime | None) -> dt.datetime:
    """The last moment a change-of-mind return may be opened (see the module docstring)."""
    last_day = _utc_date(delivered_at) + dt.timedelta(days=RETURN_DAYS)
    if paid_at is not None and in_holiday_season(paid_at):
        season_end = dt.date(_utc_date(paid_at).year + 1, *HOLIDAY_RETURN_UNTIL)
        last_day = max(last_day, season_end)
    return _end_of_day(_next_weekday(last_day))


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus calendar ``months``, the day clamped to the target month's length."""
    if months < 0:
        raise ValueError("add_months takes a non-negative number of months")
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def warranty_deadline(*, delivered_at: dt.datetime, warranty_months: int) -> dt.datetime:
    """The last moment a warranty claim may be opened: the end of the day ``warranty_months`` after delivery."""
    return _end_of_day(add_months(_utc_date(delivered_at), warranty_months))


#: Line states (orders.domain.LineState values) in which each kind of case may be opened.
RETURNABLE_LINE_STATES = frozenset({"delivered"})
CLAIMABLE_LINE_STATES = frozenset({"delivered", "completed"})


def allowed_kinds(
    *,
    line_state: str,
    delivered_at: dt.datetime | None,
    paid_at: dt.datetime | None,
    warranty_months: int,
    now: dt.datetime,
    has_open_case: bool,
) -> frozenset[str]:
    """The kinds of case the buyer may open on a line right now (empty when none)."""
    if delivered_at is None or has_open_case:
        return frozenset()
    kinds = set()
    if line_state in RETURNABLE_LINE_STATES and now <= return_deadline(delivered_at=delivered_at, paid_at=paid_at):
        kinds.add(CaseKind.RETURN)
    if line_state in CLAIMABLE_LINE_STATES and now <= warranty_deadline(
        delivered_at=delivered_at, warranty_months=warranty_months
    ):
        kinds.add(CaseKind.WARRANTY)
    return frozenset(kinds)


def reasons_for(kind: str) -> list[str]:
    """The reasons a buyer may give for ``kind``, in display order."""
    if kind == CaseKind.WARRANTY:
        return [reason for reason in Reason.values if reason in WARRANTY_REASONS]
    return [reason for reason in Reason.values if reason != Reason.BATTERY_BELOW_FLOOR]


# --- Battery floor (issue 16, item 4; docs/adr/0036-battery-floor-warranty.md) ---------------------------

#: The state of health each battery tier guarantees for the whole warranty. The standard tier's floor is the
#: category's minimum (``Category.battery_min_health``: 80% for phones, 85% for other devices). A new battery
#: guarantees 90%, like the high tier: a new cell loses a few percent in its first year of ordinary use, and a
#: promise that normal wear breaks would be one the seller cannot keep.
HIGH_TIER_FLOOR = 90
NEW_TIER_FLOOR = 90


def battery_floor(*, battery_tier: str, category_minimum: int | None) -> int | None:
    """The guaranteed minimum state of health (percent) of a line sold with ``battery_tier``; ``None`` for a
    category without a battery (``category_minimum`` unset: games, keyboards…), which guarantees none."""
    if category_minimum is None:
        return None
    if battery_tier == "high":
        return max(HIGH_TIER_FLOOR, category_minimum)
    if battery_tier == "new":
        return max(NEW_TIER_FLOOR, category_minimum)
    return category_minimum


def battery_claim_refusal(*, reading: int | None, floor: int) -> str | None:
    """``None`` when a battery-floor claim with the buyer's ``reading`` (percent of the original capacity, as
    the device shows it) may open, else the error code: no reading, a reading that is not a percentage, or a
    battery at or above the floor (the guarantee holds)."""
    if reading is None:
        return "battery_reading_required"
    if not 0 <= reading <= 100:
        return "battery_reading_invalid"
    if reading >= floor:
        return "battery_above_floor"
    return None


# --- SLA timers -----------------------------------------------------------------------------------------


def answer_due(opened_at: dt.datetime) -> dt.datetime:
    return add_business_days(opened_at, ANSWER_BUSINESS_DAYS)


def resolution_due(received_at: dt.datetime) -> dt.datetime:
    return add_business_days(received_at, RESOLVE_BUSINESS_DAYS)


def overdue(
    *,
    state: str,
    answer_due_at: dt.datetime | None,
    resolve_due_at: dt.datetime | None,
    now: dt.datetime,
    shipped_back_at: dt.datetime | None = None,
) -> str | None:
    """Why a case must be escalated now (an ``Escalation`` value), or ``None``."""
    if state == CaseState.OPENED and answer_due_at is not None and now > answer_due_at:
        return Escalation.ANSWER_OVERDUE
    if state == CaseState.RECEIVED and resolve_due_at is not None and now > resolve_due_at:
        return Escalation.RESOLUTION_OVERDUE
    if (
        state == CaseState.SHIPPED_BACK
        and shipped_back_at is not None
        and now > shipped_back_at + dt.timedelta(days=RECEIPT_DAYS)
    ):
        return Escalation.RECEIPT_OVERDUE
    return None


# --- Refunds --------------------------------------------------------------------------------------------


def refundable_left(*, line_total: int, refunded: Iterable[int]) -> int:
    """What may still be refunded on a line (minor units): its total less every refund already claimed."""
    return max(0, line_total - sum(refunded))


# --- Photos ---------------------------------------------------------------------------------------------

PHOTO_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


def sniff_image_type(head: bytes) -> str | None:
    """The image type that ``head`` (a file's first 12 bytes or more) starts with, or ``None``.

    Read from the bytes, never the file name or the browser's declared type: a PDF renamed ``photo.jpg`` is a
    PDF.
    """
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None
