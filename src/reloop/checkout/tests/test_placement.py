"""Placing orders: one payment for several sellers, exact money, no overselling, idempotent retries."""

from __future__ import annotations

import threading
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from reloop.accounts.models import User
from reloop.catalog.tests.factories import VariantFactory
from reloop.checkout.errors import PaymentDeclined, PriceChanged, SoldOut
from reloop.checkout.models import Cart
from reloop.checkout.services import Checkout, add_to_cart, claim_cart, ensure_cart, start_checkout
from reloop.checkout.settlement import expire_reservations
from reloop.checkout.test_provider_buyer import pay_with_test_card
from reloop.core.money import Money
from reloop.offers.models import Offer
from reloop.offers.services import set_offer_prices
from reloop.offers.tests.factories import make_offer
from reloop.orders.domain import LineState
from reloop.orders.models import Order, OrderLine, OrderStatus
from reloop.payments.models import LedgerTransaction, TestCharge
from reloop.sellers.tests.factories import SellerFactory

ADDRESS = {"full_name": "Ada Buyer", "line1": "1 High Street", "postal_code": "SW1A 1AA", "city": "London"}
GOOD_CARD, DECLINED, NO_FUNDS = "4242424242424242", "4000000000000002", "4000000000009995"


def buyer(n: int = 0) -> User:
    return User.objects.create_user(username=f"buyer{n}@example.com", email=f"buyer{n}@example.com", password="x")


def checkout_for(user: User, cart: Cart, *, key: str = "attempt-1", card: str = GOOD_CARD) -> tuple[Checkout, str]:
    """The checkout the buyer submits, and the card they then type on the provider's page."""
    return Checkout(buyer=user, cart=cart, shipping_address=ADDRESS, shipping={}, idempotency_key=key), card


def place_order(*, checkout: tuple[Checkout, str]) -> Order:
    """Checkout, then pay on the test provider's page and come back (the redirect settles the payment)."""
    submitted, card = checkout
    return pay_with_test_card(checkout=submitted, card=card)


