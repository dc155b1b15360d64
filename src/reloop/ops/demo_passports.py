"""Demo unit passports: most buy-box offers of the featured models list their units (docs/unit-passports.md).

Run by ``reloop seed`` after the buy boxes are built: the winners of the featured models' buy boxes (every grade and
market) are picked, four in five of them (a fixed random draw) get up to three units each, with facts that agree
with the offer — battery health within its tier, the parts it says were replaced and their provenance, a phone's
usual tests, an erasure method (a certificate for two units in three) and no lock. IMEIs are valid (Luhn) and
derived from the offer id, so a second seed adds nothing (``ignore_conflicts`` on the live-once index). One query
to pick the offers and one bulk insert: seeding stays fast.
"""

from __future__ import annotations

import random
from typing import Any

from stdnum import luhn

from reloop.catalog.grading import BatteryTier, PartsProvenance
from reloop.devices.domain import IDENTIFIED_BY_IMEI, IDENTIFIED_BY_NOTHING
from reloop.offers.models import Offer
from reloop.passports.domain import PARTS
from reloop.passports.models import OfferUnit, UnitStatus
from reloop.pricing.models import BuyBoxSnapshot

SHARE = 0.8  # of the featured models' buy-box offers
MAX_UNITS = 3
PHONE_TESTS = (
    "display",
    "touch",
    "battery",
    "charging",
    "cameras",
    "speakers",
    "microphones",
    "buttons",
    "biometrics",
    "wifi",
    "bluetooth",
    "cellular",
)
OTHER_TESTS = ("display", "battery", "charging", "speakers", "buttons", "wifi", "bluetooth", "ports")
HEALTH = {BatteryTier.NEW: (100, 100), BatteryTier.HIGH: (90, 99), BatteryTier.STANDARD: (80, 89)}
PROVENANCE = {PartsProvenance.OEM_HARVESTED: "original", PartsProvenance.COMPATIBLE: "third_party"}


def demo_imei(offer_id: int, n: int) -> str:
    body = f"35{offer_id % 10**8:08d}{n:04d}"
    return body + luhn.calc_check_digit(body)


def _facts(offer: Offer, rng: random.Random, n: int, phone: bool) -> dict[str, Any]:
    low, high = HEALTH.get(BatteryTier(offer.battery_tier), (80, 89))
    new_battery = offer.battery_tier == BatteryTier.NEW
    parts = []
    if new_battery:
        parts.append({"part": "battery", "provenance": "certified"})
    provenance = PROVENANCE.get(PartsProvenance(offer.parts_provenance))
    if provenance:
        for name in offer.replaced_parts or ["screen"]:
            key = str(name).strip().lower().replace(" ", "_")
            if key in PARTS and all(p["part"] != key for p in parts):
                parts.append({"part": key, "provenance": provenance})
    certified = n % 3 != 2
    return {
        "battery_health": rng.randint(low, high),
        "battery_cycles": rng.randint(0, 8) if new_battery else rng.randint(90, 420),
        "parts": parts,
        "tests": [{"test": t, "passed": True} for t in (PHONE_TESTS if phone else OTHER_TESTS)],
        "erasure_method": "blancco" if certified else "crypto_erase",
        "erasure_certificate": f"BL-DEMO-{offer.pk}-{n}" if certified else "",
        "carrier_unlocked": True,
        "activation_lock_off": True,
        "mdm_free": True,
    }


def load_demo_passports(*, seed: int = 20261207) -> tuple[int, set[int]]:
    """List demo units behind most featured buy-box offers. Returns (units created, variants touched)."""
    winner_ids = set(
        BuyBoxSnapshot.objects.filter(variant__product_model__featured=True).values_list("winner_id", flat=True)
    )
    offers = list(
        Offer.objects.filter(pk__in=winner_ids)
        .select_related("variant__product_model__category__parent__parent")
        .order_by("pk")
    )
    rng = random.Random(seed)  # noqa: S311  # demo data, not security
    units: list[OfferUnit] = []
    variants: set[int] = set()
    for offer in offers:
        if rng.random() >= SHARE:
            continue
        identification = offer.variant.product_model.category.effective_unit_identification
        if identification == IDENTIFIED_BY_NOTHING:
            continue
        phone = identification == IDENTIFIED_BY_IMEI
        for n in range(1, min(MAX_UNITS, offer.stock) + 1):
            identifier = demo_imei(offer.pk, n) if phone else f"RLD{offer.pk}U{n}"
            units.append(
                OfferUnit(
                    seller_id=offer.seller_id,
                    offer=offer,
                    kind="imei" if phone else "serial",
                    identifier=identifier,
                    status=UnitStatus.AVAILABLE,
                    **_facts(offer, rng, n, phone),
                )
            )
        variants.add(offer.variant_id)
    before = OfferUnit.objects.count()
    OfferUnit.objects.bulk_create(units, batch_size=1000, ignore_conflicts=True)
    return OfferUnit.objects.count() - before, variants
