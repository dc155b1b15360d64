"""Trade-in writes: bids, quotes, and each step of a trade-in, each through one conditional state change plus a
``TradeInEvent`` (a lost race raises ``stale_tradein``, never a double step); money through the ledger; emails
on commit (docs/trade-in.md, docs/adr/0027-trade-in.md).

Locks: none beyond the conditional ``UPDATE … WHERE state = <read state>`` of each step; the payout provider is
called outside any transaction with an idempotency key derived from the trade-in, and the ledger dedupes on its
own keys, so a retried step or job pays once.
"""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError as StdnumError

from reloop.accounts.models import User
from reloop.aftersales.services import Photo, check_photos
from reloop.buyback import conf, domain, notifications
from reloop.buyback.domain import Answers, BidCandidate, Condition, Escalation, NotAcceptable, PayoutMethod, State
from reloop.buyback.errors import (
    CheckFailed,
    InvalidTradeIn,
    NoQuote,
    QuoteNotFound,
    TradeInNotFound,
    TradeInStateConflict,
)
from reloop.buyback.labels import get_label_provider
from reloop.buyback.models import Bid, Quote, TradeIn, TradeInEvent, TradeInPhoto
from reloop.catalog.models import Variant
from reloop.core import clock
from reloop.core.errors import DomainError
from reloop.core.money import Money
from reloop.devices.checks import INVALID, PASSED, get_device_check
from reloop.devices.errors import InvalidUnit
from reloop.devices.services import check_unit_id, imei_required_for, record_intake
from reloop.markets.registry import get_market
from reloop.payments import domain as ledger
from reloop.payments.models import TransactionKind
from reloop.payments.providers.payouts import get_payout_provider
from reloop.payments.services import post_transaction
from reloop.sellers.models import Seller, Standing

MAX_BID_MINOR = 10**8  # a million in major units: more is a typo
MAX_CSV_LINES = 5000


# --- Bids ---------------------------------------------------------------------------------------------------


def check_bid_slot(*, variant_id: int, condition: str, market: str) -> tuple[Variant, str]:
    if condition not in Condition.values:
        raise InvalidTradeIn(
            _("Unknown condition %(condition)s: use one of %(known)s")
            % {"condition": condition, "known": ", ".join(Condition.values)},
            code="invalid_condition",
        )
    currency = get_market(market).currency  # UnknownMarket (404) for a closed or unknown market
    variant = Variant.objects.filter(pk=variant_id).first() if isinstance(variant_id, int) else None
    if variant is None:
        raise InvalidTradeIn(_("Unknown variant %(id)s") % {"id": variant_id}, code="unknown_variant")
    return variant, currency


def check_bid_price(price: int) -> int:
    if isinstance(price, bool) or not isinstance(price, int) or not 1 <= price <= MAX_BID_MINOR:
        raise InvalidTradeIn(_("A buy price is a positive amount"), code="invalid_price")
    return price


def set_bid(
    *, actor: User | None, seller: Seller, variant_id: int, condition: str, market: str, price: int, active: bool = True
) -> Bid:
    """Create or change ``seller``'s buy price for one variant × condition × market (an upsert: the same call twice
    changes nothing). Refused for an unknown variant, condition or market, or a price out of range."""
    variant, currency = check_bid_slot(variant_id=variant_id, condition=condition, market=market)
    check_bid_price(price)
    now = clock.now()
    with transaction.atomic():
        bid, created = Bid.objects.get_or_create(
            seller=seller,
            variant=variant,
            condition=condition,
            market=market,
            defaults={"currency": currency, "price": price, "is_active": active, "created_at": now, "updated_at": now},
        )
        if not created and (bid.price != price or bid.is_active != active):
            Bid.objects.filter(pk=bid.pk).update(price=price, is_active=active, updated_at=now)
            bid.price, bid.is_active, bid.updated_at = price, active, now
    return bid


def delete_bid(*, actor: User | None, seller: Seller, bid_id: int) -> None:
    deleted, _ignored = Bid.objects.filter(pk=bid_id, seller=seller).delete()
    if not deleted:
        raise TradeInNotFound(_("No such buy price"), code="bid_not_found")


