"""Delivered lines and reviews, made through the real services: checkout places and pays the order, the line moves
through the state machine like the seller and the carrier would move it."""

from __future__ import annotations

import itertools
from typing import cast

from reloop.accounts.models import User
from reloop.accounts.tests.factories import UserFactory
from reloop.checkout.tests.factories import cart_with, pay_cart
from reloop.offers.models import Offer
from reloop.orders.domain import LineState
from reloop.orders.models import ActorKind, Order, OrderLine
from reloop.orders.services import transition_line
from reloop.reviews.models import Review
from reloop.reviews.services import write_review

_attempt = itertools.count(1)

#: The path of a line from payment to each state (through the state machine).
PATH: dict[str, tuple[str, ...]] = {
    LineState.PAID: (),
    LineState.ACCEPTED: (LineState.ACCEPTED,),
    LineState.SHIPPED: (LineState.ACCEPTED, LineState.SHIPPED),
    LineState.DELIVERED: (LineState.ACCEPTED, LineState.SHIPPED, LineState.DELIVERED),
    LineState.COMPLETED: (LineState.ACCEPTED, LineState.SHIPPED, LineState.DELIVERED, LineState.COMPLETED),
    LineState.RETURN_REQUESTED: (
        LineState.ACCEPTED,
        LineState.SHIPPED,
        LineState.DELIVERED,
        LineState.RETURN_REQUESTED,
    ),
    LineState.CANCELLED: (LineState.CANCELLED,),
}


def place_paid_order(*, buyer: User, offers: list[Offer], market: str = "en-gb", quantity: int = 1) -> Order:
    cart = cart_with(buyer=buyer, items=[(offer, quantity) for offer in offers], market=market)
    return pay_cart(buyer=buyer, cart=cart, key=f"attempt-{next(_attempt)}")


def move_line(line: OrderLine, state: str, *, actor_kind: str = ActorKind.SELLER, reason: str = "") -> OrderLine:
    for step in PATH[state]:
        kind = ActorKind.BUYER if step == LineState.RETURN_REQUESTED else actor_kind
        line = transition_line(line_id=line.pk, to_state=step, actor=None, actor_kind=kind, reason=reason)
    return line


def bought_line(
    *, offer: Offer, buyer: User | None = None, state: str = LineState.DELIVERED, quantity: int = 1
) -> OrderLine:
    """One line of ``offer`` bought by ``buyer`` (a new buyer by default), moved to ``state``."""
    order = place_paid_order(buyer=buyer or cast(User, UserFactory()), offers=[offer], quantity=quantity)
    line = OrderLine.objects.get(seller_order__order=order)
    return move_line(line, state)


def reviewed_line(
    *, offer: Offer, product_rating: int = 5, seller_rating: int = 5, text: str = "Works like new, fast delivery."
) -> Review:
    line = bought_line(offer=offer)
    buyer = line.seller_order.order.buyer
    return write_review(
        actor=buyer, line_id=line.pk, product_rating=product_rating, seller_rating=seller_rating, text=text
    )
