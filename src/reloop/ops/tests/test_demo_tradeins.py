"""The demo's trade-ins: bids across the catalogue, the demo buyer's trade-ins in every state, the passport of a
traded-in unit shown to its next buyer; balanced in the ledger and loaded once."""

from __future__ import annotations

import pytest

from reloop.buyback.models import Bid, TradeIn
from reloop.catalog.tests.factories import CategoryFactory, ProductModelFactory, ReferencePriceFactory, VariantFactory
from reloop.devices.models import DeviceEvent
from reloop.devices.selectors import passports
from reloop.offers.tests.factories import make_offer
from reloop.ops.demo_accounts import DEMO_SELLER_SLUG, load_demo_accounts
from reloop.ops.demo_tradeins import load_demo_tradeins
from reloop.payments.checks import failed, run_checks
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def catalogue(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    phones = CategoryFactory(slug="smartphones", name="Smartphones")
    demo = SellerFactory(name="Second Wind Devices", slug=DEMO_SELLER_SLUG)
    SellerFactory(name="Phoenix Phones")
    variants = [VariantFactory(product_model=ProductModelFactory(category=phones)) for _ in range(14)]
    for variant in variants:
        ReferencePriceFactory(variant=variant, amount=79900)
    make_offer(seller=demo, variant=variants[0], stock=3)
    load_demo_accounts()
    return demo


def test_every_state_once_and_a_passport_for_the_next_buyer(catalogue):
    made = load_demo_tradeins()
    assert made == 11
    states = sorted(TradeIn.objects.filter(customer__username="buyer@reloop.test").values_list("state", flat=True))
    assert states == sorted(
        [
            "awaiting_shipment",
            "shipped",
            "received",
            "received",
            "counter_offered",
            "paid",
            "paid",
            "returning",
            "returned",
            "blocked",
            "expired",
        ]
    )
    assert TradeIn.objects.filter(escalation="late_inspection").count() == 1
    assert Bid.objects.filter(seller=catalogue).exists()
    device = DeviceEvent.objects.get(details__erasure_certificate="ERASE-DEMO-0001").device
    assert [e.kind for e in passports([device.pk])[device.pk]] == ["traded_in", "refurbished", "sold"]
    assert failed(run_checks()) == []
    bids = Bid.objects.count()
    assert load_demo_tradeins() == 0
    assert (Bid.objects.count(), TradeIn.objects.count()) == (bids, 12)
