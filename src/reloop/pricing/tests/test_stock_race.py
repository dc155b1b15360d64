"""The buy box after a seller's stock take races a sale of the offer's last unit, with threads against PostgreSQL
(on SQLite the IMMEDIATE transactions already run one writer at a time, so the interleaving cannot happen).

It lives with pricing because it asserts the buy box (the layer contract keeps offers' tests below pricing)."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from reloop.catalog.tests.factories import VariantFactory
from reloop.offers import services
from reloop.offers.models import Offer
from reloop.offers.tests.factories import make_offer
from reloop.pricing.models import BuyBoxSnapshot
from reloop.sellers.tests.factories import SellerFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


@pytest.mark.postgres
def test_a_stock_take_racing_the_last_sale_keeps_the_offer_in_the_buy_box(monkeypatch):
    # Given the buy-box winner with 1 unit left
    offer = make_offer(seller=SellerFactory(), variant=VariantFactory(), stock=1)
    assert BuyBoxSnapshot.objects.filter(winner=offer, market="en-gb").exists()
    read = threading.Event()
    real_read = services.get_seller_offer

    def read_then_pause(**kwargs):
        found = real_read(**kwargs)
        read.set()
        time.sleep(0.5)  # the sale runs now, or waits for the stock take's row lock
        return found

    monkeypatch.setattr(services, "get_seller_offer", read_then_pause)

    def in_thread(work):
        def run():
            try:
                work()
            finally:
                connection.close()

        return threading.Thread(target=run)

    def last_sale():
        assert read.wait(5)
        services.adjust_stock(offer_id=offer.pk, delta=-1)

    # When the seller sets the stock to 5 while a checkout takes the last unit
    threads = [
        in_thread(lambda: services.set_stock(seller=offer.seller, offer_id=offer.pk, stock=5)),
        in_thread(last_sale),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    # Then the sale came after the stock take, and the offer, in stock, still holds the buy box
    in_buy_box = BuyBoxSnapshot.objects.filter(winner=offer, market="en-gb").exists()
    assert (Offer.objects.get(pk=offer.pk).stock, in_buy_box) == (4, True)
