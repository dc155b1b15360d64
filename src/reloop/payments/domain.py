"""Pure ledger rules: account codes, what a balanced transaction is, commission, and the postings of each movement.

Sign convention (docs/adr/0009-ledger.md): a posting's amount is signed, **debit positive, credit negative**, in
the currency's minor units. Every transaction sums to zero per currency, so the whole ledger does too. An asset
account (the PSP owes us) has a positive balance; a liability (money we hold for buyers or owe sellers) and the
commission revenue have negative ones.

No Django, no database: the services turn these postings into rows.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from reloop.core.errors import InvalidInput
from reloop.core.money import Money
from reloop.payments.errors import InvalidShare, InvalidTransaction, UnbalancedTransaction, UnknownAccount

#: One leg of a transaction: an account code and a signed amount (debit positive, credit negative).
PostingSpec = tuple[str, Money]

# Account kinds (the models' choices use the same values).
ASSET = "asset"
LIABILITY = "liability"
REVENUE = "revenue"

PSP_RECEIVABLE = "psp:receivable"
"""Asset: captured buyer money the payment provider holds for us until it settles."""
PLATFORM_CLEARING = "platform:clearing"
"""Liability: buyer money received and not yet split between sellers and commission."""
PLATFORM_COMMISSION = "platform:commission"
"""Revenue: the platform's commission on sales (returned with refunds)."""
PSP_PAYOUTS = "psp:payouts"
"""Asset (contra): money sent out of the PSP to sellers' banks by payouts (≤ 0). What the PSP really holds for us is
``psp:receivable`` + ``psp:payouts`` (docs/adr/0017-payouts.md)."""

PLATFORM_TRADEIN_FEES = "platform:tradein_fees"
"""Revenue: the platform's fee on trade-ins, charged to the refurbisher (docs/adr/0027-trade-in.md)."""

PLATFORM_SALES_TAX = "platform:sales_tax_payable"
"""Liability: US sales tax collected from buyers, owed to the states (≤ 0). The platform is the marketplace
facilitator: it collects and remits, so the tax never reaches a seller's account (docs/adr/0022-sales-tax.md)."""

_FIXED_ACCOUNTS: dict[str, tuple[str, str]] = {
    PSP_RECEIVABLE: (ASSET, "PSP receivable"),
    PSP_PAYOUTS: (ASSET, "PSP payouts sent"),
    PLATFORM_CLEARING: (LIABILITY, "Platform clearing"),
    PLATFORM_COMMISSION: (REVENUE, "Platform commission"),
    PLATFORM_TRADEIN_FEES: (REVENUE, "Platform trade-in fees"),
    PLATFORM_SALES_TAX: (LIABILITY, "Sales tax payable (marketplace facilitator)"),
}
_SELLER_ACCOUNT = re.compile(r"seller:([1-9][0-9]{0,17}):(payable|available)")
_SELLER_ACCOUNT_NAMES = {"payable": "payable (on hold)", "available": "available for payout"}
#: What the platform owes one customer for trade-ins (docs/adr/0027-trade-in.md): ``credit`` is Reloop credit,
#: spendable at checkout; ``payable`` waits for a bank transfer. Liabilities (≤ 0).
_CUSTOMER_ACCOUNT = re.compile(r"customer:([1-9][0-9]{0,17}):(credit|payable)")
_CUSTOMER_ACCOUNT_NAMES = {"credit": "Reloop credit", "payable": "trade-in payable by bank transfer"}

MAX_IDEMPOTENCY_KEY_LENGTH = 200
MAX_REFERENCE_LENGTH = 200
#: No single posting moves more than this many minor units (10 trillion euros): a larger one is a bug, and the
#: limit keeps every sum far inside a 64-bit integer.
MAX_POSTING_AMOUNT = 10**15


@dataclass(frozen=True, slots=True)
class AccountSpec:
    """What an account code means: its kind, a name for people, and the seller it belongs to (if any)."""

    code: str
    kind: str
    name: str
    seller_id: int | None = None


def _check_seller_id(seller_id: int) -> None:
    if isinstance(seller_id, bool) or not isinstance(seller_id, int) or seller_id < 1:
        raise InvalidShare(f"A seller id is a positive integer, not {seller_id!r}.")


def seller_payable(seller_id: int) -> str:
    """The code of what the platform owes one seller and still holds (``seller:<id>:payable``): sales are credited
    here and stay until each line's hold after delivery ends."""
    _check_seller_id(seller_id)
    return f"seller:{seller_id}:payable"


def seller_available(seller_id: int) -> str:
    """The code of what the platform owes one seller and will pay at the next payout run
    (``seller:<id>:available``); > 0 when a refund after a payout left the seller owing us."""
    _check_seller_id(seller_id)
    return f"seller:{seller_id}:available"


