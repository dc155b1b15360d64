"""Trade-in rules, pure (no ORM): the questionnaire's condition, the quote's buy box, the trade-in's states and
deadlines, the fee (docs/trade-in.md, docs/adr/0027-trade-in.md).

- **Conditions**: six, four for a device that works (flawless, good, worn, cracked) and two for one that does not
  (broken, broken and cracked), after Back Market's buyback grades (market-research §1.4). Each is defined on a
  public page (``CONDITION_DEFINITIONS``).
- **Quote buy box**: the highest *effective* bid wins, effective = price ÷ (1 + the refurbisher's quality penalty
  of ``pricing.domain.quality_penalty``): a refurbisher with a worse record must bid that much more to win, as it
  must sell that much cheaper in the offers' buy box. Ties go to the better quality score, then the older bid,
  then the lower id. Ineligible bids (seller suspended, pending or over its daily cap, bid switched off) never win.
- **States**: ``awaiting_shipment → shipped → received → counter_offered | validated | blocked``,
  ``counter_offered → validated | returning``, ``validated → paid``, ``returning → returned``,
  ``blocked → received | rejected``, ``awaiting_shipment → expired | cancelled``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from math import ceil

from django.db import models
from django.utils.translation import gettext_lazy as _

from reloop.core.clock import add_business_days
from reloop.pricing.domain import quality_penalty

QUOTE_VALID_DAYS = 7
SHIP_WITHIN_DAYS = 21
INSPECT_BUSINESS_DAYS = 2
#: A counter-offer the customer leaves unanswered this long goes to the operator.
COUNTER_ANSWER_DAYS = 7
#: Lowest battery health (percent) for a phone to be "good" or better (DESIGN §2 "battery").
MIN_BATTERY_HEALTH = 80
MAX_COUNTER_REASON = 1000


class Condition(models.TextChoices):
    FLAWLESS = "flawless", _("Flawless")
    GOOD = "good", _("Good")
    WORN = "worn", _("Worn")
    CRACKED = "cracked", _("Cracked screen")
    BROKEN = "broken", _("Not working")
    BROKEN_CRACKED = "broken_cracked", _("Not working, cracked")


WORKING = (Condition.FLAWLESS, Condition.GOOD, Condition.WORN, Condition.CRACKED)
NOT_WORKING = (Condition.BROKEN, Condition.BROKEN_CRACKED)

CONDITION_DEFINITIONS: dict[str, object] = {
    Condition.FLAWLESS: _(
        "Switches on and everything works. No scratch on the screen or the body, even up close. Battery at 80% of "
        "its capacity or more. Accounts removed, no carrier lock."
    ),
    Condition.GOOD: _(
        "Switches on and everything works. Light marks on the body invisible at arm's length; no scratch on the "
        "screen. Battery at 80% or more. Accounts removed, no carrier lock."
    ),
    Condition.WORN: _(
        "Switches on and everything works. Visible scratches or dents, light scratches on the screen, or a battery "
        "below 80%. The screen is not cracked. Accounts removed, no carrier lock."
    ),
    Condition.CRACKED: _(
        "Switches on and everything works, but the screen or the back glass is cracked or chipped. Accounts "
        "removed, no carrier lock."
    ),
    Condition.BROKEN: _(
        "Does not switch on, or a function does not work (camera, buttons, Face ID, charging…). No crack on the "
        "screen or back glass."
    ),
    Condition.BROKEN_CRACKED: _("Does not switch on or a function does not work, and the screen or glass is cracked."),
}


class Screen(models.TextChoices):
    FLAWLESS = "flawless", _("Perfect, no scratch")
    SCRATCHED = "scratched", _("Light scratches")
    CRACKED = "cracked", _("Cracked or chipped")


class Body(models.TextChoices):
    FLAWLESS = "flawless", _("Like new")
    LIGHT = "light", _("Light marks, invisible at arm's length")
    HEAVY = "heavy", _("Visible scratches or dents")


@dataclass(frozen=True, slots=True)
class Answers:
    """What the customer says about the device."""

    powers_on: bool
    all_functions_work: bool
    screen: str  # Screen
    body: str  # Body
    battery_health: int | None  # percent, when the phone shows it
    accounts_removed: bool  # iCloud / Google / Samsung account signed out, Find My off
    carrier_unlocked: bool


class NotAcceptable(ValueError):
    """The device cannot be traded in as described (locks still on); ``code`` for the form."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def condition_for(answers: Answers) -> Condition:
    """The one condition the answers describe, or ``NotAcceptable`` when a lock is still on (a locked device cannot
    be inspected or resold: the customer must remove it first)."""
    if answers.screen not in Screen.values or answers.body not in Body.values:
        raise NotAcceptable("invalid_answer", "Unknown answer")
    if answers.battery_health is not None and not 1 <= answers.battery_health <= 100:
        raise NotAcceptable("invalid_battery", "Battery health is a percentage from 1 to 100")
    if not answers.accounts_removed:
        raise NotAcceptable(
            "account_lock", str(_("Sign out of iCloud, Google or Samsung and turn off Find My before trading in."))
        )
    if not answers.carrier_unlocked:
        raise NotAcceptable("carrier_lock", str(_("Ask your network to unlock the device before trading in.")))
    cracked = answers.screen == Screen.CRACKED
    if not (answers.powers_on and answers.all_functions_work):
        return Condition.BROKEN_CRACKED if cracked else Condition.BROKEN
    if cracked:
        return Condition.CRACKED
    weak_battery = answers.battery_health is not None and answers.battery_health < MIN_BATTERY_HEALTH
    if answers.body == Body.HEAVY or answers.screen == Screen.SCRATCHED or weak_battery:
        return Condition.WORN
    if answers.body == Body.LIGHT:
        return Condition.GOOD
    return Condition.FLAWLESS


