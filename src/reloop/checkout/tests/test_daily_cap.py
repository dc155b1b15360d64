"""The new-seller daily cap (DESIGN.md section 2, ADR 0012): 5 units a day for the first 40 days after approval."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from reloop.accounts.models import User
from reloop.catalog.tests.factories import VariantFactory
from reloop.checkout.errors import SellerDailyCapReached
from reloop.checkout.tests import factories
from reloop.offers.models import Offer
from reloop.offers.tests.factories import make_offer
from reloop.orders.models import Order
from reloop.pricing.models import BuyBoxSnapshot
from reloop.sellers.models import Seller
from reloop.sellers.services import lift_daily_caps
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db


def buyer(n: int) -> User:
    return User.objects.create_user(username=f"cap{n}@example.com", email=f"cap{n}@example.com", password="x")


def cart_with(user: User, offer: Offer, quantity: int):
    return factories.cart_with(buyer=user, items=[(offer, quantity)])


def buy(user: User, cart, key: str) -> Order:
    return factories.pay_cart(buyer=user, cart=cart, key=key)


def winner(variant) -> int:
    return BuyBoxSnapshot.objects.get(variant=variant, market="en-gb").winner_id


@pytest.fixture
def market(django_capture_on_commit_callbacks):
    """A seller approved today with the cheapest offer, and an established seller with a dearer one."""
    variant = VariantFactory()
    with django_capture_on_commit_callbacks(execute=True):
        newcomer = make_offer(
            seller=SellerFactory(name="Newcomer", approved_at=timezone.now()), variant=variant, price=10000, stock=20
        )
        veteran = make_offer(seller=SellerFactory(name="Veteran"), variant=variant, price=12000, stock=20)
    assert winner(variant) == newcomer.pk
    return variant, newcomer, veteran


def test_the_fifth_sale_of_the_day_moves_the_buy_box_to_the_next_offer(market, django_capture_on_commit_callbacks):
    variant, newcomer, veteran = market
    with django_capture_on_commit_callbacks(execute=True):
        buy(buyer(1), cart_with(User.objects.get(username="cap1@example.com"), newcomer, 4), "a")
    # Given 4 units sold today, the newcomer still wins.
    assert (Seller.objects.get(pk=newcomer.seller_id).capped_on, winner(variant)) == (None, newcomer.pk)

    with django_capture_on_commit_callbacks(execute=True):
        buy(buyer(2), cart_with(User.objects.get(username="cap2@example.com"), newcomer, 1), "b")

    assert Seller.objects.get(pk=newcomer.seller_id).capped_on == timezone.now().date()
    assert winner(variant) == veteran.pk


def test_a_cart_that_would_pass_the_cap_is_refused_and_nothing_is_reserved(market, django_capture_on_commit_callbacks):
    variant, newcomer, _ = market
    with django_capture_on_commit_callbacks(execute=True):
        buy(buyer(1), cart_with(User.objects.get(username="cap1@example.com"), newcomer, 4), "a")
    late = buyer(2)
    cart = cart_with(late, newcomer, 2)  # 4 + 2 > 5

    with pytest.raises(SellerDailyCapReached) as refused:
        buy(late, cart, "b")

    assert refused.value.code == "seller_daily_cap"
    assert "1 left today" in refused.value.message
    assert Order.objects.filter(buyer=late).count() == 0
    assert Offer.objects.get(pk=newcomer.pk).stock == 16
    assert winner(variant) == newcomer.pk


def test_a_sixth_unit_in_checkout_is_refused_once_capped(market, django_capture_on_commit_callbacks):
    _, newcomer, _ = market
    late = buyer(9)
    cart = cart_with(late, newcomer, 1)  # in the cart before the cap is reached
    with django_capture_on_commit_callbacks(execute=True):
        buy(buyer(1), cart_with(User.objects.get(username="cap1@example.com"), newcomer, 5), "a")

    with pytest.raises(SellerDailyCapReached):
        buy(late, cart, "late")

    assert Order.objects.filter(buyer=late).count() == 0
    assert Offer.objects.get(pk=newcomer.pk).stock == 15


def test_two_buyers_checking_out_at_once_cannot_both_take_the_last_unit_of_the_day(
    market, django_capture_on_commit_callbacks, monkeypatch
):
    """Given 4 units sold today, buyer 2 passes the first cap check and, before it reserves, buyer 3 takes the
    5th unit (the interleaving of two concurrent checkouts); then buyer 2 is refused when it reserves."""
    from reloop.checkout import services

    _, newcomer, _ = market
    with django_capture_on_commit_callbacks(execute=True):
        buy(buyer(1), cart_with(User.objects.get(username="cap1@example.com"), newcomer, 4), "a")
    second, third = buyer(2), buyer(3)
    second_cart, third_cart = cart_with(second, newcomer, 1), cart_with(third, newcomer, 1)
    real_check = services.check_daily_caps
    interleaved: list[Order] = []

    def check_then_let_the_other_buyer_through(review, **kwargs):
        real_check(review, **kwargs)
        if not interleaved and review.parts[0].items[0].line.cart_id == second_cart.pk:
            interleaved.append(buy(third, third_cart, "c"))  # buyer 3 pays the 5th unit meanwhile

    monkeypatch.setattr(services, "check_daily_caps", check_then_let_the_other_buyer_through)

    with pytest.raises(SellerDailyCapReached):
        buy(second, second_cart, "b")

    assert [o.buyer_id for o in interleaved] == [third.pk]
    assert Order.objects.filter(buyer=second).count() == 0
    assert Offer.objects.get(pk=newcomer.pk).stock == 15  # 4 + 1 sold, nothing taken for buyer 2


def test_the_next_day_the_job_brings_the_seller_back_once(market, django_capture_on_commit_callbacks, monkeypatch):
    variant, newcomer, veteran = market
    with django_capture_on_commit_callbacks(execute=True):
        buy(buyer(1), cart_with(User.objects.get(username="cap1@example.com"), newcomer, 5), "a")
    assert winner(variant) == veteran.pk
    tomorrow = timezone.now() + dt.timedelta(days=1)
    monkeypatch.setattr("reloop.core.clock.now", lambda: tomorrow)

    with django_capture_on_commit_callbacks(execute=True):
        lifted = lift_daily_caps()
    with django_capture_on_commit_callbacks(execute=True) as second:
        again = lift_daily_caps()

    assert (lifted, again, second) == (1, 0, [])
    assert Seller.objects.get(pk=newcomer.seller_id).capped_on is None
    assert winner(variant) == newcomer.pk
    # The new day has its own allowance: 5 more units can be sold.
    with django_capture_on_commit_callbacks(execute=True):
        buy(buyer(2), cart_with(User.objects.get(username="cap2@example.com"), newcomer, 5), "b")
    assert Order.objects.get(idempotency_key="b").status == "paid"


def test_an_established_seller_is_never_capped(django_capture_on_commit_callbacks):
    variant = VariantFactory()
    demo_like = SellerFactory(approved_at=timezone.now() - dt.timedelta(days=40))  # day 41
    with django_capture_on_commit_callbacks(execute=True):
        offer = make_offer(seller=demo_like, variant=variant, price=10000, stock=20)
        buy(buyer(1), cart_with(User.objects.get(username="cap1@example.com"), offer, 5), "a")
        buy(buyer(2), cart_with(User.objects.get(username="cap2@example.com"), offer, 3), "b")

    assert Seller.objects.get(pk=demo_like.pk).capped_on is None
    assert winner(variant) == offer.pk


def test_the_cap_and_its_days_are_configurable(settings, django_capture_on_commit_callbacks):
    settings.RELOOP_NEW_SELLER_DAILY_CAP = 2
    variant = VariantFactory()
    seller = SellerFactory(approved_at=timezone.now() - dt.timedelta(days=40))
    settings.RELOOP_NEW_SELLER_CAP_DAYS = 41
    with django_capture_on_commit_callbacks(execute=True):
        offer = make_offer(seller=seller, variant=variant, price=10000, stock=20)
        buy(buyer(1), cart_with(User.objects.get(username="cap1@example.com"), offer, 2), "a")

    assert Seller.objects.get(pk=seller.pk).capped_on == timezone.now().date()