def customer_credit(user_id: int) -> str:
    """The code of one customer's Reloop credit (``customer:<id>:credit``), earned by trade-ins."""
    _check_seller_id(user_id)
    return f"customer:{user_id}:credit"


def customer_payable(user_id: int) -> str:
    """The code of trade-in money owed to one customer and waiting for its bank transfer."""
    _check_seller_id(user_id)
    return f"customer:{user_id}:payable"


def account_spec(code: str) -> AccountSpec:
    """Parse an account code, or raise ``UnknownAccount``: the ledger only knows the accounts listed here."""
    fixed = _FIXED_ACCOUNTS.get(code)
    if fixed is not None:
        return AccountSpec(code=code, kind=fixed[0], name=fixed[1])
    customer = _CUSTOMER_ACCOUNT.fullmatch(code) if isinstance(code, str) else None
    if customer is not None:
        name = f"Customer {customer.group(1)} {_CUSTOMER_ACCOUNT_NAMES[customer.group(2)]}"
        return AccountSpec(code=code, kind=LIABILITY, name=name)
    match = _SELLER_ACCOUNT.fullmatch(code) if isinstance(code, str) else None
    if match is None:
        raise UnknownAccount(
            f"Unknown ledger account {code!r}: use {', '.join(_FIXED_ACCOUNTS)}, seller:<seller id>:payable, "
            "seller:<seller id>:available, customer:<user id>:credit or customer:<user id>:payable."
        )
    seller_id = int(match.group(1))
    name = f"Seller {seller_id} {_SELLER_ACCOUNT_NAMES[match.group(2)]}"
    return AccountSpec(code=code, kind=LIABILITY, name=name, seller_id=seller_id)


def check_postings(postings: Sequence[PostingSpec]) -> None:
    """Raise unless ``postings`` form a valid transaction: two legs or more, known accounts, no zero or absurd
    amount, and a zero sum in every currency."""
    if len(postings) < 2:
        raise InvalidTransaction(
            f"A ledger transaction needs at least two postings, not {len(postings)}.", code="too_few_postings"
        )
    totals: dict[str, int] = defaultdict(int)
    for code, money in postings:
        account_spec(code)
        if not isinstance(money, Money):
            raise TypeError(f"A posting amount is Money, not {type(money).__name__}.")
        if money.amount == 0:
            raise InvalidTransaction(f"The posting to {code} is zero: leave it out.", code="zero_posting")
        if abs(money.amount) > MAX_POSTING_AMOUNT:
            raise InvalidTransaction(f"The posting of {money} to {code} is out of range.", code="amount_out_of_range")
        totals[money.currency] += money.amount
    unbalanced = {currency: total for currency, total in totals.items() if total != 0}
    if unbalanced:
        described = ", ".join(f"{Money(total, currency)}" for currency, total in sorted(unbalanced.items()))
        raise UnbalancedTransaction(f"Debits and credits differ by {described}: each currency must sum to zero.")


def normalized(postings: Sequence[PostingSpec]) -> list[tuple[str, str, int]]:
    """Postings in a canonical order, to tell whether two requests asked for the same transaction."""
    return sorted((code, money.currency, money.amount) for code, money in postings)


# --- Commission -----------------------------------------------------------------------------------------


def check_rate(rate: Decimal | int) -> Decimal:
    if isinstance(rate, bool) or not isinstance(rate, Decimal | int):
        raise TypeError(f"A commission rate is a Decimal percentage, not {type(rate).__name__}.")
    value = Decimal(rate)
    if not value.is_finite() or not 0 <= value <= 100:
        raise InvalidInput(f"A commission rate is a percentage from 0 to 100, not {rate}.", code="invalid_rate")
    return value


def commission(amount: Money, rate: Decimal | int) -> Money:
    """``rate`` percent of ``amount``, rounded half-up to the minor unit: 10% of 19.95 EUR is 2.00 EUR."""
    rate = check_rate(rate)
    if amount.amount < 0:
        raise InvalidInput(f"Commission is charged on a positive amount, not {amount}.", code="negative_amount")
    return amount.percentage(rate)


def _half_up_ratio(numerator: int, denominator: int) -> int:
    quotient, remainder = divmod(numerator, denominator)
    return quotient + 1 if 2 * remainder >= denominator else quotient


