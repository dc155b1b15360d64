"""The buyer's order list: only their own paid orders, each line with its state, in a constant number of queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reloop.accounts.tests.factories import UserFactory
from reloop.catalog.tests.factories import VariantFactory
from reloop.checkout.tests.factories import checkout_order
from reloop.offers.tests.factories import make_offer
from reloop.orders.models import ActorKind
from reloop.orders.services import transition_line
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse("web:orders"))
    assert response.status_code == 302
    assert "/account/sign-in/" in response["Location"]


def test_a_buyer_sees_their_orders_with_each_line_state_and_not_another_buyer_s(client):
    # Given two buyers with one order each, the first one's line accepted by the seller
    ann, bob = UserFactory(), UserFactory()
    offer = make_offer(seller=SellerFactory(), variant=VariantFactory(), price=30000, stock=5)
    mine = checkout_order(items=[(offer, 1)], buyer=ann)
    theirs = checkout_order(items=[(offer, 1)], buyer=bob)
    transition_line(
        line_id=mine.seller_orders.get().lines.get().pk, to_state="accepted", actor=None, actor_kind=ActorKind.SELLER
    )
    client.force_login(ann)

    # When Ann opens her orders
    html = client.get(reverse("web:orders")).content.decode()

    # Then she sees her order, its product and the line's state, and nothing of Bob's order
    assert mine.number in html
    assert theirs.number not in html
    assert "status-accepted" in html
    assert offer.variant.product_model.title in html


@pytest.mark.parametrize("orders", [1, 10])
def test_the_list_costs_the_same_for_1_and_10_orders(client, django_assert_num_queries, orders):
    buyer = UserFactory()
    offer = make_offer(seller=SellerFactory(), variant=VariantFactory(), price=30000, stock=20)
    for _ in range(orders):
        checkout_order(items=[(offer, 1)], buyer=buyer)
    client.force_login(buyer)
    # session, user, the category navigation (cache cold in tests), orders, seller parts with sellers, lines
    with django_assert_num_queries(6):
        response = client.get(reverse("web:orders"))
    assert response.content.decode().count('class="status status-paid"') == orders
