"""Shipping a seller order: IMEI/serial per unit, final once shipped, exact replays answered the same."""

from __future__ import annotations

import pytest
from django.core import mail

from reloop.devices.models import Device, DeviceEvent
from reloop.devices.tests.factories import BAD_IMEI, IMEIS
from reloop.fulfillment.carriers import CARRIERS, carrier_choices, tracking_url
from reloop.fulfillment.errors import AlreadyShipped, InvalidShipment, NotShippable
from reloop.fulfillment.models import Shipment, ShipmentUnit, TrackingEvent
from reloop.fulfillment.services import ship_seller_order
from reloop.orders.domain import LineState
from reloop.orders.errors import OrderNotFound
from reloop.orders.models import ActorKind, Order, OrderStatus, SellerOrder
from reloop.orders.services import transition_line
from reloop.orders.tests.factories import a_phone_order, laptop_offer, paid_order
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db


def ship(seller, part, units, *, carrier="royal_mail", number="AB123456789GB"):
    return ship_seller_order(
        actor=None, seller=seller, seller_order_id=part.pk, carrier=carrier, tracking_number=number, units=units
    )


def assert_nothing_shipped(line):
    line.refresh_from_db()
    assert line.state == LineState.PAID
    assert (Shipment.objects.count(), Device.objects.count(), DeviceEvent.objects.count()) == (0, 0, 0)
    assert not line.events.filter(to_state=LineState.SHIPPED).exists()