def commission_to_return(
    *, gross: Money, commission: Money, refunded_gross: Money, refunded_commission: Money, refund: Money
) -> Money:
    """The commission to give back when ``refund`` more of a seller's ``gross`` sale is refunded.

    Proportional to the gross refunded so far, rounded half-up on the running total (not on each part), so
    partial refunds never return more than was charged and the last one returns exactly what is left: refunding
    15.00 charged 1.50 in three parts of 5.00 returns 0.50 each time.
    """
    for name, value in (("refunded gross", refunded_gross), ("refunded commission", refunded_commission)):
        if value.currency != gross.currency or value.amount < 0:
            raise InvalidShare(f"The {name} must be a non-negative amount in {gross.currency}, not {value}.")
    _check_part(gross=gross, commission=commission)
    if refund.currency != gross.currency or refund.amount <= 0:
        raise InvalidShare(f"A refund is a positive amount in {gross.currency}, not {refund}.")
    refunded_after = refunded_gross.amount + refund.amount
    if refunded_after > gross.amount:
        raise InvalidShare(
            f"Refunding {refund} would return more than the {gross} sold ({refunded_gross} already refunded)."
        )
    due = _half_up_ratio(commission.amount * refunded_after, gross.amount)
    left = commission.amount - refunded_commission.amount
    return Money(max(0, min(due - refunded_commission.amount, left)), gross.currency)


# --- The postings of each money movement ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SellerShare:
    """One seller's part of a payment: the ``gross`` sold (incl. VAT and shipping) and the platform's
    ``commission`` on it. The seller is owed ``gross - commission``."""

    seller_id: int
    gross: Money
    commission: Money

    @classmethod
    def at_rate(cls, seller_id: int, gross: Money, rate: Decimal | int) -> SellerShare:
        return cls(seller_id=seller_id, gross=gross, commission=commission(gross, rate))

    @property
    def net(self) -> Money:
        return self.gross - self.commission


def _check_part(*, gross: Money, commission: Money) -> None:
    if gross.amount <= 0:
        raise InvalidShare(f"A gross amount is positive, not {gross}.")
    if commission.currency != gross.currency:
        raise InvalidShare(f"Commission {commission} is not in the currency of {gross}.")
    if not 0 <= commission.amount <= gross.amount:
        raise InvalidShare(f"Commission {commission} must be between zero and the gross {gross}.")


def capture_postings(amount: Money) -> list[PostingSpec]:
    """A captured payment: the PSP owes us the money (debit), which we hold for the buyer (credit clearing)."""
    if amount.amount <= 0:
        raise InvalidTransaction(f"A captured amount is positive, not {amount}.", code="invalid_amount")
    return [(PSP_RECEIVABLE, amount), (PLATFORM_CLEARING, -amount)]


def sales_tax_postings(amount: Money) -> list[PostingSpec]:
    """Sales tax collected with a payment: out of clearing (debit) into what is owed to the states (credit)."""
    if amount.amount <= 0:
        raise InvalidTransaction(f"Collected sales tax is positive, not {amount}.", code="invalid_amount")
    return [(PLATFORM_CLEARING, amount), (PLATFORM_SALES_TAX, -amount)]


def sales_tax_refund_postings(amount: Money) -> list[PostingSpec]:
    """Sales tax given back with a refund: no longer owed to the states (debit), paid back by the PSP (credit)."""
    if amount.amount <= 0:
        raise InvalidTransaction(f"Refunded sales tax is positive, not {amount}.", code="invalid_amount")
    return [(PLATFORM_SALES_TAX, amount), (PSP_RECEIVABLE, -amount)]


def split_postings(shares: Sequence[SellerShare]) -> list[PostingSpec]:
    """Clearing (debit the total gross) → each seller's payable (net of commission) and platform commission."""
    if not shares:
        raise InvalidShare("A split needs at least one seller share.")
    currency = shares[0].gross.currency
    for share in shares:
        seller_payable(share.seller_id)
        if share.gross.currency != currency:
            raise InvalidShare(f"Every share of a split is in one currency: {share.gross} is not in {currency}.")
        _check_part(gross=share.gross, commission=share.commission)
    gross = sum((share.gross for share in shares), Money.zero(currency))
    fee = sum((share.commission for share in shares), Money.zero(currency))
    postings: list[PostingSpec] = [(PLATFORM_CLEARING, gross)]
    postings += [(seller_payable(share.seller_id), -share.net) for share in shares if share.net.amount]
    if fee.amount:
        postings.append((PLATFORM_COMMISSION, -fee))
    return postings


def refund_postings(*, seller_id: int, gross: Money, commission: Money, released: bool = False) -> list[PostingSpec]:
    """Reverse one seller's part: the seller gives back the net, the platform its commission, and the PSP
    pays the buyer the gross (credit the receivable). The net comes from the money on hold, or from the
    available balance when the line was already ``released`` (which goes above zero after a payout: a debt)."""
    account = seller_available(seller_id) if released else seller_payable(seller_id)
    _check_part(gross=gross, commission=commission)
    net = gross - commission
    postings: list[PostingSpec] = []
    if net.amount:
        postings.append((account, net))
    if commission.amount:
        postings.append((PLATFORM_COMMISSION, commission))
    postings.append((PSP_RECEIVABLE, -gross))
    return postings


