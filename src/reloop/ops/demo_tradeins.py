"""The demo's trade-ins: refurbishers' buy prices across the catalogue, and the demo buyer's trade-ins in every
state, replayed through the real services (``core.clock.frozen_at`` for the past steps).

- **Bids**: five refurbishers (the demo seller among them) buy every phone, tablet and smartwatch variant in the
  UK, France and Germany, in the six conditions, at a share of the variant's reference new price that falls with
  the condition and differs a little per refurbisher — so the buy box, the ranks and the prices to win vary.
- **buyer@reloop.test** has one trade-in waiting to ship, one shipped, one received (being inspected), one with
  a counter-offer to answer, one paid in Reloop credit, one paid by bank transfer, one refused and on its way
  back, one returned, one on hold for a blocklisted IMEI (in the operator's queue), one expired and one whose
  inspection is late (escalated). The demo seller (seller@reloop.test) handles them in its back office.
- **A passport from intake to the next buyer**: a demo shopper's phone is traded in, refurbished by the demo
  seller (battery, tests, erasure certificate), sold to buyer@reloop.test and shipped with the same IMEI: its
  tracking page shows the history.

Idempotent: bids are upserted on their unique key; the trade-ins are made once (skipped when the demo buyer has
any).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Q

from reloop.accounts.models import User
from reloop.buyback import services
from reloop.buyback.domain import Answers, Body, Condition, Screen
from reloop.buyback.models import Bid, TradeIn
from reloop.catalog.models import ReferencePrice
from reloop.core import clock
from reloop.devices.checks import TEST_IMEIS
from reloop.ops.demo_accounts import DEMO_SELLER_SLUG
from reloop.ops.demo_story import demo_buyer, demo_imei
from reloop.sellers.models import Seller, Standing

MARKETS = ("en-gb", "fr-fr", "de-de")
CATEGORIES = ("smartphones", "tablets", "smartwatches")
#: Share of the reference new price a refurbisher pays, per condition.
SHARE = {
    Condition.FLAWLESS: Decimal("0.42"),
    Condition.GOOD: Decimal("0.37"),
    Condition.WORN: Decimal("0.29"),
    Condition.CRACKED: Decimal("0.18"),
    Condition.BROKEN: Decimal("0.09"),
    Condition.BROKEN_CRACKED: Decimal("0.05"),
}
SELLER_FACTORS = (Decimal("1.00"), Decimal("0.97"), Decimal("1.02"), Decimal("0.94"), Decimal("0.99"))
TAC = "01"  # the demo trade-ins' IMEI series (demo_story.demo_imei: two digits, then 12)
DEMO_BUYER = "buyer@reloop.test"


def _refurbishers() -> list[Seller]:
    sellers = list(Seller.objects.filter(standing=Standing.ACTIVE).exclude(slug=DEMO_SELLER_SLUG).order_by("pk")[:4])
    demo = Seller.objects.filter(slug=DEMO_SELLER_SLUG).first()
    return ([demo] if demo else []) + sellers


def load_demo_bids() -> int:
    """Upsert the refurbishers' buy prices; returns how many bids exist afterwards."""
    refurbishers = _refurbishers()
    in_category = Q()
    for slug in CATEGORIES:
        in_category |= Q(variant__product_model__category__slug=slug)
        in_category |= Q(variant__product_model__category__parent__slug=slug)
    references = ReferencePrice.objects.filter(in_category, market__in=MARKETS).values_list(
        "variant_id", "market", "currency", "amount"
    )
    now = clock.now()
    rows = []
    for index, seller in enumerate(refurbishers):
        factor = SELLER_FACTORS[index % len(SELLER_FACTORS)]
        for variant_id, market, currency, amount in references:
            if (variant_id + index) % 5 == 4:  # not everyone buys everything
                continue
            for condition, share in SHARE.items():
                price = int(Decimal(amount) * share * factor / 100) * 100  # whole units
                if price > 0:
                    rows.append(
                        Bid(
                            seller=seller,
                            variant_id=variant_id,
                            condition=condition,
                            market=market,
                            currency=currency,
                            price=price,
                            created_at=now - dt.timedelta(days=30, minutes=index),
                            updated_at=now,
                        )
                    )
    Bid.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return Bid.objects.count()