@dataclass(frozen=True)
class BidImportResult:
    created: int
    updated: int


CSV_COLUMNS = ("variant_id", "condition", "market", "price")


def import_bids(*, actor: User | None, seller: Seller, content: bytes) -> BidImportResult:
    """Apply a CSV of buy prices (``variant_id,condition,market,price``, the price in major units such as
    ``125.50``; an empty price or 0 switches the bid off). The whole file is checked first: one bad line refuses
    it, naming the line, and nothing is written."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidTradeIn(_("The file is not UTF-8 text"), code="invalid_csv") from None
    if "\x00" in text:
        raise InvalidTradeIn(_("The file contains a NUL character"), code="invalid_csv")
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or [f.strip() for f in reader.fieldnames] != list(CSV_COLUMNS):
        raise InvalidTradeIn(
            _("The first line must be: %(columns)s") % {"columns": ",".join(CSV_COLUMNS)}, code="invalid_csv"
        )
    rows: list[tuple[Variant, str, str, str, int | None]] = []
    variants = {}
    for number, row in enumerate(reader, start=2):
        if number > MAX_CSV_LINES + 1:
            raise InvalidTradeIn(_("At most %(n)s lines per file") % {"n": MAX_CSV_LINES}, code="invalid_csv")
        try:
            raw_id = (row.get("variant_id") or "").strip()
            if not (raw_id.isascii() and raw_id.isdigit()):
                raise InvalidTradeIn(_("Unknown variant %(id)s") % {"id": raw_id}, code="unknown_variant")
            variant_id = int(raw_id)
            condition = (row.get("condition") or "").strip()
            market = (row.get("market") or "").strip().lower()
            if variant_id not in variants:
                variants[variant_id] = check_bid_slot(variant_id=variant_id, condition=condition, market=market)[0]
            else:
                check_bid_slot(variant_id=variant_id, condition=condition, market=market)
            currency = get_market(market).currency
            raw_price = (row.get("price") or "").strip()
            price: int | None = None
            if raw_price not in ("", "0"):
                try:
                    price = Money.from_major(Decimal(raw_price), currency).amount
                except (InvalidOperation, DomainError, ValueError):
                    raise InvalidTradeIn(
                        _("%(price)s is not a price") % {"price": raw_price}, code="invalid_price"
                    ) from None
                check_bid_price(price)
        except DomainError as error:
            raise InvalidTradeIn(
                _("Line %(line)s: %(error)s") % {"line": number, "error": error.message}, code=error.code
            ) from None
        rows.append((variants[variant_id], condition, market, currency, price))
    created = updated = 0
    with transaction.atomic():
        for variant, condition, market, _currency, price in rows:
            existing = Bid.objects.filter(seller=seller, variant=variant, condition=condition, market=market).first()
            if price is None:
                if existing is not None and existing.is_active:
                    Bid.objects.filter(pk=existing.pk).update(is_active=False, updated_at=clock.now())
                    updated += 1
                continue
            bid = set_bid(
                actor=actor, seller=seller, variant_id=variant.pk, condition=condition, market=market, price=price
            )
            if existing is None:
                created += 1
            elif existing.price != bid.price or not existing.is_active:
                updated += 1
    return BidImportResult(created=created, updated=updated)


# --- Quotes -------------------------------------------------------------------------------------------------


def seller_is_eligible(seller: Seller) -> bool:
    """The rule of ``pricing.eligibility``: active standing and not over the new-seller daily cap today."""
    capped = seller.capped_on is not None and seller.capped_on >= clock.today()
    return seller.standing == Standing.ACTIVE and not capped


def candidate_of(bid: Bid) -> BidCandidate:
    return BidCandidate(
        bid_id=bid.pk,
        price=bid.price,
        quality_score=bid.seller.quality_score,
        created_at=bid.created_at,
        eligible=bid.is_active and seller_is_eligible(bid.seller),
    )


def best_bid(*, variant_id: int, condition: str, market: str) -> Bid | None:
    """The winning bid of one slot (one query)."""
    bids = {
        bid.pk: bid
        for bid in Bid.objects.filter(variant_id=variant_id, condition=condition, market=market, is_active=True)
        .filter(Q(seller__capped_on__isnull=True) | Q(seller__capped_on__lt=clock.today()))
        .filter(seller__standing=Standing.ACTIVE)
        .select_related("seller")
    }
    winner = domain.winning_bid(candidate_of(bid) for bid in bids.values())
    return bids[winner.bid_id] if winner else None


def get_quote(*, actor: User | None, variant_id: int, market: str, answers: Answers) -> Quote:
    """Turn the answers into a condition and the best bid into a binding quote (valid
    ``RELOOP_TRADEIN_QUOTE_DAYS`` days). ``NoQuote`` when no refurbisher buys it; ``invalid_tradein`` with the
    reason when a lock is still on."""
    try:
        condition = domain.condition_for(answers)
    except NotAcceptable as exc:
        raise InvalidTradeIn(exc.message, code=exc.code) from None
    variant, currency = check_bid_slot(variant_id=variant_id, condition=condition, market=market)
    bid = best_bid(variant_id=variant.pk, condition=condition, market=market)
    if bid is None:
        raise NoQuote(_("No refurbisher buys this device in this condition at the moment."))
    now = clock.now()
    return Quote.objects.create(
        customer=actor if actor is not None and actor.is_authenticated else None,
        variant=variant,
        market=market,
        currency=currency,
        condition=condition,
        answers={
            "powers_on": answers.powers_on,
            "all_functions_work": answers.all_functions_work,
            "screen": answers.screen,
            "body": answers.body,
            "battery_health": answers.battery_health,
            "accounts_removed": answers.accounts_removed,
            "carrier_unlocked": answers.carrier_unlocked,
        },
        bid=bid,
        seller=bid.seller,
        amount=bid.price,
        created_at=now,
        expires_at=domain.quote_expires(now, conf.quote_valid_days()),
    )


# --- Accepting a quote --------------------------------------------------------------------------------------


def check_iban(raw: str) -> str:
    """The compact IBAN, or ``invalid_iban`` (python-stdnum checks the country format and the check digits)."""
    try:
        return str(stdnum_iban.validate(raw or ""))
    except StdnumError:
        raise InvalidTradeIn(
            _("This IBAN is not valid: check it against your bank details."), code="invalid_iban"
        ) from None


def _new_number() -> str:
    return "TI-" + "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(8))


def accept_quote(
    *, actor: User, quote_id: str, payout_method: str, iban: str = "", account_holder: str = ""
) -> TradeIn:
    """The customer accepts a quote: a trade-in with a prepaid label and a ship-by date. Accepting the same quote
    again returns the same trade-in. Refused for another customer's quote, an expired one, a bad IBAN."""
    quote = (
        Quote.objects.select_related("seller", "variant").filter(public_id=quote_id).first()
        if _is_uuid(quote_id)
        else None
    )
    if quote is None or (quote.customer_id is not None and quote.customer_id != actor.pk):
        raise QuoteNotFound(_("No such quote"))
    existing = TradeIn.objects.filter(quote=quote).first()
    if existing is not None:
        if existing.customer_id != actor.pk:
            raise QuoteNotFound(_("No such quote"))
        return existing
    now = clock.now()
    if quote.expires_at <= now:
        raise InvalidTradeIn(_("This quote has expired: ask for a new one."), code="quote_expired")
    if payout_method not in PayoutMethod.values:
        raise InvalidTradeIn(_("Choose a bank transfer or Reloop credit."), code="invalid_payout_method")
    holder = (account_holder or "").strip()[:120]
    compact = ""
    if payout_method == PayoutMethod.BANK:
        compact = check_iban(iban)
        if not holder:
            raise InvalidTradeIn(_("Give the account holder's name."), code="invalid_account_holder")
    number = _new_number()
    label = get_label_provider().create_label(reference=number, market=quote.market, seller_name=quote.seller.name)
    try:
        with transaction.atomic():
            tradein = TradeIn.objects.create(
                number=number,
                quote=quote,
                customer=actor,
                seller=quote.seller,
                variant=quote.variant,
                market=quote.market,
                currency=quote.currency,
                condition_declared=quote.condition,
                quoted_amount=quote.amount,
                payout_method=payout_method,
                iban=compact,
                account_holder=holder if payout_method == PayoutMethod.BANK else "",
                label_carrier=label.carrier,
                label_tracking=label.tracking_number,
                accepted_at=now,
                ship_by=domain.ship_by(now, conf.ship_within_days()),
            )
            if quote.customer_id is None:
                Quote.objects.filter(pk=quote.pk).update(customer=actor)
            _event(tradein, "", State.AWAITING_SHIPMENT, "customer", actor, "")
            notifications.on_commit(tradein.pk, "accepted")
    except IntegrityError:  # the same quote accepted concurrently: one trade-in
        existing = TradeIn.objects.filter(quote=quote, customer=actor).first()
        if existing is None:
            raise
        return existing
    return tradein


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


