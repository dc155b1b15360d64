"""Two buyers, one unit (issue 16 item 1): both chose the same listed unit and pay at the same moment. Exactly one
gets it; the other is told it was taken; the stock moves by exactly one, and only that unit is reserved and sold."""

from __future__ import annotations

import threading
from typing import cast

import pytest
from django.db import connection

from reloop.accounts.models import User
from reloop.accounts.tests.factories import UserFactory
from reloop.checkout.errors import SoldOut
from reloop.checkout.services import add_to_cart, ensure_cart
from reloop.checkout.tests.factories import pay_cart
from reloop.offers.models import Offer
from reloop.orders.models import Order, OrderLine, OrderStatus
from reloop.passports.models import OfferUnit, UnitStatus
from reloop.passports.tests.factories import list_units, phone_offer
from reloop.sellers.models import Seller
from reloop.sellers.tests.factories import SellerFactory


@pytest.mark.concurrency
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("round_", range(3))
def test_two_buyers_race_for_one_unit_and_exactly_one_gets_it(round_):
    offer = phone_offer(seller=cast(Seller, SellerFactory()), stock=5)
    wanted, other = list_units(offer, [96, 90])
    buyers = []
    for _ in range(2):
        user = cast(User, UserFactory())
        cart = ensure_cart(user=user, token=None, market="en-gb")
        add_to_cart(cart=cart, offer_id=offer.pk, unit_id=wanted.pk)
        buyers.append((user, cart))
    outcomes: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(len(buyers))

    def attempt(user: User, cart) -> None:
        try:
            start.wait()
            pay_cart(buyer=user, cart=cart, key=f"unit-race-{round_}-{user.pk}")
            result = "ok"
        except SoldOut as exc:
            result = exc.code
        except Exception as exc:  # any other error fails the test below
            result = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=pair) for pair in buyers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(outcomes) == ["ok", "unit_taken"], outcomes
    assert Offer.objects.get(pk=offer.pk).stock == 4  # one unit left the stock, not two
    line = OrderLine.objects.get()
    assert Order.objects.filter(status=OrderStatus.PAID).count() == 1
    wanted.refresh_from_db()
    assert (wanted.status, wanted.order_line_ref) == (UnitStatus.RESERVED, line.pk)
    assert OfferUnit.objects.get(pk=other.pk).status == UnitStatus.AVAILABLE