def _answers(**changes: object) -> Answers:
    from dataclasses import replace

    base = Answers(True, True, Screen.FLAWLESS, Body.LIGHT, 91, True, True)
    return replace(base, **changes)  # type: ignore[arg-type]


def _tradein(customer: User, variant_id: int, *, days_ago: float, method: str = "credit", **answers: object) -> TradeIn:
    with clock.frozen_at(clock.now() - dt.timedelta(days=days_ago)):
        quote = services.get_quote(actor=customer, variant_id=variant_id, market="en-gb", answers=_answers(**answers))
        return services.accept_quote(
            actor=customer,
            quote_id=str(quote.public_id),
            payout_method=method,
            iban="GB33BUKB20201555555555" if method == "bank" else "",
            account_holder="Demo Buyer" if method == "bank" else "",
        )


def _at(days_ago: float):
    return clock.frozen_at(clock.now() - dt.timedelta(days=days_ago))


def load_demo_tradeins() -> int:
    """The bids, then the demo buyer's trade-ins in every state; returns how many trade-ins were made."""
    load_demo_bids()
    customer = User.objects.filter(username=DEMO_BUYER).first()
    demo_seller = Seller.objects.filter(slug=DEMO_SELLER_SLUG).first()
    if customer is None or demo_seller is None or TradeIn.objects.filter(customer=customer).exists():
        return 0
    # variants the demo seller is the best buyer of in the UK (its bids win there), phones first
    variant_ids = list(
        Bid.objects.filter(seller=demo_seller, market="en-gb", condition=Condition.FLAWLESS)
        .filter(variant__product_model__category__slug="smartphones")
        .order_by("variant_id")
        .values_list("variant_id", flat=True)[:200]
    )
    won = [
        v
        for v in variant_ids
        if (best := services.best_bid(variant_id=v, condition=Condition.FLAWLESS, market="en-gb")) is not None
        and best.seller_id == demo_seller.pk
    ]
    if len(won) < 12:
        won = variant_ids  # whoever wins, the states are what matter
    if not won:
        return 0
    pick = iter(won * 2)

    def unit(t: TradeIn, n: int) -> str:
        return demo_imei(tac=TAC, line_id=t.pk, unit=n)

    made = []
    # waiting to ship, shipped
    made.append(_tradein(customer, next(pick), days_ago=1))
    t = _tradein(customer, next(pick), days_ago=3)
    with _at(2):
        services.mark_shipped(actor=customer, number=t.number)
    made.append(t)
    # received, being inspected (not late)
    t = _tradein(customer, next(pick), days_ago=4, body=Body.FLAWLESS)
    with _at(0.2):
        services.receive_tradein(actor=None, seller=t.seller, number=t.number, identifier=unit(t, 0))
    made.append(t)
    # a counter-offer to answer, with the reason
    t = _tradein(customer, next(pick), days_ago=6)
    with _at(1):
        services.receive_tradein(actor=None, seller=t.seller, number=t.number, identifier=unit(t, 0))
        services.counter_offer(
            actor=None,
            seller=t.seller,
            number=t.number,
            condition_found=Condition.CRACKED,
            amount=max(1, t.quoted_amount // 2),
            reason="The back glass is cracked in the lower corner (not declared).",
        )
    made.append(t)
    # paid in credit, paid by bank transfer
    for method in ("credit", "bank"):
        t = _tradein(customer, next(pick), days_ago=12, method=method)
        with _at(9):
            services.receive_tradein(actor=None, seller=t.seller, number=t.number, identifier=unit(t, 0))
            services.validate_tradein(actor=None, seller=t.seller, number=t.number)
        made.append(t)
    # counter-offer refused: on its way back; and one already returned
    for returned in (False, True):
        t = _tradein(customer, next(pick), days_ago=15, screen=Screen.FLAWLESS)
        with _at(12):
            services.receive_tradein(actor=None, seller=t.seller, number=t.number, identifier=unit(t, 0))
            services.counter_offer(
                actor=None,
                seller=t.seller,
                number=t.number,
                condition_found=Condition.WORN,
                amount=max(1, t.quoted_amount * 3 // 4),
                reason="Deep scratches on the screen.",
            )
        with _at(11):
            services.answer_counter_offer(actor=customer, number=t.number, accept=False)
        if returned:
            with _at(10):
                services.return_device(
                    actor=None, seller=t.seller, number=t.number, carrier="royal_mail", tracking_number="RM20001234GB"
                )
        made.append(t)
    # a blocklisted IMEI: on hold, in the operator's queue
    stolen = next(code for code, (status, _reason) in TEST_IMEIS.items() if status == "blocklisted")
    t = _tradein(customer, next(pick), days_ago=5)
    with _at(2):
        services.receive_tradein(actor=None, seller=t.seller, number=t.number, identifier=stolen)
    made.append(t)
    # expired (never shipped) and a late inspection (escalated by the job)
    t = _tradein(customer, next(pick), days_ago=25)
    made.append(t)
    t = _tradein(customer, next(pick), days_ago=10)
    with _at(7):
        services.receive_tradein(actor=None, seller=t.seller, number=t.number, identifier=unit(t, 0))
    made.append(t)
    services.expire_unshipped_tradeins()
    services.escalate_overdue_tradeins()
    _passport_to_next_buyer(demo_seller, customer)
    return len(made)


def _passport_to_next_buyer(seller: Seller, buyer: User) -> None:
    """A demo shopper trades a phone in to the demo seller, which refurbishes it and sells it to the demo buyer."""
    from reloop.offers.models import Offer
    from reloop.ops.demo_story import buy, seller_part

    shopper = demo_buyer("tradein.shopper@reloop.test", first_name="Sam", last_name="Shopper")
    offer = (
        Offer.objects.filter(seller=seller, is_active=True, stock__gt=0, prices__market="en-gb")
        .filter(variant__product_model__category__slug="smartphones")
        .order_by("pk")
        .first()
    )
    if offer is None or not Bid.objects.filter(variant=offer.variant, market="en-gb").exists():
        return
    best = services.best_bid(variant_id=offer.variant_id, condition=Condition.GOOD, market="en-gb")
    with _at(21):  # the demo seller outbids the others for this unit
        services.set_bid(
            actor=None,
            seller=seller,
            variant_id=offer.variant_id,
            condition=Condition.GOOD,
            market="en-gb",
            price=(best.price if best else 10000) + 500,
        )
    with _at(20):
        quote = services.get_quote(actor=shopper, variant_id=offer.variant_id, market="en-gb", answers=_answers())
        t = services.accept_quote(actor=shopper, quote_id=str(quote.public_id), payout_method="credit")
    imei = demo_imei(tac=TAC, line_id=t.pk, unit=7)
    with _at(18):
        services.receive_tradein(actor=None, seller=t.seller, number=t.number, identifier=imei)
        services.validate_tradein(actor=None, seller=t.seller, number=t.number)
        services.record_work(
            actor=None,
            seller=t.seller,
            number=t.number,
            details={
                "battery_health": 100,
                "battery_cycles": 2,
                "battery_replaced": True,
                "parts_replaced": ["battery (OEM)"],
                "tests_passed": ["display", "cameras", "Face ID", "speakers", "charging", "cellular"],
                "erasure_certificate": "ERASE-DEMO-0001",
            },
        )
    if t.seller_id != seller.pk:
        return  # another refurbisher won the quote: the unit stays with it
    order = buy(buyer=buyer, items=[(offer, 1)], key=f"demo-tradein-passport-{t.pk}")
    part = seller_part(order, seller)
    from reloop.fulfillment.services import ship_seller_order

    ship_seller_order(
        actor=None,
        seller=seller,
        seller_order_id=part.pk,
        carrier="royal_mail",
        tracking_number="RM30001234GB",
        units={line.pk: [imei] for line in part.lines.all()},
    )