# --- Steps --------------------------------------------------------------------------------------------------


def _event(tradein: TradeIn, from_state: str, to_state: str, kind: str, actor: User | None, note: str) -> None:
    TradeInEvent.objects.create(
        tradein=tradein,
        from_state=from_state,
        to_state=to_state,
        actor_kind=kind,
        actor=actor,
        note=note[:2000],
        occurred_at=clock.now(),
    )


def _move(tradein: TradeIn, to_state: str, *, kind: str, actor: User | None, note: str = "", **fields: Any) -> TradeIn:
    """One conditional update from the state we read, plus its event; ``stale_tradein`` when not allowed or when
    another request moved it first. Runs inside the caller's transaction."""
    from_state = tradein.state
    if not domain.allowed(from_state, to_state):
        raise TradeInStateConflict(
            _("This trade-in is %(state)s: that step is not possible now.") % {"state": State(from_state).label.lower()}
        )
    if "escalated_at" not in fields:  # a step settles what was escalated; the new state has its own deadline
        fields.update(escalated_at=None, escalation="")
    changed = TradeIn.objects.filter(pk=tradein.pk, state=from_state).update(state=to_state, **fields)
    if changed != 1:
        raise TradeInStateConflict(_("This trade-in changed in the meantime: reload the page."))
    for name, value in fields.items():
        setattr(tradein, name, value)
    tradein.state = to_state
    _event(tradein, from_state, to_state, kind, actor, note)
    return tradein


