"""Demo offers: believable listings from the demo refurbishers across the whole catalogue, loaded in bulk.

Prices follow the reference new price of each market, discounted by grade and by the model's age, adjusted for
battery and parts, with a per-seller and a per-offer spread. Generation is deterministic: a smaller size is a
prefix of a larger one, and offers are upserted on (seller, SKU), so seeding twice, or seeding a larger size
after a smaller one, never duplicates an offer. Derived buy-box data is rebuilt afterwards.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils.text import slugify

from reloop.catalog.grading import BatteryTier, Grade, PartsProvenance
from reloop.catalog.models import ReferencePrice, Variant
from reloop.markets.data import MARKETS
from reloop.offers.models import Offer, OfferPrice, VatScheme
from reloop.sellers.models import Seller
from reloop.sellers.services import DEMO_SELLERS_FILE

OFFER_COUNTS = {"small": 4_000, "medium": 20_000, "large": 500_000}
BATCH = 5_000

GRADE_FACTOR: dict[str, str] = {Grade.PREMIUM: "1.00", Grade.EXCELLENT: "0.90", Grade.GOOD: "0.84", Grade.FAIR: "0.76"}
GRADE_WEIGHTS: dict[str, int] = {Grade.PREMIUM: 1, Grade.EXCELLENT: 4, Grade.GOOD: 5, Grade.FAIR: 2}
BATTERY_FACTOR: dict[str, str] = {BatteryTier.STANDARD: "1.00", BatteryTier.HIGH: "1.03", BatteryTier.NEW: "1.06"}
BATTERY_WEIGHTS: dict[str, int] = {BatteryTier.STANDARD: 6, BatteryTier.HIGH: 3, BatteryTier.NEW: 2}
PARTS_FACTOR: dict[str, str] = {
    PartsProvenance.ALL_ORIGINAL: "1.00",
    PartsProvenance.OEM_HARVESTED: "0.97",
    PartsProvenance.COMPATIBLE: "0.92",
}
PARTS_WEIGHTS: dict[str, int] = {
    PartsProvenance.ALL_ORIGINAL: 7,
    PartsProvenance.OEM_HARVESTED: 2,
    PartsProvenance.COMPATIBLE: 2,
}
REPLACEABLE = ("screen", "battery", "back glass", "camera", "charging port", "keyboard", "speaker")
#: Round prices to these minor units per currency (a price of 349.00, 4,990 yen).
ROUNDING = {"JPY": 10}


@dataclass(frozen=True)
class PlannedOffer:
    seller_id: int
    sku: str
    variant_id: int
    grade: str
    battery_tier: str
    parts_provenance: str
    replaced_parts: tuple[str, ...]
    stock: int
    warranty_months: int
    dispatch_days: int
    vat_scheme: str
    prices: dict[str, int]  # market -> minor units


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _age_factor(release: date, today: date) -> Decimal:
    """Value of a used unit as a share of the new price: 80% when new, 8 points less a year, never under 35%."""
    years = max(0.0, (today - release).days / 365.25)
    return Decimal(str(round(max(0.35, 0.80 - 0.08 * years), 3)))


def _round_price(amount: Decimal, currency: str) -> int:
    step = ROUNDING.get(currency, 100)  # whole units
    units = (amount / step).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return max(int(units) * step, step)


def plan_offers(*, size: str, today: date, seed: int = 20261126) -> Iterator[PlannedOffer]:
    """The offers of ``size``, in a stable order (each size a prefix of the next)."""
    target = OFFER_COUNTS[size]
    seller_markets = {
        slugify(row["name"]): row["markets"]
        for row in json.loads(DEMO_SELLERS_FILE.read_text(encoding="utf-8"))["sellers"]
    }
    sellers = [(s.pk, s.slug, seller_markets.get(s.slug, [])) for s in Seller.objects.order_by("pk")]
    variants = list(
        Variant.objects.select_related("product_model__category")
        .order_by("pk")
        .values_list("pk", "product_model__release_date", "product_model__category__battery_min_health")
    )
    references: dict[int, dict[str, tuple[int, str]]] = {}
    for variant_id, market, amount, currency in ReferencePrice.objects.values_list(
        "variant_id", "market", "amount", "currency"
    ).iterator(chunk_size=20_000):
        references.setdefault(variant_id, {})[market] = (amount, currency)
    rng = random.Random(seed)
    # A seller's prices sit within ±1.5% of the market, an offer's within ±1% of its seller's: together less than
    # the smallest gap between two grades (Good → Excellent, 7%), so a worse grade costs more than a better one
    # only when battery or parts explain it, as on real listings (issue 16 item 6; `reloop grade_inversions`).
    seller_spread = {pk: Decimal(str(round(rng.uniform(0.985, 1.015), 3))) for pk, _, _ in sellers}
    everywhere = [s for s in sellers if len(s[2]) == len(MARKETS)]
    taken: set[tuple[int, int, str, str, str]] = set()
    produced = 0
    # First every variant gets two offers, in two grades, from sellers that ship to every market, so every product
    # page of every market has a buy box and a grade choice; then offers are drawn at random.
    rounds = 0
    while produced < target:
        rounds += 1
        for index, (variant_id, release, battery_min) in enumerate(variants):
            if produced >= target:
                return
            grade: str
            battery: str
            parts: str
            if rounds <= 2 and len(everywhere) >= 2:
                seller_id, seller_slug, markets = everywhere[(index + rounds) % len(everywhere)]
                grade = (Grade.GOOD, Grade.EXCELLENT)[rounds - 1]
                battery, parts = BatteryTier.STANDARD, PartsProvenance.ALL_ORIGINAL
            else:
                seller_id, seller_slug, markets = sellers[rng.randrange(len(sellers))]
                grade = _weighted(rng, GRADE_WEIGHTS)
                battery = _weighted(rng, BATTERY_WEIGHTS) if battery_min else BatteryTier.STANDARD
                parts = _weighted(rng, PARTS_WEIGHTS)
            if grade == Grade.PREMIUM:
                parts = PartsProvenance.ALL_ORIGINAL
                battery = BatteryTier.NEW if battery == BatteryTier.NEW else BatteryTier.HIGH
            key = (seller_id, variant_id, grade, battery, parts)
            if key in taken or not markets:
                continue
            taken.add(key)
            replaced: tuple[str, ...] = ()
            if parts != PartsProvenance.ALL_ORIGINAL:
                replaced = tuple(sorted(rng.sample(REPLACEABLE, rng.randint(1, 2))))
            factor = (
                Decimal(GRADE_FACTOR[grade])
                * _age_factor(release, today)
                * Decimal(BATTERY_FACTOR[battery])
                * Decimal(PARTS_FACTOR[parts])
                * seller_spread[seller_id]
                * Decimal(str(round(rng.uniform(0.99, 1.01), 3)))
            )
            prices = {
                market: _round_price(references[variant_id][market][0] * factor, references[variant_id][market][1])
                for market in markets
                if market in references.get(variant_id, {})
            }
            if not prices:
                continue
            produced += 1
            yield PlannedOffer(
                seller_id=seller_id,
                sku=f"{seller_slug[:12].upper()}-{variant_id}-{grade[:2]}{battery[:1]}{parts[:1]}".upper(),
                variant_id=variant_id,
                grade=grade,
                battery_tier=battery,
                parts_provenance=parts,
                replaced_parts=replaced,
                stock=0 if rounds > 2 and rng.random() < 0.07 else rng.randint(1, 25),
                warranty_months=rng.choices([12, 18, 24], weights=[7, 1, 2])[0],
                dispatch_days=rng.choices([0, 1, 2, 3], weights=[2, 6, 2, 1])[0],
                vat_scheme=VatScheme.MARGIN if rng.random() < 0.85 else VatScheme.STANDARD,
                prices=prices,
            )


def _flush(batch: list[PlannedOffer]) -> int:
    with transaction.atomic():
        Offer.objects.bulk_create(
            [
                Offer(
                    seller_id=p.seller_id,
                    sku=p.sku,
                    variant_id=p.variant_id,
                    grade=p.grade,
                    battery_tier=p.battery_tier,
                    parts_provenance=p.parts_provenance,
                    replaced_parts=list(p.replaced_parts),
                    stock=p.stock,
                    warranty_months=p.warranty_months,
                    dispatch_days=p.dispatch_days,
                    vat_scheme=p.vat_scheme,
                )
                for p in batch
            ],
            update_conflicts=True,
            unique_fields=["seller", "sku"],
            update_fields=["stock", "warranty_months", "dispatch_days", "vat_scheme", "replaced_parts"],
        )
        ids = {
            (seller_id, sku): pk
            for pk, seller_id, sku in Offer.objects.filter(sku__in=[p.sku for p in batch]).values_list(
                "pk", "seller_id", "sku"
            )
        }
        currencies = {m.code: m.currency for m in MARKETS}
        prices = [
            OfferPrice(offer_id=ids[(p.seller_id, p.sku)], market=m, amount=amount, currency=currencies[m])
            for p in batch
            for m, amount in p.prices.items()
        ]
        OfferPrice.objects.bulk_create(
            prices, batch_size=2_000, update_conflicts=True, unique_fields=["offer", "market"], update_fields=["amount"]
        )
    return len(prices)


def load_demo_offers(*, size: str, today: date) -> tuple[int, int]:
    """Upsert the demo offers of ``size``; returns (offers, prices) written."""
    offers = prices = 0
    batch: list[PlannedOffer] = []
    for planned in plan_offers(size=size, today=today):
        batch.append(planned)
        if len(batch) >= BATCH:
            prices += _flush(batch)
            offers += len(batch)
            batch = []
    if batch:
        prices += _flush(batch)
        offers += len(batch)
    return offers, prices
