"""The flash-sale scenario of ``reloop bench``: many buyers checking out a few hot offers at once.

Threads call the real placement service (reserve → pay with the test provider → place) on the configured database,
each with its own connection, for a bounded time. The hot offers hold fewer units than there are buyers, so the
sale sells out: what matters is how many orders per second go through, that no unit is sold twice (oversold must be
0), and that nothing fails except "sold out".
"""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass
from io import StringIO

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils.crypto import get_random_string
from django.utils.text import slugify

from reloop.accounts.models import User
from reloop.catalog.grading import Grade
from reloop.catalog.models import Variant
from reloop.checkout.errors import SoldOut
from reloop.checkout.models import Cart, CartLine
from reloop.checkout.services import Checkout
from reloop.checkout.test_provider_buyer import pay_with_test_card
from reloop.core.money import Money
from reloop.offers.models import Offer
from reloop.offers.services import OfferTerms, create_offer
from reloop.orders.models import OrderLine, OrderStatus
from reloop.sellers.models import Seller, Standing

MARKET, CURRENCY = "en-gb", "GBP"
ADDRESS = {"full_name": "Flash Buyer", "line1": "1 Bench Street", "postal_code": "EC1A 1BB", "city": "London"}
CARD = "4242424242424242"


@dataclass(frozen=True)
class FlashSaleResult:
    hot_offers: int
    units: int
    buyers: int
    threads: int
    seconds: float
    orders: int
    orders_per_s: float
    sold_out: int
    errors: int
    oversold: int
    stock_left: int
    ledger_ok: bool
    first_errors: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def render(self) -> str:
        return "\n".join(
            [
                f"Flash sale: {self.hot_offers} hot offers holding {self.units} units, {self.buyers} buyers, "
                f"{self.threads} threads, {self.seconds:.1f} s",
                "| orders | orders/s | sold out | errors | oversold | stock left | ledger |",
                "|-------:|---------:|---------:|-------:|---------:|-----------:|--------|",
                f"| {self.orders} | {self.orders_per_s:.1f} | {self.sold_out} | {self.errors} | {self.oversold} | "
                f"{self.stock_left} | {'balanced' if self.ledger_ok else 'FAILED'} |",
                "Target (BENCHMARKS.md, PostgreSQL): ≥ 300 orders/s, 0 oversold, 0 errors: "
                + ("met" if self.orders_per_s >= 300 and not self.oversold and not self.errors else "missed"),
                *[f"error: {e}" for e in self.first_errors],
            ]
        )


def hot_offers(*, hot: int, units_per_offer: int, run: str) -> list[Offer]:
    """``hot`` offers of a new active seller (``run`` names it), ``units_per_offer`` units each, priced in en-gb."""
    seller = Seller.objects.create(
        name=f"Flash Sale Refurbisher {run}",
        slug=slugify(f"flash-{run}"),
        legal_name="Bench Ltd",
        country="GB",
        standing=Standing.ACTIVE,
    )
    variants = list(Variant.objects.order_by("pk")[:hot])
    if len(variants) < hot:
        raise CommandError("The flash sale needs a seeded catalogue: run `reloop seed` first")
    return [
        create_offer(
            seller=seller,
            sku=f"FLASH-{run}-{i}",
            terms=OfferTerms(variant_id=v.pk, grade=Grade.GOOD),
            stock=units_per_offer,
            prices={MARKET: Money(19900, CURRENCY)},
        )
        for i, v in enumerate(variants)
    ]


def _prepare(*, hot: int, units_per_offer: int, buyers: int) -> tuple[list[Offer], list[tuple[User, Cart]]]:
    run = get_random_string(6).lower()
    offers = hot_offers(hot=hot, units_per_offer=units_per_offer, run=run)
    users = User.objects.bulk_create(
        [User(username=f"flash-{run}-{n}@example.com", email=f"flash-{run}-{n}@example.com") for n in range(buyers)]
    )
    if users[0].pk is None:  # backends that return no ids from bulk inserts
        users = list(User.objects.filter(username__startswith=f"flash-{run}-").order_by("pk"))
    Cart.objects.bulk_create([Cart(user=u, market=MARKET) for u in users])
    carts = {c.user_id: c for c in Cart.objects.filter(user__in=users)}
    CartLine.objects.bulk_create(
        [
            CartLine(cart=carts[u.pk], offer=offers[n % hot], quantity=1, price_seen=19900, currency=CURRENCY)
            for n, u in enumerate(users)
        ]
    )
    return offers, [(u, carts[u.pk]) for u in users]


def run_flash_sale(
    *, hot_offers: int = 3, units_per_offer: int = 300, buyers: int = 3000, threads: int = 8, seconds: float = 20
) -> FlashSaleResult:
    offers, queue = _prepare(hot=hot_offers, units_per_offer=units_per_offer, buyers=buyers)
    lock = threading.Lock()
    counts = {"orders": 0, "sold_out": 0, "errors": 0}
    first_errors: list[str] = []
    next_index = iter(range(len(queue)))
    deadline = time.monotonic() + seconds

    def worker() -> None:
        try:
            while time.monotonic() < deadline:
                with lock:
                    index = next(next_index, None)
                if index is None:
                    return
                user, cart = queue[index]
                try:
                    pay_with_test_card(  # the buyer pays on the test provider's page
                        checkout=Checkout(
                            buyer=user,
                            cart=cart,
                            shipping_address=ADDRESS,
                            shipping={},
                            idempotency_key=f"flash-{cart.pk}",
                        ),
                        card=CARD,
                    )
                    outcome = "orders"
                except SoldOut:
                    outcome = "sold_out"
                except Exception as exc:  # counted and shown: a flash sale must raise nothing but sold out
                    outcome = "errors"
                    with lock:
                        if len(first_errors) < 5:
                            first_errors.append(repr(exc)[:200])
                with lock:
                    counts[outcome] += 1
        finally:
            connection.close()

    started = time.monotonic()
    pool = [threading.Thread(target=worker, name=f"flash-{n}") for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=seconds + 60)
    elapsed = time.monotonic() - started

    units = hot_offers * units_per_offer
    sold = sum(
        OrderLine.objects.filter(offer__in=offers, seller_order__order__status=OrderStatus.PAID).values_list(
            "quantity", flat=True
        )
    )
    stock_left = sum(Offer.objects.filter(pk__in=[o.pk for o in offers]).values_list("stock", flat=True))
    out = StringIO()
    try:
        call_command("check_ledger", stdout=out, stderr=out)
        ledger_ok = True
    except CommandError:
        ledger_ok = False
    return FlashSaleResult(
        hot_offers=hot_offers,
        units=units,
        buyers=buyers,
        threads=threads,
        seconds=elapsed,
        orders=counts["orders"],
        orders_per_s=counts["orders"] / elapsed if elapsed else 0.0,
        sold_out=counts["sold_out"],
        errors=counts["errors"],
        oversold=max(0, sold - units) + max(0, -stock_left),
        stock_left=stock_left,
        ledger_ok=ledger_ok,
        first_errors=tuple(first_errors),
    )
