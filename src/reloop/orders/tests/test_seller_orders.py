"""Seller-side order reads and writes: the queues and accepting a seller order."""

from __future__ import annotations

import pytest

from reloop.core.errors import InvalidInput
from reloop.orders.domain import LineState
from reloop.orders.errors import NothingToAccept, OrderNotFound
from reloop.orders.models import ActorKind, Order, OrderStatus
from reloop.orders.selectors import seller_order_for, seller_order_queue
from reloop.orders.services import accept_seller_order, transition_line
from reloop.orders.tests.factories import a_phone_order, paid_order, phone_offer
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db


def move(line, *states):
    for state in states:
        transition_line(line_id=line.pk, to_state=state, actor=None, actor_kind=ActorKind.SYSTEM)


class TestAccept:
    def test_every_paid_line_becomes_accepted_by_the_seller(self):
        # given a paid order of two lines from one seller
        seller = SellerFactory()
        order = paid_order(items=[(phone_offer(seller=seller), 1), (phone_offer(seller=seller), 2)])
        part = order.seller_orders.get()
        # when the seller accepts it
        accepted = accept_seller_order(actor=None, seller=seller, seller_order_id=part.pk)
        # then both lines are accepted, stamped, with one event each by the seller
        lines = list(accepted.lines.all())
        assert [line.state for line in lines] == [LineState.ACCEPTED, LineState.ACCEPTED]
        assert all(line.accepted_at is not None for line in lines)
        assert [list(line.events.values_list("to_state", "actor_kind")) for line in lines] == [
            [("paid", "system"), ("accepted", "seller")]
        ] * 2

    def test_accepting_twice_changes_nothing_more(self):
        seller, part, line = a_phone_order()
        accept_seller_order(actor=None, seller=seller, seller_order_id=part.pk)
        stamp = seller_order_for(seller=seller, seller_order_id=part.pk).lines.get().accepted_at
        again = accept_seller_order(actor=None, seller=seller, seller_order_id=part.pk)
        assert again.lines.get().accepted_at == stamp
        assert line.events.filter(to_state="accepted").count() == 1

    @pytest.mark.parametrize(
        "states", [(LineState.CANCELLED,), (LineState.ACCEPTED, LineState.SHIPPED)], ids=["cancelled", "shipped"]
    )
    def test_an_order_with_nothing_to_accept_is_refused(self, states):
        seller, part, line = a_phone_order()
        move(line, *states)
        events = line.events.count()
        with pytest.raises(NothingToAccept) as exc:
            accept_seller_order(actor=None, seller=seller, seller_order_id=part.pk)
        assert (exc.value.code, exc.value.http_status) == ("nothing_to_accept", 409)
        assert line.events.count() == events

    def test_another_sellers_order_is_not_found(self):
        _, part, line = a_phone_order()
        with pytest.raises(OrderNotFound):
            accept_seller_order(actor=None, seller=SellerFactory(), seller_order_id=part.pk)
        line.refresh_from_db()
        assert line.state == LineState.PAID

    def test_an_order_awaiting_payment_is_not_the_sellers_yet(self):
        seller, part, _line = a_phone_order()
        Order.objects.filter(pk=part.order_id).update(status=OrderStatus.PENDING_PAYMENT)
        with pytest.raises(OrderNotFound):
            accept_seller_order(actor=None, seller=seller, seller_order_id=part.pk)


class TestQueue:
    def test_each_order_is_in_the_queue_of_its_next_step(self):
        seller = SellerFactory()
        _, to_accept, _ = a_phone_order(seller=seller)
        _, to_ship, line = a_phone_order(seller=seller)
        move(line, LineState.ACCEPTED)
        _, shipped, line = a_phone_order(seller=seller)
        move(line, LineState.ACCEPTED, LineState.SHIPPED)
        _, delivered, line = a_phone_order(seller=seller)
        move(line, LineState.ACCEPTED, LineState.SHIPPED, LineState.DELIVERED)
        _, cancelled, line = a_phone_order(seller=seller)
        move(line, LineState.CANCELLED)
        a_phone_order()  # another seller's

        def ids(queue):
            return [p.pk for p in seller_order_queue(seller=seller, queue=queue)]

        assert ids("to_accept") == [to_accept.pk]
        assert ids("to_ship") == [to_ship.pk]
        assert ids("shipped") == [shipped.pk]
        assert ids("delivered") == [delivered.pk]
        assert ids("cancelled") == [cancelled.pk]
        assert ids(None) == [cancelled.pk, delivered.pk, shipped.pk, to_ship.pk, to_accept.pk]  # newest first

    def test_a_part_cancelled_line_does_not_hide_the_rest(self):
        seller = SellerFactory()
        order = paid_order(items=[(phone_offer(seller=seller), 1), (phone_offer(seller=seller), 1)])
        part = order.seller_orders.get()
        move(part.lines.first(), LineState.CANCELLED)
        assert [p.pk for p in seller_order_queue(seller=seller, queue="to_accept")] == [part.pk]
        assert list(seller_order_queue(seller=seller, queue="cancelled")) == []

    def test_search_by_order_number_sku_or_product_and_market(self):
        seller = SellerFactory()
        _, part, line = a_phone_order(seller=seller)
        a_phone_order(seller=seller)
        assert [p.pk for p in seller_order_queue(seller=seller, search=part.order.number.lower())] == [part.pk]
        assert [p.pk for p in seller_order_queue(seller=seller, search=line.sku)] == [part.pk]
        assert seller_order_queue(seller=seller, market="en-gb").count() == 2
        assert seller_order_queue(seller=seller, market="fr-fr").count() == 0

    def test_an_unknown_queue_is_bad_input(self):
        with pytest.raises(InvalidInput) as exc:
            seller_order_queue(seller=SellerFactory(), queue="lost")
        assert exc.value.code == "invalid_queue"

    @pytest.mark.parametrize("count", [1, 10])
    def test_the_queue_reads_in_the_same_queries_for_1_and_10_orders(self, count, django_assert_num_queries):
        seller = SellerFactory()
        for _ in range(count):
            a_phone_order(seller=seller)
        # seller orders with their order (1), their lines (2), their shipments (3; none yet, so no tracking events)
        with django_assert_num_queries(3):
            parts = list(seller_order_queue(seller=seller, queue="to_accept"))
            assert len([line for p in parts for line in p.lines.all()]) == count
            assert all(p.order.number for p in parts)

    def test_seller_order_for_answers_another_sellers_order_as_not_found(self):
        _, part, _ = a_phone_order()
        with pytest.raises(OrderNotFound):
            seller_order_for(seller=SellerFactory(), seller_order_id=part.pk)
        with pytest.raises(OrderNotFound):
            seller_order_for(seller=part.seller, seller_order_id=part.pk + 1000)


def test_transition_stamps_each_step_once():
    _, _, line = a_phone_order()
    move(line, LineState.ACCEPTED, LineState.SHIPPED, LineState.DELIVERED, LineState.RETURN_REQUESTED)
    line.refresh_from_db()
    first_delivery = line.delivered_at
    move(line, LineState.DELIVERED)  # a refused return: back to delivered, the delivery date stays
    line.refresh_from_db()
    assert line.delivered_at == first_delivery
    assert line.accepted_at <= line.shipped_at <= line.delivered_at