# --- Payouts: the hold after delivery, releases, payout postings and the run schedule ------------------------
# (docs/adr/0017-payouts.md)


def release_postings(*, seller_id: int, amount: Money) -> list[PostingSpec]:
    """A line's hold ended: move its net from the money on hold to the seller's available balance."""
    if amount.amount <= 0:
        raise InvalidTransaction(f"A released amount is positive, not {amount}.", code="invalid_amount")
    return [(seller_payable(seller_id), amount), (seller_available(seller_id), -amount)]


def payout_postings(*, seller_id: int, amount: Money) -> list[PostingSpec]:
    """A payout: the seller's available balance goes down (debit), money leaves the PSP (credit ``psp:payouts``)."""
    if amount.amount <= 0:
        raise InvalidTransaction(f"A payout is a positive amount, not {amount}.", code="invalid_amount")
    return [(seller_available(seller_id), amount), (PSP_PAYOUTS, -amount)]


def payout_reversal_postings(*, seller_id: int, amount: Money) -> list[PostingSpec]:
    """A payout the bank refused: the money comes back to the PSP and to the seller's available balance."""
    return [(posting_code, -money) for posting_code, money in payout_postings(seller_id=seller_id, amount=amount)]


def release_amount(*, line_net: int, line_refunded: int, part_held: int, last: bool) -> int:
    """How much of a seller order's held money to release with one of its lines (minor units, ≥ 0).

    A line releases its net (line total − its commission) minus what was refunded from the hold for it, never more
    than its seller order still holds (``part_held``, from the ledger). The part's last line to be released (every
    other line released or cancelled) takes everything the part still holds: the shipping net, any rounding and
    whatever a refund recorded without its line left, so a seller order's hold always ends at exactly zero.
    """
    if last:
        return max(0, part_held)
    return max(0, min(line_net - line_refunded, part_held))


def payable_on(delivered_on: dt.date, hold_days: int) -> dt.date:
    """The first day a line delivered on ``delivered_on`` may be released: ``hold_days`` later (14 → the same
    weekday two weeks on; 13 days after delivery is still on hold)."""
    return delivered_on + dt.timedelta(days=hold_days)


def parse_payout_days(value: str | Sequence[int]) -> tuple[int, ...]:
    """The days of the month payouts run on, e.g. ``"6,16,26"``: distinct, 1 to 31, sorted. A day past a month's
    end (31 in April) runs on that month's last day."""
    try:
        parts = value.split(",") if isinstance(value, str) else list(value)
        days = sorted({int(part) for part in parts if str(part).strip()})
    except (TypeError, ValueError) as exc:
        raise InvalidInput(
            f"Payout days are day numbers such as 6,16,26, not {value!r}.", code="invalid_payout_days"
        ) from exc
    if not days or days[0] < 1 or days[-1] > 31:
        raise InvalidInput(f"Payout days are 1 to 31, at least one, not {value!r}.", code="invalid_payout_days")
    return tuple(days)


def run_dates_in_month(year: int, month: int, days: Sequence[int]) -> list[dt.date]:
    """The payout run dates of one month, days past its end moved to its last day (and merged)."""
    last = calendar.monthrange(year, month)[1]
    return sorted({dt.date(year, month, min(day, last)) for day in days})


def latest_run_date(today: dt.date, days: Sequence[int]) -> dt.date:
    """The most recent scheduled run date on or before ``today`` (this month's, else last month's last one)."""
    this_month = [d for d in run_dates_in_month(today.year, today.month, days) if d <= today]
    if this_month:
        return this_month[-1]
    previous = today.replace(day=1) - dt.timedelta(days=1)
    return run_dates_in_month(previous.year, previous.month, days)[-1]


def next_run_date(after: dt.date, days: Sequence[int]) -> dt.date:
    """The first scheduled run date strictly after ``after``."""
    later = [d for d in run_dates_in_month(after.year, after.month, days) if d > after]
    if later:
        return later[0]
    following = (after.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return run_dates_in_month(following.year, following.month, days)[0]


def mask_iban(iban: str) -> str:
    """An IBAN as shown on a payout: its country code and last four characters (``FR•• •••• 0189``), or ``""``."""
    compact = "".join(str(iban or "").split()).upper()
    if len(compact) < 8:
        return ""
    return f"{compact[:2]}•• •••• {compact[-4:]}"
