"""``reloop seed`` gives most buy-box offers of the featured models unit passports, valid and idempotent."""

from __future__ import annotations

import pytest

from reloop.devices.domain import parse_imei
from reloop.ops.seeding import seed
from reloop.passports.domain import check_passport
from reloop.passports.models import OfferUnit
from reloop.pricing.models import BuyBoxSnapshot
from reloop.pricing.services import rebuild_all_buy_boxes

pytestmark = pytest.mark.django_db


def test_most_featured_buy_box_offers_list_units_and_a_second_seed_adds_none():
    seed(size="small")  # the command's own checks are tested in test_seed.py
    winners = set(
        BuyBoxSnapshot.objects.filter(variant__product_model__featured=True, market="fr-fr").values_list(
            "winner_id", flat=True
        )
    )
    listed = set(OfferUnit.objects.filter(offer_id__in=winners).values_list("offer_id", flat=True))
    assert len(winners) >= 20
    assert len(listed) / len(winners) > 0.5  # "most" of the buy-box offers of the top models
    units = list(OfferUnit.objects.all())
    for unit in units[:200]:  # every demo passport passes the rules a seller's would
        fields = {f: getattr(unit, f) for f in ("battery_health", "battery_cycles", "parts", "tests")}
        check_passport({**fields, "erasure_method": unit.erasure_method,
                        "erasure_certificate": unit.erasure_certificate})  # fmt: skip
        if unit.kind == "imei":
            assert parse_imei(unit.identifier) == unit.identifier
    assert rebuild_all_buy_boxes().differences == 0  # the seed left the buy boxes ranked with the passports
    seed(size="small")
    assert OfferUnit.objects.count() == len(units)