def customer_tradein_for_update(*, customer: User, number: str) -> TradeIn:
    tradein = (
        TradeIn.objects.select_related("seller", "variant")
        .filter(number=domain.lookup_number(number), customer=customer)
        .first()
    )
    if tradein is None:
        raise TradeInNotFound(_("No such trade-in"))
    return tradein


def seller_tradein_for_update(*, seller: Seller, number: str) -> TradeIn:
    tradein = (
        TradeIn.objects.select_related("seller", "variant__product_model__category__parent__parent")
        .filter(number=domain.lookup_number(number), seller=seller)
        .first()
    )
    if tradein is None:
        raise TradeInNotFound(_("No such trade-in"))
    return tradein


def _any_tradein(number: str) -> TradeIn:
    tradein = TradeIn.objects.select_related("seller", "variant").filter(number=domain.lookup_number(number)).first()
    if tradein is None:
        raise TradeInNotFound(_("No such trade-in"))
    return tradein


def mark_shipped(*, actor: User, number: str) -> TradeIn:
    """The customer dropped the parcel off."""
    tradein = customer_tradein_for_update(customer=actor, number=number)
    if tradein.state == State.SHIPPED:
        return tradein  # a double click
    if tradein.state == State.AWAITING_SHIPMENT and tradein.ship_by <= clock.now():
        raise TradeInStateConflict(_("The 21 days to ship this trade-in are over: ask for a new quote."))
    with transaction.atomic():
        _move(tradein, State.SHIPPED, kind="customer", actor=actor, shipped_at=clock.now())
        notifications.on_commit(tradein.pk, "shipped")
    return tradein