class TestShipSellerOrder:
    def test_a_paid_order_is_accepted_and_shipped_with_one_imei_per_unit(self, django_capture_on_commit_callbacks):
        # given a paid order of two phones
        seller, part, line = a_phone_order(quantity=2)
        mail.outbox.clear()
        # when the seller ships it with two IMEIs typed with spaces
        with django_capture_on_commit_callbacks(execute=True):
            shipment = ship(seller, part, {line.pk: ["49 015420 323751 8", IMEIS[1]]}, number="ab 1234 5678 9gb")
        # then the line went paid → accepted → shipped, the devices have a passport and the buyer an email
        line.refresh_from_db()
        assert line.state == LineState.SHIPPED
        assert line.accepted_at is not None
        assert line.shipped_at is not None
        assert line.delivered_at is None
        assert list(line.events.values_list("to_state", "actor_kind")) == [
            ("paid", "system"),
            ("accepted", "seller"),
            ("shipped", "seller"),
        ]
        assert (shipment.carrier, shipment.tracking_number, shipment.status) == (
            "royal_mail",
            "AB123456789GB",
            "shipped",
        )
        assert shipment.units == {str(line.pk): [IMEIS[0], IMEIS[1]]}
        assert shipment.tracking_url == "https://www.royalmail.com/track-your-item#/tracking-results/AB123456789GB"
        assert sorted(Device.objects.values_list("kind", "identifier", "seller_id")) == sorted(
            [("imei", IMEIS[0], seller.pk), ("imei", IMEIS[1], seller.pk)]
        )
        assert list(DeviceEvent.objects.values_list("kind", flat=True)) == ["sold", "sold"]
        assert ShipmentUnit.objects.filter(line=line).count() == 2
        assert list(TrackingEvent.objects.values_list("status", flat=True)) == ["shipped"]
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == [part.order.buyer.email]
        assert "AB123456789GB" in mail.outbox[0].body
        assert "Royal Mail" in mail.outbox[0].body

    def test_a_laptop_ships_with_a_serial(self):
        seller = SellerFactory()
        order = paid_order(items=[(laptop_offer(seller=seller), 1)])
        part = SellerOrder.objects.get(order=order)
        line = part.lines.get()
        ship(seller, part, {line.pk: ["c02-xk1abc"]})
        assert Device.objects.get().identifier == "C02XK1ABC"
        assert Device.objects.get().kind == "serial"

    @pytest.mark.parametrize(
        ("units_of", "code"),
        [
            (lambda line: {line.pk: [BAD_IMEI]}, "invalid_imei"),
            (lambda line: {line.pk: ["C02XK1ABC"]}, "invalid_imei"),  # a phone needs its IMEI, not a serial
            (lambda line: {line.pk: ["49015420323751"]}, "invalid_imei"),  # 14 digits
            (lambda line: {line.pk: [IMEIS[0], IMEIS[1]]}, "wrong_unit_count"),
            (lambda line: {line.pk: []}, "wrong_unit_count"),
            (lambda line: {line.pk: IMEIS[0]}, "wrong_unit_count"),  # a string, not a list
            (lambda line: {}, "missing_units"),
            (lambda line: {line.pk: [IMEIS[0]], line.pk + 1000: [IMEIS[1]]}, "unknown_line"),
        ],
    )
    def test_bad_units_ship_nothing(self, units_of, code):
        seller, part, line = a_phone_order()
        with pytest.raises(InvalidShipment) as exc:
            ship(seller, part, units_of(line))
        assert exc.value.code == code
        assert exc.value.http_status == 422
        assert_nothing_shipped(line)

    def test_the_same_imei_twice_is_refused(self):
        seller, part, line = a_phone_order(quantity=2)
        with pytest.raises(InvalidShipment) as exc:
            ship(seller, part, {line.pk: [IMEIS[0], "4901-5420-3237-518"]})
        assert exc.value.code == "duplicate_unit"
        assert_nothing_shipped(line)

    @pytest.mark.parametrize(
        ("carrier", "number", "code"),
        [
            ("pigeon", "AB123456789GB", "unknown_carrier"),
            ("ups", "x!", "invalid_tracking_number"),
            ("ups", "", "invalid_tracking_number"),
        ],
    )
    def test_bad_carrier_or_tracking_number_ships_nothing(self, carrier, number, code):
        seller, part, line = a_phone_order()
        with pytest.raises(InvalidShipment) as exc:
            ship(seller, part, {line.pk: [IMEIS[0]]}, carrier=carrier, number=number)
        assert exc.value.code == code
        assert_nothing_shipped(line)

    def test_another_sellers_order_is_not_found(self):
        _, part, line = a_phone_order()
        with pytest.raises(OrderNotFound) as exc:
            ship(SellerFactory(), part, {line.pk: [IMEIS[0]]})
        assert exc.value.http_status == 404
        assert_nothing_shipped(line)

    def test_an_exact_replay_returns_the_same_shipment_and_changes_nothing(self):
        seller, part, line = a_phone_order(quantity=2)
        first = ship(seller, part, {line.pk: [IMEIS[0], IMEIS[1]]})
        events = line.events.count()
        # the same data, typed differently and in another order, is the same shipment
        again = ship(seller, part, {str(line.pk): [IMEIS[1], "4901 5420 3237 518"]}, number="AB 1234 56789 GB")
        assert again.pk == first.pk
        assert (Shipment.objects.count(), Device.objects.count(), DeviceEvent.objects.count()) == (1, 2, 2)
        assert line.events.count() == events

    @pytest.mark.parametrize(
        "change",
        [
            {"number": "ZZ999999999GB"},
            {"carrier": "dpd"},
            {"units": [IMEIS[0], IMEIS[2]]},
        ],
    )
    def test_once_shipped_tracking_and_imeis_cannot_change(self, change):
        seller, part, line = a_phone_order(quantity=2)
        ship(seller, part, {line.pk: [IMEIS[0], IMEIS[1]]})
        kwargs = {"carrier": change.get("carrier", "royal_mail"), "number": change.get("number", "AB123456789GB")}
        with pytest.raises(AlreadyShipped) as exc:
            ship(seller, part, {line.pk: change.get("units", [IMEIS[0], IMEIS[1]])}, **kwargs)
        assert (exc.value.code, exc.value.http_status) == ("already_shipped", 409)
        shipment = Shipment.objects.get()
        assert (shipment.carrier, shipment.tracking_number) == ("royal_mail", "AB123456789GB")
        assert sorted(Device.objects.values_list("identifier", flat=True)) == sorted(IMEIS[:2])

    def test_a_fully_cancelled_order_cannot_ship(self):
        seller, part, line = a_phone_order()
        transition_line(line_id=line.pk, to_state=LineState.CANCELLED, actor=None, actor_kind=ActorKind.SELLER)
        with pytest.raises(NotShippable):
            ship(seller, part, {line.pk: [IMEIS[0]]})
        assert not Shipment.objects.exists()

    def test_a_device_sold_again_keeps_one_passport(self):
        seller, part, line = a_phone_order()
        ship(seller, part, {line.pk: [IMEIS[0]]})
        other = SellerFactory()
        _, part2, line2 = a_phone_order(seller=other)
        ship(other, part2, {line2.pk: [IMEIS[0]]}, number="CD123456789GB")
        device = Device.objects.get()
        assert device.seller_id == other.pk
        assert device.events.count() == 2


class TestCarriers:
    def test_every_carrier_builds_an_https_tracking_link_with_the_number_quoted(self):
        assert len(CARRIERS) >= 17
        for code in CARRIERS:
            url = tracking_url(code, "AB 12/3")
            assert url is not None, code
            assert url.startswith("https://"), code
            assert "AB%2012%2F3" in url, code

    def test_the_markets_carriers_come_first(self):
        codes = [code for code, _ in carrier_choices("ja-jp")]
        assert set(codes[:2]) == {"japan_post", "yamato"}
        assert len(codes) == len(CARRIERS)

    def test_an_unknown_carrier_has_no_link(self):
        assert tracking_url("pigeon", "1") is None


def test_lines_of_a_pending_order_are_not_in_the_sellers_reach():
    """Lines exist (state paid) while the order awaits payment: nobody may ship them."""
    seller, part, line = a_phone_order()
    Order.objects.filter(pk=part.order_id).update(status=OrderStatus.PENDING_PAYMENT)
    with pytest.raises(OrderNotFound):
        ship(seller, part, {line.pk: [IMEIS[0]]})
