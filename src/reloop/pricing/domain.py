"""Buy-box scoring: which offer a buyer sees first for a variant, grade and market (docs/adr/0007-buy-box.md).

Pure functions over plain values, no database. The rules (DESIGN.md section 2, "Buy box"):

- Only *eligible* offers compete: active, in stock, priced in the market, from an active seller under its daily
  cap. A suspended or pending seller never wins.
- Effective price = price × (1 + quality penalty of the seller). The penalty is 0 for a quality score of
  ``PENALTY_FREE_SCORE`` or more and grows by ``PENALTY_PER_POINT`` for each point below, so a seller with a worse
  record must be that much cheaper to win.
- Ties go to the shorter dispatch, then the longer warranty, then the offer whose units carry passports (it
  lists units a buyer can choose, with their battery, parts, tests and erasure: ADR 0041), then the older offer,
  then the lower offer id (so the result is deterministic).
- The *price to win* of a losing offer is the highest price at which it would win, everything else unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

PENALTY_FREE_SCORE = 90
PENALTY_PER_POINT = Decimal("0.005")  # +0.5% effective price per point of quality score below 90


def quality_penalty(score: int) -> Decimal:
    """0 for a score ≥ 90; 0.005 per point below (score 70 → 0.10, score 0 → 0.45)."""
    if not 0 <= score <= 100:
        raise ValueError("quality score must be between 0 and 100")
    return max(0, PENALTY_FREE_SCORE - score) * PENALTY_PER_POINT


@dataclass(frozen=True, slots=True)
class Candidate:
    offer_id: int
    price: int  # minor units in the market's currency
    quality_score: int
    dispatch_days: int
    warranty_months: int
    created_at: datetime
    eligible: bool = True  # active, in stock, seller active and under its cap
    has_passport: bool = False  # lists at least one available unit with its passport (passports app)

    @property
    def effective_price(self) -> Decimal:
        return self.price * (1 + quality_penalty(self.quality_score))

    def sort_key(self) -> tuple[Decimal, int, int, bool, datetime, int]:
        return (
            self.effective_price,
            self.dispatch_days,
            -self.warranty_months,
            not self.has_passport,  # among otherwise equal offers, the one with unit passports first
            self.created_at,
            self.offer_id,
        )


def rank(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Eligible candidates, best first."""
    return sorted((c for c in candidates if c.eligible), key=Candidate.sort_key)


@dataclass(frozen=True, slots=True)
class BuyBox:
    winner: Candidate
    runner_up: Candidate | None
    offer_count: int  # eligible offers


def buy_box(candidates: Iterable[Candidate]) -> BuyBox | None:
    ranked = rank(candidates)
    if not ranked:
        return None
    return BuyBox(ranked[0], ranked[1] if len(ranked) > 1 else None, len(ranked))


def beats(challenger: Candidate, holder: Candidate) -> bool:
    return challenger.sort_key() < holder.sort_key()


def price_to_win(offer: Candidate, competitors: Sequence[Candidate]) -> int | None:
    """The highest price (minor units) at which ``offer`` would rank first among ``competitors``.

    Its current price when it already wins; ``None`` when it cannot win at any positive price (not eligible, or
    a competitor is so cheap that even 1 minor unit loses).
    """
    if not offer.eligible:
        return None
    rivals = [c for c in competitors if c.eligible and c.offer_id != offer.offer_id]
    if not rivals:
        return offer.price
    best = min(rivals, key=Candidate.sort_key)
    if beats(offer, best):
        return offer.price
    factor = 1 + quality_penalty(offer.quality_score)
    # largest p with p × factor ≤ best's effective price; then step down until the tie-breaks say we win
    price = int(best.effective_price / factor)
    while price > 0 and not beats(replace(offer, price=price), best):
        price -= 1
    return price if price > 0 else None


@dataclass(frozen=True, slots=True)
class Savings:
    amount: int  # minor units below the reference price
    percent: int  # whole percent of the reference price, rounded down (never overstated)


def savings(*, price: int, reference: int) -> Savings | None:
    """How much cheaper than the reference new price; ``None`` when not cheaper (we then claim nothing)."""
    if reference <= 0 or price >= reference:
        return None
    amount = reference - price
    return Savings(amount, amount * 100 // reference)