def cancel_tradein(*, actor: User, number: str) -> TradeIn:
    tradein = customer_tradein_for_update(customer=actor, number=number)
    with transaction.atomic():
        _move(tradein, State.CANCELLED, kind="customer", actor=actor, closed_at=clock.now())
    return tradein


def receive_tradein(*, actor: User | None, seller: Seller, number: str, identifier: str) -> TradeIn:
    """The refurbisher received the parcel and records the unit's IMEI (check digit) or serial; the device checks
    run at once. Passed: ``received`` (inspect within 2 business days). Failed: ``blocked``, the operator told,
    no payment. A bad IMEI is refused (``invalid_imei``) with nothing written."""
    tradein = seller_tradein_for_update(seller=seller, number=number)
    unit = check_unit_id(raw=identifier, imei_required=imei_required_for(tradein.variant))
    if tradein.state not in (State.AWAITING_SHIPMENT, State.SHIPPED):
        raise TradeInStateConflict(_("This trade-in was already received."))
    outcome = get_device_check().check(kind=unit.kind, identifier=unit.value)
    now = clock.now()
    with transaction.atomic():
        if outcome.passed:
            device = record_intake(
                seller=seller,
                variant=tradein.variant,
                unit=unit,
                reference=f"tradein:{tradein.pk}",
                occurred_at=now,
                details={"condition": tradein.condition_declared, "checks": PASSED},
            )
            _move(
                tradein,
                State.RECEIVED,
                kind="seller",
                actor=actor,
                received_at=now,
                inspect_due_at=domain.inspect_due(now),
                device=device,
                check_status=PASSED,
                check_reason="",
            )
            notifications.on_commit(tradein.pk, "received")
        else:
            _move(
                tradein,
                State.BLOCKED,
                kind="system",
                actor=actor,
                note=outcome.reason,
                received_at=now,
                check_status=outcome.status,
                check_reason=f"{unit.value}: {outcome.reason}"[:200],
                escalated_at=now,
                escalation=Escalation.CHECK_FAILED,
            )
            notifications.on_commit(tradein.pk, "blocked")
    return tradein


def validate_tradein(*, actor: User | None, seller: Seller, number: str) -> TradeIn:
    """The device is as described: the customer is paid the quoted amount."""
    tradein = seller_tradein_for_update(seller=seller, number=number)
    if tradein.state != State.RECEIVED:  # a pending counter-offer is answered by the customer, not validated
        raise TradeInStateConflict(_("Only a received trade-in can be validated."))
    return _validate(tradein, amount=tradein.quoted_amount, kind="seller", actor=actor, condition=None)


def _validate(tradein: TradeIn, *, amount: int, kind: str, actor: User | None, condition: str | None) -> TradeIn:
    if tradein.check_status != PASSED:
        raise CheckFailed(_("A device check failed: this trade-in cannot be paid."))
    now = clock.now()
    fee = domain.tradein_fee(amount, conf.fee_rate())
    with transaction.atomic():
        _move(
            tradein,
            State.VALIDATED,
            kind=kind,
            actor=actor,
            agreed_amount=amount,
            fee_amount=fee,
            validated_at=now,
            condition_found=condition or tradein.condition_found or tradein.condition_declared,
        )
        _post_purchase(tradein)
    return pay_tradein(tradein_id=tradein.pk)


def _post_purchase(tradein: TradeIn) -> None:
    """The refurbisher pays: its available balance is debited the agreed amount plus the fee; the fee is ours; the
    customer is owed the amount (as Reloop credit, or payable by bank transfer)."""
    if tradein.agreed_amount is None or tradein.fee_amount is None:
        raise TradeInStateConflict("A trade-in is charged once its amount is agreed.")
    currency = tradein.currency
    customer_account = (
        ledger.customer_credit(tradein.customer_id)
        if tradein.payout_method == PayoutMethod.CREDIT
        else ledger.customer_payable(tradein.customer_id)
    )
    postings = [
        (ledger.seller_available(tradein.seller_id), Money(tradein.agreed_amount + tradein.fee_amount, currency)),
        (customer_account, Money(-tradein.agreed_amount, currency)),
    ]
    if tradein.fee_amount:
        postings.append((ledger.PLATFORM_TRADEIN_FEES, Money(-tradein.fee_amount, currency)))
    post_transaction(
        idempotency_key=f"tradein:{tradein.pk}:purchase",
        kind=TransactionKind.TRADEIN,
        reference=f"tradein:{tradein.number}",
        memo=f"Trade-in {tradein.number}: {tradein.agreed_amount} + fee {tradein.fee_amount}",
        postings=postings,
    )


