"""Review rules as pure functions: who may review which line, what a review may say, how long a reply stays open."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from reloop.orders.domain import LineState

#: A line can be reviewed once its unit reached the buyer: delivered, or any state after delivery.
REVIEWABLE_STATES = frozenset(
    {LineState.DELIVERED, LineState.COMPLETED, LineState.RETURN_REQUESTED, LineState.RETURNED, LineState.REFUNDED}
)
MIN_RATING, MAX_RATING = 1, 5
MIN_TEXT, MAX_TEXT = 10, 2000
MAX_REPLY = 1000
MIN_HIDE_REASON, MAX_HIDE_REASON = 3, 300
#: A seller may correct its reply for this long after first posting it; then it is final, so a reply cannot be
#: rewritten after buyers have read it (docs/quality-and-reviews.md).
REPLY_EDIT_WINDOW = dt.timedelta(hours=72)


def is_reviewable(state: str) -> bool:
    return state in REVIEWABLE_STATES


def rating_problem(value: object) -> str | None:
    """``None`` for a whole number from 1 to 5, else why not."""
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_RATING <= value <= MAX_RATING:
        return f"a rating is a whole number from {MIN_RATING} to {MAX_RATING}"
    return None


def clean_text(text: str, *, minimum: int, maximum: int) -> str | None:
    """The stripped text when its length is within bounds, else ``None``."""
    stripped = text.strip()
    return stripped if minimum <= len(stripped) <= maximum else None


def author_name(first_name: str, last_name: str) -> str:
    """What a review shows of its author: first name and last initial (“Ada L.”); empty when the buyer gave no
    name (pages then say “Verified buyer” in the reader's language)."""
    first, last = first_name.strip(), last_name.strip()
    if not first:
        return ""
    return f"{first[:40]} {last[0]}." if last else first[:40]


def reply_editable(*, replied_at: dt.datetime | None, now: dt.datetime) -> bool:
    """A first reply is always allowed; an existing one may be changed within ``REPLY_EDIT_WINDOW``."""
    return replied_at is None or now < replied_at + REPLY_EDIT_WINDOW


def average_rating(rating_sum: int, count: int) -> Decimal | None:
    """The mean rating to one decimal, rounded half up; ``None`` without ratings."""
    if count <= 0:
        return None
    return (Decimal(rating_sum) / Decimal(count)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