def ledger_ok() -> str:
    out = StringIO()
    call_command("check_ledger", stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture
def two_sellers(db):
    variant = VariantFactory()
    a = make_offer(seller=SellerFactory(name="Alpha"), variant=variant, price=30000, stock=3)
    b = make_offer(seller=SellerFactory(name="Beta"), variant=VariantFactory(), price=12000, stock=2)
    return a, b


@pytest.mark.django_db
class TestPlacement:
    def test_one_payment_for_two_sellers_gives_one_order_with_two_seller_parts(self, two_sellers):
        a, b = two_sellers
        user = buyer()
        cart = ensure_cart(user=user, token=None, market="en-gb")
        add_to_cart(cart=cart, offer_id=a.pk, quantity=2)
        add_to_cart(cart=cart, offer_id=b.pk)

        order = place_order(checkout=checkout_for(user, cart))

        assert (order.status, order.total, order.currency) == (OrderStatus.PAID, 72000, "GBP")
        parts = {p.seller.name: p for p in order.seller_orders.all()}
        assert {name: (p.items_total, p.commission) for name, p in parts.items()} == {
            "Alpha": (60000, 6000),
            "Beta": (12000, 1200),
        }
        line = OrderLine.objects.get(offer=a)
        assert (line.quantity, line.unit_price, line.state, line.seller_name, line.grade) == (
            2,
            30000,
            "paid",
            "Alpha",
            "good",
        )
        assert list(line.events.values_list("to_state", flat=True)) == [LineState.PAID]
        assert [o.stock for o in Offer.objects.order_by("pk")] == [1, 1]
        assert TestCharge.objects.get().amount == 72000
        assert cart.lines.count() == 0
        assert "FAILED" not in ledger_ok()

    def test_the_same_idempotency_key_twice_gives_one_order_and_one_charge(self, two_sellers):
        a, _ = two_sellers
        user = buyer()
        cart = ensure_cart(user=user, token=None, market="en-gb")
        add_to_cart(cart=cart, offer_id=a.pk)
        first = place_order(checkout=checkout_for(user, cart, key="double-click"))
        add_to_cart(cart=cart, offer_id=a.pk)  # even with the cart refilled, a replay is the same order
        second = place_order(checkout=checkout_for(user, cart, key="double-click"))
        assert first.pk == second.pk
        assert (Order.objects.count(), TestCharge.objects.count(), LedgerTransaction.objects.count()) == (1, 1, 2)
        assert Offer.objects.get(pk=a.pk).stock == 2

    @pytest.mark.parametrize("card", [DECLINED, NO_FUNDS])
    def test_a_declined_card_places_no_order_and_gives_the_stock_back(self, two_sellers, card):
        a, _ = two_sellers
        user = buyer()
        cart = ensure_cart(user=user, token=None, market="en-gb")
        add_to_cart(cart=cart, offer_id=a.pk)
        with pytest.raises(PaymentDeclined):
            place_order(checkout=checkout_for(user, cart, card=card))
        assert Order.objects.get().status == OrderStatus.PAYMENT_FAILED
        assert Offer.objects.get(pk=a.pk).stock == 3
        assert LedgerTransaction.objects.count() == 0
        assert cart.lines.count() == 1  # the buyer can try another card
        with pytest.raises(PaymentDeclined):  # the same attempt replayed stays declined, stock untouched
            place_order(checkout=checkout_for(user, cart, card=card))
        assert Offer.objects.get(pk=a.pk).stock == 3
        order = place_order(checkout=checkout_for(user, cart, key="attempt-2"))
        assert order.status == OrderStatus.PAID

    def test_a_price_change_stops_checkout_until_the_buyer_has_seen_it(self, two_sellers):
        a, _ = two_sellers
        user = buyer()
        cart = ensure_cart(user=user, token=None, market="en-gb")
        add_to_cart(cart=cart, offer_id=a.pk)
        set_offer_prices(seller=a.seller, offer_id=a.pk, prices={"en-gb": Money(31000, "GBP")})
        with pytest.raises(PriceChanged):
            place_order(checkout=checkout_for(user, cart))
        assert not Order.objects.exists()
        order = place_order(checkout=checkout_for(user, cart))
        assert order.total == 31000

    def test_sold_out_reserves_nothing(self, two_sellers):
        a, b = two_sellers
        user = buyer()
        cart = ensure_cart(user=user, token=None, market="en-gb")
        add_to_cart(cart=cart, offer_id=b.pk)
        add_to_cart(cart=cart, offer_id=a.pk, quantity=3)
        Offer.objects.filter(pk=a.pk).update(stock=1)  # someone else bought two meanwhile
        with pytest.raises(SoldOut, match="Sold out"):
            place_order(checkout=checkout_for(user, cart))
        assert [o.stock for o in Offer.objects.order_by("pk")] == [1, 2]
        assert not Order.objects.exists()

    def test_expired_reservations_give_stock_back_once(self, two_sellers, monkeypatch):
        a, _ = two_sellers
        user = buyer()
        cart = ensure_cart(user=user, token=None, market="en-gb")
        add_to_cart(cart=cart, offer_id=a.pk, quantity=2)
        order = start_checkout(checkout=checkout_for(user, cart)[0]).order  # the buyer never pays
        assert Offer.objects.get(pk=a.pk).stock == 1
        later = timezone.now() + timedelta(minutes=16)
        assert expire_reservations(now=later) == 1
        assert expire_reservations(now=later) == 0
        order.refresh_from_db()
        assert (order.status, Offer.objects.get(pk=a.pk).stock) == (OrderStatus.EXPIRED, 3)


@pytest.mark.django_db
def test_anonymous_cart_merges_into_the_users_cart_at_login(two_sellers):
    a, b = two_sellers
    anonymous = ensure_cart(user=None, token=None, market="en-gb")
    add_to_cart(cart=anonymous, offer_id=a.pk)
    add_to_cart(cart=anonymous, offer_id=b.pk)
    user = buyer()
    mine = ensure_cart(user=user, token=None, market="en-gb")
    add_to_cart(cart=mine, offer_id=a.pk)
    merged = claim_cart(user=user, token=str(anonymous.token), market="en-gb")
    assert merged.pk == mine.pk
    assert dict(merged.lines.values_list("offer_id", "quantity")) == {a.pk: 2, b.pk: 1}
    assert not Cart.objects.filter(pk=anonymous.pk).exists()


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_fifty_buyers_race_for_ten_units_and_exactly_ten_get_one():
    """On PostgreSQL and SQLite alike: exactly 10 sold, stock 0, everyone else a clear sold out, ledger balanced."""
    offer = make_offer(seller=SellerFactory(), variant=VariantFactory(), price=19900, stock=10)
    carts = []
    for n in range(50):
        user = buyer(n)
        cart = ensure_cart(user=user, token=None, market="en-gb")
        add_to_cart(cart=cart, offer_id=offer.pk)
        carts.append((user, cart))
    outcomes: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(len(carts))

    def attempt(user: User, cart: Cart) -> None:
        try:
            start.wait()
            place_order(checkout=checkout_for(user, cart, key=f"race-{user.pk}"))
            result = "ok"
        except SoldOut:
            result = "sold_out"
        except Exception as exc:  # any other error fails the test below
            result = f"error: {exc!r}"
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=pair) for pair in carts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(set(outcomes)) == ["ok", "sold_out"], outcomes
    assert outcomes.count("ok") == 10
    assert Offer.objects.get(pk=offer.pk).stock == 0
    assert Order.objects.filter(status=OrderStatus.PAID).count() == 10
    assert OrderLine.objects.count() == 10
    assert "FAILED" not in ledger_ok()


@pytest.mark.django_db
def test_cancelling_lines_refunds_the_buyer_restores_stock_and_reverses_the_ledger(two_sellers):
    from reloop.checkout.services import cancel_line
    from reloop.payments.selectors import balance

    a, b = two_sellers
    user = buyer()
    cart = ensure_cart(user=user, token=None, market="en-gb")
    add_to_cart(cart=cart, offer_id=a.pk)
    add_to_cart(cart=cart, offer_id=b.pk)
    order = place_order(checkout=checkout_for(user, cart))
    line_a = OrderLine.objects.get(offer=a)

    cancel_line(line_id=line_a.pk, actor=user, actor_kind="buyer", reason="changed my mind")

    line_a.refresh_from_db()
    assert line_a.state == LineState.CANCELLED
    assert Offer.objects.get(pk=a.pk).stock == 3
    charge = TestCharge.objects.get()
    assert charge.refunded_amount == 30000
    seller_a = a.seller_id
    assert balance(f"seller:{seller_a}:payable", "GBP").amount == 0  # nothing left owed to Alpha
    assert balance("platform:commission", "GBP").amount == -1200  # only Beta's commission remains
    assert list(line_a.events.values_list("from_state", "to_state")) == [("", "paid"), ("paid", "cancelled")]
    with pytest.raises(Exception, match="cannot become cancelled"):
        cancel_line(line_id=line_a.pk, actor=user, actor_kind="buyer", reason="again")
    assert "FAILED" not in ledger_ok()
    assert order.pk
