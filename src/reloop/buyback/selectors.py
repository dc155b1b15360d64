"""Trade-in reads for pages and endpoints, each scoped to who asks: a customer sees only their trade-ins, a
refurbisher only its own bids and trade-ins (competitors' prices without their names), the operator the queue."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from reloop.accounts.models import User
from reloop.buyback import domain
from reloop.buyback.domain import FINAL_STATES, State
from reloop.buyback.errors import QuoteNotFound, TradeInNotFound
from reloop.buyback.models import Bid, Quote, TradeIn
from reloop.buyback.services import candidate_of
from reloop.catalog.models import Variant
from reloop.payments import domain as ledger
from reloop.payments.models import Posting
from reloop.sellers.models import Seller

LIST_LIMIT = 200

SELLER_QUEUES = {
    "to_receive": Q(state__in=[State.AWAITING_SHIPMENT, State.SHIPPED]),
    "to_inspect": Q(state=State.RECEIVED),
    "waiting_customer": Q(state=State.COUNTER_OFFERED),
    "to_send_back": Q(state=State.RETURNING),
    "on_hold": Q(state__in=[State.BLOCKED, State.VALIDATED]),
    "closed": Q(state__in=list(FINAL_STATES)),
}


def _tradeins() -> QuerySet[TradeIn]:
    return TradeIn.objects.select_related("seller", "variant__product_model__brand", "quote")


def customer_tradeins(*, customer: User) -> QuerySet[TradeIn]:
    return _tradeins().filter(customer=customer)


def customer_tradein(*, customer: User, number: str) -> TradeIn:
    tradein = _tradeins().filter(customer=customer, number=domain.lookup_number(number)).first()
    if tradein is None:
        raise TradeInNotFound("No such trade-in")
    return tradein


def seller_tradeins(*, seller: Seller, queue: str | None = None) -> QuerySet[TradeIn]:
    qs = _tradeins().filter(seller=seller)
    if queue in SELLER_QUEUES:
        qs = qs.filter(SELLER_QUEUES[queue])
    return qs.order_by("inspect_due_at", "-accepted_at", "-pk")


def seller_queue_counts(*, seller: Seller) -> dict[str, int]:
    from django.db.models import Count

    counts = TradeIn.objects.filter(seller=seller).aggregate(
        **{code: Count("pk", filter=condition) for code, condition in SELLER_QUEUES.items()}
    )
    return {code: counts[code] or 0 for code in SELLER_QUEUES}


def seller_tradein(*, seller: Seller, number: str) -> TradeIn:
    tradein = _tradeins().filter(seller=seller, number=domain.lookup_number(number)).first()
    if tradein is None:
        raise TradeInNotFound("No such trade-in")
    return tradein


def operator_queue() -> QuerySet[TradeIn]:
    """Escalated trade-ins still open (late inspection, unanswered counter-offer, failed check, failed payout)."""
    return (
        _tradeins()
        .select_related("customer")
        .filter(escalated_at__isnull=False)
        .exclude(state__in=list(FINAL_STATES))
        .order_by("escalated_at", "pk")
    )


def operator_tradein(*, number: str) -> TradeIn:
    tradein = _tradeins().select_related("customer").filter(number=domain.lookup_number(number)).first()
    if tradein is None:
        raise TradeInNotFound("No such trade-in")
    return tradein


def quote_for(*, public_id: str, customer: User | None) -> Quote:
    """A quote by its public id; one already accepted or owned by someone else is not shown to others."""
    from reloop.buyback.services import _is_uuid

    quote = (
        Quote.objects.select_related("seller", "variant__product_model__brand", "variant__product_model__category")
        .filter(public_id=public_id)
        .first()
        if _is_uuid(public_id)
        else None
    )
    if quote is None or (quote.customer_id is not None and (customer is None or quote.customer_id != customer.pk)):
        raise QuoteNotFound("No such quote")
    return quote


@dataclass(frozen=True)
class BidRow:
    bid: Bid
    rank: int | None  # 1 = wins the quote; None = not taking part (off, or seller not eligible)
    competitors: int  # other eligible bids in the same slot
    best_price: int | None  # the best competing price (its owner not named)
    price_to_win: int | None


def seller_bids(*, seller: Seller, market: str | None = None, limit: int = LIST_LIMIT) -> list[BidRow]:
    """The seller's bids with their rank and price to win: two queries whatever the number of bids."""
    qs = Bid.objects.filter(seller=seller).select_related("seller", "variant__product_model__brand")
    if market:
        qs = qs.filter(market=market)
    bids = list(qs.order_by("variant__product_model__name", "variant_id", "condition", "market")[:limit])
    if not bids:
        return []
    slots = {(b.variant_id, b.condition, b.market) for b in bids}
    rivals_qs = Bid.objects.filter(
        variant_id__in={s[0] for s in slots}, market__in={s[2] for s in slots}, is_active=True
    ).select_related("seller")
    rivals: dict[tuple[int, str, str], list[Bid]] = defaultdict(list)
    for rival in rivals_qs:
        rivals[(rival.variant_id, rival.condition, rival.market)].append(rival)
    rows = []
    for bid in bids:
        mine = candidate_of(bid)
        others = [candidate_of(r) for r in rivals[(bid.variant_id, bid.condition, bid.market)] if r.pk != bid.pk]
        eligible_others = [c for c in others if c.eligible]
        best = domain.winning_bid(eligible_others)
        rows.append(
            BidRow(
                bid=bid,
                rank=domain.bid_rank(mine, others) if mine.eligible else None,
                competitors=len(eligible_others),
                best_price=best.price if best else None,
                price_to_win=domain.price_to_win_bid(mine, others),
            )
        )
    return rows


def quotable_variants(*, product_model_id: int, market: str) -> list[Variant]:
    """Variants of a model with at least one active bid in the market (one query)."""
    return list(
        Variant.objects.filter(
            product_model_id=product_model_id, tradein_bids__market=market, tradein_bids__is_active=True
        )
        .distinct()
        .order_by("storage_gb", "pk")
    )


def best_prices(*, variant_ids: Sequence[int], market: str) -> dict[int, int]:
    """The highest active bid per variant (any condition) in a market, for "up to" prices on the picker."""
    from django.db.models import Max

    rows = (
        Bid.objects.filter(variant_id__in=list(variant_ids), market=market, is_active=True)
        .values("variant_id")
        .annotate(best=Max("price"))
    )
    return {row["variant_id"]: row["best"] for row in rows}


def credit_balance(*, customer: User, currency: str) -> int:
    """The customer's Reloop credit in ``currency`` (minor units, ≥ 0): the ledger's balance, never a stored
    counter (one query)."""
    from django.db.models import Sum

    total = Posting.objects.filter(account__code=ledger.customer_credit(customer.pk), currency=currency).aggregate(
        total=Sum("amount")
    )["total"]
    return -(total or 0)