def pay_tradein(*, tradein_id: int) -> TradeIn:
    """Finish paying a validated trade-in: credit is paid at once; a bank transfer goes through the payout
    provider (outside any transaction, key ``tradein:<id>:payout``), then its ledger transaction. A refusal
    leaves it validated with the error, escalated to the operator; the job retries. Idempotent."""
    tradein = TradeIn.objects.select_related("seller").get(pk=tradein_id)
    if tradein.state != State.VALIDATED:
        return tradein
    if tradein.check_status != PASSED:  # belt and braces: the constraint forbids paying it anyway
        raise CheckFailed(_("A device check failed: this trade-in cannot be paid."))
    if tradein.agreed_amount is None:  # the constraint tradein_validated_has_amounts forbids it
        raise TradeInStateConflict("A validated trade-in without its amount.")
    reference = ""
    if tradein.payout_method == PayoutMethod.BANK:
        amount = Money(tradein.agreed_amount, tradein.currency)
        try:
            result = get_payout_provider().send_payout(
                amount=amount,
                destination_iban=tradein.iban,
                reference=f"Reloop trade-in {tradein.number}",
                idempotency_key=f"tradein:{tradein.pk}:payout",
            )
        except OSError as exc:
            ok, error = False, str(exc) or "provider unreachable"
        else:
            ok, error, reference = result.ok, result.message, result.reference
        if not ok:
            TradeIn.objects.filter(pk=tradein.pk, state=State.VALIDATED).update(
                payout_error=(error or "refused")[:200],
                escalated_at=clock.now(),
                escalation=Escalation.PAYOUT_FAILED,
            )
            tradein.refresh_from_db()
            return tradein
    with transaction.atomic():
        if tradein.payout_method == PayoutMethod.BANK:
            amount = Money(tradein.agreed_amount, tradein.currency)
            post_transaction(
                idempotency_key=f"tradein:{tradein.pk}:payout",
                kind=TransactionKind.PAYOUT,
                reference=f"tradein:{tradein.number}",
                memo=f"Bank transfer of trade-in {tradein.number}",
                postings=[(ledger.customer_payable(tradein.customer_id), amount), (ledger.PSP_PAYOUTS, -amount)],
            )
        try:
            _move(
                tradein,
                State.PAID,
                kind="system",
                actor=None,
                paid_at=clock.now(),
                payout_reference=reference,
                payout_error="",
            )
        except TradeInStateConflict:
            tradein.refresh_from_db()
            return tradein  # paid by a concurrent call
        notifications.on_commit(tradein.pk, "paid")
    return tradein


def counter_offer(
    *,
    actor: User | None,
    seller: Seller,
    number: str,
    condition_found: str,
    amount: int,
    reason: str,
    photos: Sequence[Photo] = (),
) -> TradeIn:
    """The device is not as described: a lower offer for the condition found, with the reasons and photos. The
    customer accepts (paid that amount) or refuses (the device comes back free)."""
    tradein = seller_tradein_for_update(seller=seller, number=number)
    if condition_found not in Condition.values:
        raise InvalidTradeIn(_("Choose the condition you found."), code="invalid_condition")
    if isinstance(amount, bool) or not isinstance(amount, int) or not 1 <= amount < tradein.quoted_amount:
        raise InvalidTradeIn(_("A counter-offer is a positive amount below the quote."), code="invalid_counter_amount")
    reason = (reason or "").strip()
    if not reason or len(reason) > domain.MAX_COUNTER_REASON:
        raise InvalidTradeIn(
            _("Explain what you found (at most %(n)s characters).") % {"n": domain.MAX_COUNTER_REASON},
            code="invalid_reason",
        )
    types = check_photos(photos)
    now = clock.now()
    with transaction.atomic():
        _move(
            tradein,
            State.COUNTER_OFFERED,
            kind="seller",
            actor=actor,
            note=reason,
            condition_found=condition_found,
            counter_amount=amount,
            counter_reason=reason,
            countered_at=now,
            counter_due_at=domain.counter_answer_due(now),
        )
        for position, (photo, content_type) in enumerate(zip(photos, types, strict=True), start=1):
            item = TradeInPhoto(tradein=tradein, position=position, content_type=content_type, size=len(photo.content))
            item.file.save(photo.name, ContentFile(photo.content), save=False)
            item.save()
        notifications.on_commit(tradein.pk, "counter_offered")
    return tradein


