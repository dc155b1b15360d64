"""The back-office queue of a seller order: the SQL filters (``seller_order_queue``) and the rule for loaded
orders (``seller_order_queue_of``) put every combination of line states in the same one queue."""

from __future__ import annotations

import itertools

import pytest

from reloop.orders.domain import LineState, seller_order_queue_of
from reloop.orders.models import ActorKind, SellerOrder
from reloop.orders.selectors import SELLER_QUEUES, seller_order_queue
from reloop.orders.services import transition_line
from reloop.orders.tests.factories import paid_order, phone_offer
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db

#: How a paid line reaches each state through the state machine.
PATHS: dict[str, list[str]] = {
    LineState.PAID: [],
    LineState.ACCEPTED: [LineState.ACCEPTED],
    LineState.CANCELLED: [LineState.CANCELLED],
    LineState.SHIPPED: [LineState.ACCEPTED, LineState.SHIPPED],
    LineState.DELIVERED: [LineState.ACCEPTED, LineState.SHIPPED, LineState.DELIVERED],
    LineState.COMPLETED: [LineState.ACCEPTED, LineState.SHIPPED, LineState.DELIVERED, LineState.COMPLETED],
    LineState.RETURN_REQUESTED: [
        LineState.ACCEPTED,
        LineState.SHIPPED,
        LineState.DELIVERED,
        LineState.RETURN_REQUESTED,
    ],
    LineState.RETURNED: [
        LineState.ACCEPTED,
        LineState.SHIPPED,
        LineState.DELIVERED,
        LineState.RETURN_REQUESTED,
        LineState.RETURNED,
    ],
    LineState.REFUNDED: [LineState.ACCEPTED, LineState.SHIPPED, LineState.DELIVERED, LineState.REFUNDED],
}


def test_every_state_has_a_path():
    assert set(PATHS) == set(LineState.values)


def test_every_combination_of_two_line_states_is_in_the_queue_the_rule_names():
    # Given one seller order per pair of line states
    seller = SellerFactory()
    expected: dict[int, str] = {}
    for first, second in itertools.combinations_with_replacement(PATHS, 2):
        order = paid_order(items=[(phone_offer(seller=seller), 1), (phone_offer(seller=seller), 1)])
        part = SellerOrder.objects.get(order=order)
        for line, target in zip(part.lines.order_by("pk"), (first, second), strict=True):
            for state in PATHS[target]:
                transition_line(line_id=line.pk, to_state=state, actor=None, actor_kind=ActorKind.SYSTEM)
        expected[part.pk] = seller_order_queue_of({first, second})

    # Then each SQL queue holds exactly the orders the rule puts there
    for queue in SELLER_QUEUES:
        found = set(seller_order_queue(seller=seller, queue=queue).values_list("pk", flat=True))
        assert found == {pk for pk, q in expected.items() if q == queue}, queue
