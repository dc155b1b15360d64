"""Delivery: the simulated carrier's news, the buyer's "I received it", and automatic delivery without news."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from reloop.accounts.tests.factories import UserFactory
from reloop.devices.tests.factories import IMEIS, imei
from reloop.fulfillment.errors import NotDeliverable
from reloop.fulfillment.models import Shipment, TrackingEvent
from reloop.fulfillment.services import (
    confirm_delivery,
    deliver_overdue_shipments,
    poll_shipments,
    ship_seller_order,
)
from reloop.fulfillment.tracking import Carrier, CarrierEvent, NoTracking, SimulatedCarrier, get_carrier
from reloop.orders.domain import LineState
from reloop.orders.errors import OrderNotFound
from reloop.orders.selectors import seller_order_queue
from reloop.orders.tests.factories import a_phone_order
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db

SHIPPED = dt.datetime(2026, 11, 30, 10, 0, tzinfo=dt.UTC)  # a Monday


@pytest.fixture
def clock_at(monkeypatch):
    def move(moment):
        monkeypatch.setattr("reloop.core.clock.now", lambda: moment)

    return move


@pytest.fixture
def shipped(clock_at, settings):
    """A phone order shipped on Monday 10:00, the simulated carrier taking 48 hours."""
    settings.RELOOP_CARRIER_TRACKING = "simulated"
    settings.RELOOP_SIMULATED_CARRIER_HOURS = 48
    clock_at(SHIPPED)
    seller, part, line = a_phone_order()
    shipment = ship_seller_order(
        actor=None,
        seller=seller,
        seller_order_id=part.pk,
        carrier="colissimo",
        tracking_number="6A12345678901",
        units={line.pk: [IMEIS[0]]},
    )
    return shipment, part, line


def statuses(shipment):
    return list(TrackingEvent.objects.filter(shipment=shipment).values_list("status", flat=True))


class TestSimulatedCarrier:
    def test_a_parcel_moves_along_the_schedule_deterministically(self):
        carrier = SimulatedCarrier(hours=100)

        def at(hours):
            events = carrier.track(
                carrier="dhl", tracking_number="X", shipped_at=SHIPPED, now=SHIPPED + dt.timedelta(hours=hours)
            )
            return [e.status for e in events]

        assert at(9) == []
        assert at(10) == ["picked_up"]
        assert at(30) == ["picked_up", "in_transit"]
        assert at(85) == ["picked_up", "in_transit", "out_for_delivery"]
        assert at(100) == ["picked_up", "in_transit", "out_for_delivery", "delivered"]
        delivered = carrier.track(
            carrier="dhl", tracking_number="X", shipped_at=SHIPPED, now=SHIPPED + dt.timedelta(days=9)
        )
        assert delivered[-1].occurred_at == SHIPPED + dt.timedelta(hours=100)

    def test_settings_choose_the_tracker(self, settings):
        settings.RELOOP_CARRIER_TRACKING = "none"
        assert isinstance(get_carrier(), NoTracking)
        settings.RELOOP_CARRIER_TRACKING = "simulated"
        settings.RELOOP_SIMULATED_CARRIER_HOURS = 5
        carrier = get_carrier()
        assert isinstance(carrier, SimulatedCarrier)
        assert carrier.hours == 5


class TestPollShipments:
    def test_polling_records_progress_and_delivers_once(self, shipped, clock_at, django_capture_on_commit_callbacks):
        shipment, _part, line = shipped
        # half-way: picked up and in transit, nothing delivered
        clock_at(SHIPPED + dt.timedelta(hours=24))
        assert poll_shipments() == 1
        assert poll_shipments() == 0  # no news the second time
        shipment.refresh_from_db()
        assert (shipment.status, shipment.delivered_at) == ("in_transit", None)
        assert statuses(shipment) == ["shipped", "picked_up", "in_transit"]
        # after 48 hours: delivered at the carrier's time, the line too, the buyer told once
        clock_at(SHIPPED + dt.timedelta(hours=60))
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert poll_shipments() == 1
            assert poll_shipments() == 0
        shipment.refresh_from_db()
        line.refresh_from_db()
        delivered_at = SHIPPED + dt.timedelta(hours=48)
        assert (shipment.status, shipment.delivered_at, shipment.delivery_source) == (
            "delivered",
            delivered_at,
            "carrier",
        )
        assert (line.state, line.delivered_at) == (LineState.DELIVERED, delivered_at)
        assert statuses(shipment) == ["shipped", "picked_up", "in_transit", "out_for_delivery", "delivered"]
        event = line.events.get(to_state="delivered")
        assert (event.actor_kind, event.actor_id) == ("system", None)
        assert len(mail.outbox) == 1
        assert "was delivered" in mail.outbox[0].subject

    def test_no_tracking_asks_nobody(self, shipped, clock_at, settings):
        settings.RELOOP_CARRIER_TRACKING = "none"
        shipment, _, line = shipped
        clock_at(SHIPPED + dt.timedelta(days=5))
        assert poll_shipments() == 0
        assert statuses(shipment) == ["shipped"]
        line.refresh_from_db()
        assert line.state == LineState.SHIPPED


class TestAutomaticDelivery:
    def test_a_parcel_without_news_is_delivered_after_the_configured_days_once(self, shipped, clock_at, settings):
        settings.RELOOP_CARRIER_TRACKING = "none"
        settings.RELOOP_AUTO_DELIVERY_DAYS = 10
        shipment, _, line = shipped
        clock_at(SHIPPED + dt.timedelta(days=10) - dt.timedelta(minutes=1))
        assert deliver_overdue_shipments() == 0
        now = SHIPPED + dt.timedelta(days=10)
        clock_at(now)
        assert deliver_overdue_shipments() == 1
        assert deliver_overdue_shipments() == 0
        shipment.refresh_from_db()
        line.refresh_from_db()
        assert (shipment.delivery_source, shipment.delivered_at) == ("automatic", now)
        assert (line.state, line.delivered_at) == (LineState.DELIVERED, now)
        assert line.events.get(to_state="delivered").reason.startswith("auto_delivery:")
        assert line.events.filter(to_state="delivered").count() == 1


class TestConfirmDelivery:
    def test_the_buyer_confirms_a_shipped_parcel_once(self, shipped, clock_at):
        shipment, part, line = shipped
        buyer = part.order.buyer
        now = SHIPPED + dt.timedelta(hours=20)
        clock_at(now)
        confirm_delivery(actor=buyer, order_number=part.order.number, seller_order_id=part.pk)
        confirm_delivery(actor=buyer, order_number=part.order.number, seller_order_id=part.pk)  # a second click
        shipment.refresh_from_db()
        line.refresh_from_db()
        assert (shipment.status, shipment.delivery_source, shipment.delivered_at) == ("delivered", "buyer", now)
        assert (line.state, line.delivered_at) == (LineState.DELIVERED, now)
        event = line.events.get(to_state="delivered")
        assert (event.actor_kind, event.actor_id) == ("buyer", buyer.pk)
        # the carrier's later news adds tracking events but delivers nothing again
        clock_at(SHIPPED + dt.timedelta(days=3))
        poll_shipments()
        assert line.events.filter(to_state="delivered").count() == 1

    def test_another_buyer_cannot_confirm(self, shipped):
        _shipment, part, line = shipped
        with pytest.raises(OrderNotFound):
            confirm_delivery(actor=UserFactory(), order_number=part.order.number, seller_order_id=part.pk)
        line.refresh_from_db()
        assert line.state == LineState.SHIPPED
        assert Shipment.objects.get().delivered_at is None

    def test_a_seller_part_of_another_order_is_not_found(self, shipped):
        _, part, _ = shipped
        _, other_part, _ = a_phone_order(buyer=part.order.buyer)
        with pytest.raises(OrderNotFound):
            confirm_delivery(actor=part.order.buyer, order_number=other_part.order.number, seller_order_id=part.pk)

    def test_a_parcel_not_shipped_yet_cannot_be_confirmed(self, db):
        _, part, line = a_phone_order()
        with pytest.raises(NotDeliverable) as exc:
            confirm_delivery(actor=part.order.buyer, order_number=part.order.number, seller_order_id=part.pk)
        assert exc.value.http_status == 409
        line.refresh_from_db()
        assert line.state == LineState.PAID


@pytest.mark.parametrize("count", [1, 10])
def test_the_seller_queue_with_shipments_reads_in_four_queries(count, django_assert_num_queries):
    seller = SellerFactory()
    for i in range(count):
        _, part, line = a_phone_order(seller=seller)
        ship_seller_order(
            actor=None,
            seller=seller,
            seller_order_id=part.pk,
            carrier="ups",
            tracking_number=f"1Z{i:04}",
            units={line.pk: [imei(i)]},
        )
    # seller orders with their order (1), their lines (2), shipments (3) and tracking events (4)
    with django_assert_num_queries(4):
        parts = list(seller_order_queue(seller=seller, queue="shipped"))
        assert len([line for p in parts for line in p.lines.all()]) == count
        assert len([e for p in parts for s in p.shipments.all() for e in s.events.all()]) == count


@pytest.mark.parametrize("tracker", [SimulatedCarrier(hours=1), NoTracking()], ids=["simulated", "none"])
def test_every_tracker_honours_the_carrier_protocol(tracker):
    assert isinstance(tracker, Carrier)
    events = tracker.track(carrier="ups", tracking_number="1Z9", shipped_at=SHIPPED, now=SHIPPED + dt.timedelta(days=1))
    assert all(isinstance(e, CarrierEvent) for e in events)
    assert [e.occurred_at for e in events] == sorted(e.occurred_at for e in events)
    assert all(e.occurred_at <= SHIPPED + dt.timedelta(days=1) for e in events)
    # a parcel it does not know, or one not shipped yet, is no news rather than an error
    assert tracker.track(carrier="ups", tracking_number="?", shipped_at=SHIPPED, now=SHIPPED) == []


def test_polling_takes_the_least_recently_asked_parcels_first(shipped, clock_at, monkeypatch):
    shipment, _, _ = shipped
    seller, part, line = a_phone_order()
    second = ship_seller_order(
        actor=None,
        seller=seller,
        seller_order_id=part.pk,
        carrier="dhl",
        tracking_number="1234567890",
        units={line.pk: [IMEIS[1]]},
    )
    monkeypatch.setattr("reloop.fulfillment.services.BATCH", 1)
    clock_at(SHIPPED + dt.timedelta(hours=6))
    poll_shipments()
    poll_shipments()
    asked = dict(Shipment.objects.values_list("pk", "last_checked_at"))
    assert asked[shipment.pk] is not None
    assert asked[second.pk] is not None