def answer_counter_offer(*, actor: User, number: str, accept: bool) -> TradeIn:
    """The customer accepts the counter-offer (paid that amount) or refuses it (the device is sent back free, at
    the refurbisher's cost; nothing is paid)."""
    tradein = customer_tradein_for_update(customer=actor, number=number)
    if tradein.state != State.COUNTER_OFFERED:
        raise TradeInStateConflict(_("There is no counter-offer waiting for your answer."))
    if tradein.counter_amount is None:
        raise TradeInStateConflict(_("There is no counter-offer waiting for your answer."))
    if accept:
        return _validate(
            tradein, amount=tradein.counter_amount, kind="customer", actor=actor, condition=tradein.condition_found
        )
    with transaction.atomic():
        _move(tradein, State.RETURNING, kind="customer", actor=actor, note="counter-offer refused")
        notifications.on_commit(tradein.pk, "refused")
    return tradein


def return_device(*, actor: User | None, seller: Seller, number: str, carrier: str, tracking_number: str) -> TradeIn:
    """The refurbisher sent the device back (its cost), with the parcel's carrier and tracking number."""
    from reloop.fulfillment.carriers import CARRIERS
    from reloop.fulfillment.domain import normalize_tracking_number

    tradein = seller_tradein_for_update(seller=seller, number=number)
    code = (carrier or "").strip().lower()
    if code not in CARRIERS:
        raise InvalidTradeIn(_("Unknown carrier %(carrier)s") % {"carrier": carrier}, code="unknown_carrier")
    tracking = normalize_tracking_number(tracking_number)
    if tracking is None:
        raise InvalidTradeIn(_("A tracking number has 4 to 40 letters and digits"), code="invalid_tracking_number")
    with transaction.atomic():
        _move(
            tradein,
            State.RETURNED,
            kind="seller",
            actor=actor,
            return_carrier=code,
            return_tracking=tracking,
            closed_at=clock.now(),
        )
        notifications.on_commit(tradein.pk, "returned")
    return tradein


def record_work(*, actor: User | None, seller: Seller, number: str, details: dict[str, Any]) -> None:
    """The refurbisher records what it did to a paid trade-in's unit (battery, parts, tests, erasure): the
    device passport's next entry, shown to the unit's next buyer."""
    from reloop.devices.services import record_refurbishment

    tradein = seller_tradein_for_update(seller=seller, number=number)
    if tradein.state != State.PAID or tradein.device is None:
        raise TradeInStateConflict(_("Record the refurbishing once the trade-in is paid."))
    record_refurbishment(
        seller=seller,
        device=tradein.device,
        reference=f"tradein:{tradein.pk}:work",
        occurred_at=clock.now(),
        details=details,
    )


# --- Operator ----------------------------------------------------------------------------------------------

OPERATOR_DECISIONS = ("clear_check", "reject", "validate", "send_back", "retry_payout")