# --- The quote's buy box --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BidCandidate:
    bid_id: int
    price: int  # minor units the refurbisher pays the customer
    quality_score: int
    created_at: dt.datetime
    eligible: bool = True  # bid active, seller active and under its daily cap

    @property
    def effective_price(self) -> Fraction:
        """Exact: price ÷ (1 + quality penalty)."""
        return Fraction(self.price) / (1 + Fraction(quality_penalty(self.quality_score)))

    def sort_key(self) -> tuple[Fraction, int, dt.datetime, int]:
        return (-self.effective_price, -self.quality_score, self.created_at, self.bid_id)


def rank_bids(candidates: Iterable[BidCandidate]) -> list[BidCandidate]:
    """Eligible bids with a positive price, best (for the customer) first."""
    return sorted((c for c in candidates if c.eligible and c.price > 0), key=BidCandidate.sort_key)


def winning_bid(candidates: Iterable[BidCandidate]) -> BidCandidate | None:
    ranked = rank_bids(candidates)
    return ranked[0] if ranked else None


def bid_beats(challenger: BidCandidate, holder: BidCandidate) -> bool:
    return challenger.sort_key() < holder.sort_key()


def bid_rank(bid: BidCandidate, competitors: Sequence[BidCandidate]) -> int | None:
    """1 for the winner; ``None`` when the bid cannot take part."""
    ranked = rank_bids([*(c for c in competitors if c.bid_id != bid.bid_id), bid])
    for position, candidate in enumerate(ranked, start=1):
        if candidate.bid_id == bid.bid_id:
            return position
    return None


def price_to_win_bid(bid: BidCandidate, competitors: Sequence[BidCandidate]) -> int | None:
    """The lowest price (minor units) at which ``bid`` would rank first: its own price when it already wins,
    ``None`` when it cannot take part."""
    if not bid.eligible:
        return None
    rivals = [c for c in competitors if c.eligible and c.price > 0 and c.bid_id != bid.bid_id]
    if not rivals:
        return max(bid.price, 1)
    best = min(rivals, key=BidCandidate.sort_key)
    if bid.price > 0 and bid_beats(bid, best):
        return bid.price
    factor = 1 + Fraction(quality_penalty(bid.quality_score))
    price = max(1, ceil(best.effective_price * factor))
    while not bid_beats(replace(bid, price=price), best):
        price += 1
    return price


# --- States -------------------------------------------------------------------------------------------------


