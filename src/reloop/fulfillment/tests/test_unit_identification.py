"""What identifies a unit when it ships comes from its category: a game ships with no IMEI or serial (the platform
numbers it), a phone still needs its IMEI, a laptop its serial, and sub-categories inherit their parent's rule."""

from __future__ import annotations

import pytest

from reloop.catalog.tests.factories import CategoryFactory, ProductModelFactory, VariantFactory
from reloop.devices.models import Device, DeviceEvent
from reloop.devices.services import identification_for
from reloop.devices.tests.factories import IMEIS
from reloop.fulfillment.errors import AlreadyShipped, InvalidShipment
from reloop.fulfillment.models import Shipment, ShipmentUnit
from reloop.fulfillment.services import confirm_delivery, ship_seller_order
from reloop.offers.tests.factories import make_offer
from reloop.orders.domain import LineState
from reloop.orders.models import SellerOrder
from reloop.orders.tests.factories import a_phone_order, paid_order, phone_offer
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db


def game_offer(*, seller, stock=20):
    gaming = CategoryFactory(slug="gaming", name="Gaming", battery_min_health=None)
    games = CategoryFactory(slug="video-games", name="Video games", parent=gaming, battery_min_health=None)
    variant = VariantFactory(product_model=ProductModelFactory(category=games, name="Zelda"), colour="")
    return make_offer(seller=seller, variant=variant, stock=stock)


def ship(seller, part, units, number="AB123456789GB"):
    return ship_seller_order(
        actor=None, seller=seller, seller_order_id=part.pk, carrier="royal_mail", tracking_number=number, units=units
    )


def an_order(*items):
    order = paid_order(items=list(items))
    part = SellerOrder.objects.get(order=order)
    return part, {line.variant.product_model.category.slug: line for line in part.lines.all()}


def test_categories_say_how_their_units_are_identified_and_children_inherit():
    computers = CategoryFactory(slug="computers", unit_identification="")
    laptops = CategoryFactory(slug="laptops", parent=computers, unit_identification="")
    phones = CategoryFactory(slug="smartphones")
    foldables = CategoryFactory(slug="foldables", parent=phones, unit_identification="")
    games = CategoryFactory(slug="video-games")
    assert laptops.effective_unit_identification == "serial"  # nobody says: a serial
    assert foldables.effective_unit_identification == "imei"  # as its parent
    assert games.effective_unit_identification == "none"
    games.unit_identification = "serial"  # an operator may change a category's rule
    assert games.effective_unit_identification == "serial"


def test_a_game_order_goes_from_paid_to_shipped_to_delivered_without_any_identifier():
    seller = SellerFactory()
    part, lines = an_order((game_offer(seller=seller), 2))
    line = lines["video-games"]
    assert identification_for(line.variant) == "none"
    # when the seller ships it giving no identifier at all
    shipment = ship(seller, part, {})
    line.refresh_from_db()
    assert line.state == LineState.SHIPPED
    # then the platform numbered the two units, each with a device row and its sale in the passport
    numbered = [f"{part.order.number}-L{line.pk}-1".upper(), f"{part.order.number}-L{line.pk}-2".upper()]
    assert shipment.units == {str(line.pk): numbered}
    assert sorted(Device.objects.values_list("kind", "identifier")) == [("unit", n) for n in numbered]
    assert ShipmentUnit.objects.filter(shipment=shipment, line=line).count() == 2
    assert DeviceEvent.objects.filter(kind="sold").count() == 2
    # an exact replay (empty list or the line left out) answers the same shipment and writes nothing more
    assert ship(seller, part, {line.pk: []}).pk == shipment.pk
    assert ship(seller, part, {}).pk == shipment.pk
    assert (Shipment.objects.count(), Device.objects.count()) == (1, 2)
    # and the buyer confirms delivery
    confirm_delivery(actor=part.order.buyer, order_number=part.order.number, seller_order_id=part.pk)
    line.refresh_from_db()
    assert line.state == LineState.DELIVERED


def test_a_serial_typed_for_a_game_is_refused_with_a_clear_message():
    seller = SellerFactory()
    part, lines = an_order((game_offer(seller=seller), 1))
    with pytest.raises(InvalidShipment) as exc:
        ship(seller, part, {lines["video-games"].pk: ["SN12345"]})
    assert exc.value.code == "no_identifier_expected"
    assert "no IMEI or serial" in str(exc.value)
    assert not Shipment.objects.exists()


def test_a_phone_still_needs_its_imei():
    seller, part, line = a_phone_order()
    with pytest.raises(InvalidShipment) as exc:
        ship(seller, part, {})
    assert exc.value.code == "missing_units"
    with pytest.raises(InvalidShipment) as exc:
        ship(seller, part, {line.pk: ["C02XK0ABJGH5"]})  # a serial where an IMEI is required
    assert exc.value.code == "invalid_imei"
    ship(seller, part, {line.pk: [IMEIS[0]]})
    line.refresh_from_db()
    assert line.state == LineState.SHIPPED


def test_a_parcel_with_a_phone_and_a_game_needs_the_imei_only():
    seller = SellerFactory()
    part, lines = an_order((phone_offer(seller=seller), 1), (game_offer(seller=seller), 1))
    phone, game = lines["smartphones"], lines["video-games"]
    with pytest.raises(InvalidShipment) as exc:
        ship(seller, part, {game.pk: []})
    assert exc.value.code == "missing_units"
    shipment = ship(seller, part, {phone.pk: [IMEIS[1]]})
    assert set(shipment.units) == {str(phone.pk), str(game.pk)}
    # a replay with another IMEI is refused: the game's numbering does not hide a change
    with pytest.raises(AlreadyShipped):
        ship(seller, part, {phone.pk: [IMEIS[2]], game.pk: []})
    assert ship(seller, part, {phone.pk: [IMEIS[1]], game.pk: []}).pk == shipment.pk