def operator_decide(*, actor: User, number: str, decision: str, note: str = "") -> TradeIn:
    """The operator settles an escalated trade-in: a failed check cleared (after proof) or the device refused;
    a late inspection validated at the quote (the refurbisher's expense); an unanswered counter-offer sent back;
    a failed bank transfer retried."""
    tradein = _any_tradein(number)
    note = (note or "").strip()[:1000]
    if decision not in OPERATOR_DECISIONS:
        raise InvalidTradeIn(_("Unknown decision"), code="invalid_decision")
    if decision == "validate":
        if tradein.state != State.RECEIVED:
            raise TradeInStateConflict(_("Only a received trade-in can be validated."))
        return _validate(tradein, amount=tradein.quoted_amount, kind="operator", actor=actor, condition=None)
    if decision == "retry_payout":
        return pay_tradein(tradein_id=tradein.pk)
    with transaction.atomic():
        if decision == "clear_check":
            if tradein.state != State.BLOCKED:
                raise TradeInStateConflict(_("Only a trade-in on hold for a failed check can be cleared."))
            if not note:
                raise InvalidTradeIn(_("Say why the check is cleared."), code="invalid_note")
            now = clock.now()
            _move(
                tradein,
                State.RECEIVED,
                kind="operator",
                actor=actor,
                note=note,
                check_status=PASSED,
                check_reason=f"cleared by the operator: {note}"[:200],
                inspect_due_at=domain.inspect_due(now),
                escalated_at=None,
                escalation="",
            )
        elif decision == "reject":
            _move(tradein, State.REJECTED, kind="operator", actor=actor, note=note, closed_at=clock.now())
        elif decision == "send_back":
            _move(tradein, State.RETURNING, kind="operator", actor=actor, note=note or "counter-offer unanswered")
        notifications.on_commit(tradein.pk, "decided")
    return tradein


# --- Jobs ---------------------------------------------------------------------------------------------------


def expire_unshipped_tradeins() -> int:
    """Trade-ins not shipped within their 21 days expire (job; running it twice expires nothing more)."""
    now = clock.now()
    count = 0
    for tradein in TradeIn.objects.filter(state=State.AWAITING_SHIPMENT, ship_by__lte=now).order_by("pk"):
        with transaction.atomic():
            try:
                _move(tradein, State.EXPIRED, kind="system", actor=None, note="not shipped in time", closed_at=now)
            except TradeInStateConflict:
                continue
        count += 1
    return count


def escalate_overdue_tradeins() -> int:
    """Hand the operator inspections past their 2 business days and counter-offers left unanswered past their
    deadline (job): one conditional update each, so a second run escalates nothing."""
    now = clock.now()
    count = 0
    for state, due, reason in (
        (State.RECEIVED, "inspect_due_at", Escalation.LATE_INSPECTION),
        (State.COUNTER_OFFERED, "counter_due_at", Escalation.UNANSWERED_COUNTER),
    ):
        ids = list(
            TradeIn.objects.filter(state=state, escalated_at__isnull=True, **{f"{due}__lt": now}).values_list(
                "pk", flat=True
            )
        )
        for pk in ids:
            with transaction.atomic():
                changed = TradeIn.objects.filter(pk=pk, state=state, escalated_at__isnull=True).update(
                    escalated_at=now, escalation=reason
                )
                if changed:
                    TradeInEvent.objects.create(
                        tradein_id=pk,
                        from_state=state,
                        to_state=state,
                        actor_kind="system",
                        note=f"escalated: {reason}",
                        occurred_at=now,
                    )
                    notifications.on_commit(pk, "escalated")
            count += changed
    return count


def retry_tradein_payouts() -> int:
    """Pay validated trade-ins whose bank transfer failed or was interrupted (job; the provider and the ledger
    dedupe on their keys)."""
    paid = 0
    for pk in TradeIn.objects.filter(state=State.VALIDATED).values_list("pk", flat=True).order_by("pk"):
        if pay_tradein(tradein_id=pk).state == State.PAID:
            paid += 1
    return paid


__all__ = [
    "INVALID",
    "InvalidUnit",
    "Photo",
    "accept_quote",
    "answer_counter_offer",
    "counter_offer",
    "escalate_overdue_tradeins",
    "expire_unshipped_tradeins",
    "get_quote",
    "import_bids",
    "mark_shipped",
    "operator_decide",
    "pay_tradein",
    "receive_tradein",
    "record_work",
    "retry_tradein_payouts",
    "return_device",
    "set_bid",
    "validate_tradein",
]