class State(models.TextChoices):
    AWAITING_SHIPMENT = "awaiting_shipment", _("Waiting for you to ship")
    SHIPPED = "shipped", _("On its way to the refurbisher")
    RECEIVED = "received", _("Received, being inspected")
    BLOCKED = "blocked", _("On hold: a device check failed")
    COUNTER_OFFERED = "counter_offered", _("Counter-offer waiting for your answer")
    VALIDATED = "validated", _("Accepted, payment on its way")
    PAID = "paid", _("Paid")
    RETURNING = "returning", _("Being sent back to you")
    RETURNED = "returned", _("Sent back to you")
    EXPIRED = "expired", _("Expired (not shipped in time)")
    CANCELLED = "cancelled", _("Cancelled")
    REJECTED = "rejected", _("Refused (device check failed)")


TRANSITIONS: dict[str, frozenset[str]] = {
    # a parcel may reach the refurbisher before the customer says it left: receipt is accepted then too
    State.AWAITING_SHIPMENT: frozenset({State.SHIPPED, State.EXPIRED, State.CANCELLED, State.RECEIVED, State.BLOCKED}),
    State.SHIPPED: frozenset({State.RECEIVED, State.BLOCKED}),
    State.RECEIVED: frozenset({State.VALIDATED, State.COUNTER_OFFERED, State.BLOCKED}),
    State.BLOCKED: frozenset({State.RECEIVED, State.REJECTED}),
    State.COUNTER_OFFERED: frozenset({State.VALIDATED, State.RETURNING}),
    State.VALIDATED: frozenset({State.PAID}),
    State.RETURNING: frozenset({State.RETURNED}),
}
FINAL_STATES = frozenset({State.PAID, State.RETURNED, State.EXPIRED, State.CANCELLED, State.REJECTED})
OPEN_STATES = frozenset(State.values) - FINAL_STATES


def allowed(from_state: str, to_state: str) -> bool:
    return to_state in TRANSITIONS.get(from_state, frozenset())


class Escalation(models.TextChoices):
    LATE_INSPECTION = "late_inspection", _("Not inspected within 2 business days")
    UNANSWERED_COUNTER = "unanswered_counter", _("Counter-offer unanswered")
    CHECK_FAILED = "check_failed", _("A device check failed")
    PAYOUT_FAILED = "payout_failed", _("The bank transfer failed")


class PayoutMethod(models.TextChoices):
    BANK = "bank", _("Bank transfer")
    CREDIT = "credit", _("Reloop credit")


def quote_expires(created_at: dt.datetime, days: int = QUOTE_VALID_DAYS) -> dt.datetime:
    return created_at + dt.timedelta(days=days)


def ship_by(accepted_at: dt.datetime, days: int = SHIP_WITHIN_DAYS) -> dt.datetime:
    return accepted_at + dt.timedelta(days=days)


def inspect_due(received_at: dt.datetime) -> dt.datetime:
    return add_business_days(received_at, INSPECT_BUSINESS_DAYS)


def counter_answer_due(countered_at: dt.datetime) -> dt.datetime:
    return countered_at + dt.timedelta(days=COUNTER_ANSWER_DAYS)


def tradein_fee(amount: int, rate: Decimal) -> int:
    """``rate`` percent of ``amount`` (minor units), half-up: what the refurbisher pays the platform on top."""
    if amount < 0 or not 0 <= rate <= 100:
        raise ValueError("fee on a non-negative amount at a rate from 0 to 100")
    return int((Decimal(amount) * rate / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def mask_iban(iban: str) -> str:
    """``FR76 3000 6000 0112 3456 7890 189`` → ``FR•• •••• 0189``: enough to recognise, not to reuse."""
    compact = "".join(iban.split()).upper()
    return f"{compact[:2]}•• •••• {compact[-4:]}" if len(compact) > 8 else "••••"


def lookup_number(number: str) -> str:
    """The trade-in number to look up: PostgreSQL text cannot hold a NUL character, so a number typed with one
    (``/trade-ins/TI-1%00/``) matches no trade-in instead of failing the query."""
    return "" if "\x00" in number else number
