"""Listing units behind an offer, choosing one, reserving it at checkout, and shipping only listed units."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

import pytest

from reloop.accounts.models import User
from reloop.accounts.tests.factories import UserFactory
from reloop.checkout.errors import SoldOut
from reloop.checkout.services import (
    Checkout,
    add_to_cart,
    cancel_line,
    ensure_cart,
    set_quantity,
    start_checkout,
)
from reloop.checkout.settlement import expire_reservations
from reloop.checkout.tests.factories import ADDRESS, pay_cart
from reloop.core import clock
from reloop.core.errors import InvalidInput
from reloop.devices.tests.factories import BAD_IMEI, imei
from reloop.fulfillment.models import Shipment
from reloop.fulfillment.services import ship_seller_order
from reloop.offers.errors import OfferNotFound
from reloop.offers.models import Offer
from reloop.orders.domain import LineState
from reloop.orders.models import ActorKind, OrderLine, SellerOrder
from reloop.passports.errors import (
    InvalidUnitPassport,
    UnitListedElsewhere,
    UnitNotFound,
    UnitNotShippable,
    UnitUnavailable,
)
from reloop.passports.models import OfferUnit, UnitStatus
from reloop.passports.selectors import line_units, offer_passports, seller_units
from reloop.passports.services import UnitInput, attach_units, withdraw_unit
from reloop.passports.tests.factories import FULL, list_units, phone_offer
from reloop.sellers.models import Seller
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer() -> Offer:
    return phone_offer(seller=cast(Seller, SellerFactory()), stock=3)


def statuses(offer: Offer) -> list[tuple[str, str]]:
    return list(OfferUnit.objects.filter(offer=offer).order_by("pk").values_list("identifier", "status"))


class TestListingUnits:
    def test_units_are_listed_with_their_passports_and_listing_them_again_changes_nothing(self, offer):
        units = [UnitInput(f"{imei(1)[:5]} {imei(1)[5:]}", FULL), UnitInput(imei(2), {"battery_health": 88})]
        report = attach_units(seller=offer.seller, offer_id=offer.pk, units=units)
        assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
        assert statuses(offer) == [(imei(1), "available"), (imei(2), "available")]
        first = OfferUnit.objects.get(identifier=imei(1))
        assert (first.kind, first.battery_health, first.erasure_method, first.mdm_free) == ("imei", 94, "blancco", True)
        again = attach_units(seller=offer.seller, offer_id=offer.pk, units=units)  # a retried call
        assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
        assert OfferUnit.objects.count() == 2

    def test_an_available_unit_s_passport_can_be_corrected(self, offer):
        list_units(offer, [90])
        report = attach_units(
            seller=offer.seller, offer_id=offer.pk, units=[UnitInput(imei(1), {**FULL, "battery_health": 92})]
        )
        assert (report.created, report.updated) == (0, 1)
        assert OfferUnit.objects.get().battery_health == 92

    @pytest.mark.parametrize(
        ("identifier", "facts", "code", "field"),
        [
            (BAD_IMEI, {}, "invalid_imei", "identifier"),  # the Luhn check digit is wrong
            ("12345", {}, "invalid_imei", "identifier"),
            (imei(1), {"battery_health": 101}, "invalid_battery_health", "battery_health"),
            (imei(1), {"battery_cycles": -3}, "invalid_battery_cycles", "battery_cycles"),
        ],
    )
    def test_bad_input_is_refused_with_a_clear_error_and_nothing_is_written(
        self, offer, identifier, facts, code, field
    ):
        units = [UnitInput(imei(9), FULL), UnitInput(identifier, facts)]
        with pytest.raises(InvalidUnitPassport) as info:
            attach_units(seller=offer.seller, offer_id=offer.pk, units=units)
        assert (info.value.code, info.value.field, info.value.index) == (code, field, 1)
        assert OfferUnit.objects.count() == 0

    def test_the_same_unit_twice_in_one_call_is_refused(self, offer):
        with pytest.raises(InvalidUnitPassport) as info:
            attach_units(seller=offer.seller, offer_id=offer.pk, units=[UnitInput(imei(1)), UnitInput(imei(1))])
        assert info.value.code == "duplicate_unit"

    def test_a_unit_live_on_another_offer_cannot_be_listed_on_a_second_live_offer(self, offer):
        list_units(offer, [90])
        other = phone_offer(seller=offer.seller)
        with pytest.raises(UnitListedElsewhere) as info:
            attach_units(seller=offer.seller, offer_id=other.pk, units=[UnitInput(imei(1), FULL)])
        assert offer.sku in info.value.message
        # nor by another seller, who is not told whose offer it is on
        rival = phone_offer(seller=SellerFactory(name="Rival"))
        with pytest.raises(UnitListedElsewhere) as info:
            attach_units(seller=rival.seller, offer_id=rival.pk, units=[UnitInput(imei(1), FULL)])
        assert offer.sku not in info.value.message
        assert offer.seller.name not in info.value.message
        assert statuses(offer) == [(imei(1), "available")]
        assert OfferUnit.objects.count() == 1

    def test_a_unit_on_an_offer_taken_off_sale_moves_to_the_seller_s_live_offer(self, offer):
        list_units(offer, [90])
        Offer.objects.filter(pk=offer.pk).update(is_active=False)
        other = phone_offer(seller=offer.seller)
        report = attach_units(seller=offer.seller, offer_id=other.pk, units=[UnitInput(imei(1), FULL)])
        assert (report.created, report.moved) == (1, 1)
        assert statuses(offer) == [(imei(1), "withdrawn")]
        assert statuses(other) == [(imei(1), "available")]

    def test_one_seller_never_lists_on_or_withdraws_from_another_seller_s_offer(self, offer):
        unit = list_units(offer, [90])[0]
        intruder = SellerFactory(name="Intruder")
        with pytest.raises(OfferNotFound):
            attach_units(seller=intruder, offer_id=offer.pk, units=[UnitInput(imei(5), FULL)])
        with pytest.raises(UnitNotFound):
            withdraw_unit(seller=intruder, unit_id=unit.pk)
        assert list(seller_units(seller=intruder)) == []
        assert [u.pk for u in seller_units(seller=offer.seller)] == [unit.pk]
        assert statuses(offer) == [(imei(1), "available")]

    def test_withdrawing_is_idempotent_and_a_withdrawn_unit_leaves_the_product_page(self, offer):
        unit = list_units(offer, [90, 95])[0]
        withdraw_unit(seller=offer.seller, unit_id=unit.pk)
        withdraw_unit(seller=offer.seller, unit_id=unit.pk)
        assert statuses(offer) == [(imei(1), "withdrawn"), (imei(2), "available")]
        shown = offer_passports([offer.pk])[offer.pk]
        assert [u.id for u in shown.units] == [unit.pk + 1]
        assert shown.passport.battery_health == "95 %"


def buy(offer: Offer, *, unit: OfferUnit | None = None, key: str = "k-1", pay: bool = True):
    buyer = cast(User, UserFactory())
    cart = ensure_cart(user=buyer, token=None, market="en-gb")
    add_to_cart(cart=cart, offer_id=offer.pk, unit_id=unit.pk if unit else None)
    if pay:
        return pay_cart(buyer=buyer, cart=cart, key=key)
    return start_checkout(
        checkout=Checkout(buyer=buyer, cart=cart, shipping_address=ADDRESS, shipping={}, idempotency_key=key)
    ).order


class TestChoosingAUnit:
    def test_the_unit_chosen_is_reserved_for_the_order_line_with_the_stock(self, offer):
        units = list_units(offer, [91, 96, 93])
        order = buy(offer, unit=units[1])
        line = OrderLine.objects.get(seller_order__order=order)
        offer.refresh_from_db()
        assert offer.stock == 2
        assert statuses(offer) == [(imei(1), "available"), (imei(2), "reserved"), (imei(3), "available")]
        reserved = OfferUnit.objects.get(identifier=imei(2))
        assert (reserved.order_line_ref, reserved.chosen_by_buyer) == (line.pk, True)
        # the order shows the passport of that very unit
        shown = line_units([line.pk])[line.pk]
        assert [(u.identifier, u.facts.battery_health) for u in shown] == [(imei(2), 96)]
        # and the product page no longer offers it
        assert [u.id for u in offer_passports([offer.pk])[offer.pk].units] == [units[2].pk, units[0].pk]

    def test_a_unit_taken_by_another_buyer_refuses_the_checkout_and_reserves_nothing(self, offer):
        unit = list_units(offer, [91])[0]
        late = UserFactory()
        late_cart = ensure_cart(user=late, token=None, market="en-gb")
        add_to_cart(cart=late_cart, offer_id=offer.pk, unit_id=unit.pk)  # both chose it; the first buyer pays first
        buy(offer, unit=unit, key="first")
        with pytest.raises(SoldOut) as info:
            start_checkout(
                checkout=Checkout(
                    buyer=late, cart=late_cart, shipping_address=ADDRESS, shipping={}, idempotency_key="late"
                )
            )
        assert info.value.code in ("sold_out", "unit_taken")
        offer.refresh_from_db()
        assert offer.stock == 2  # only the first buyer's unit left the stock
        assert OrderLine.objects.count() == 1
        with pytest.raises(UnitUnavailable):  # and choosing it again is refused at once
            add_to_cart(cart=late_cart, offer_id=offer.pk, unit_id=unit.pk)

    def test_a_chosen_unit_is_one_unit(self, offer):
        unit = list_units(offer, [91])[0]
        cart = ensure_cart(user=UserFactory(), token=None, market="en-gb")
        with pytest.raises(InvalidInput):
            add_to_cart(cart=cart, offer_id=offer.pk, quantity=2, unit_id=unit.pk)
        line = add_to_cart(cart=cart, offer_id=offer.pk, unit_id=unit.pk)
        with pytest.raises(InvalidInput) as info:
            set_quantity(cart=cart, line_id=line.pk, quantity=2)
        assert info.value.code == "unit_chosen"

    def test_a_unit_of_another_offer_cannot_be_chosen(self, offer):
        unit = list_units(offer, [91])[0]
        other = phone_offer(seller=offer.seller)
        cart = ensure_cart(user=UserFactory(), token=None, market="en-gb")
        with pytest.raises(UnitNotFound):
            add_to_cart(cart=cart, offer_id=other.pk, unit_id=unit.pk)

    def test_a_cancelled_line_puts_its_unit_back_on_sale(self, offer):
        unit = list_units(offer, [91])[0]
        order = buy(offer, unit=unit)
        line = OrderLine.objects.get(seller_order__order=order)
        cancel_line(line_id=line.pk, actor=None, actor_kind=ActorKind.SELLER, reason="Damaged in the workshop")
        unit.refresh_from_db()
        assert (unit.status, unit.order_line_ref, unit.chosen_by_buyer) == (UnitStatus.AVAILABLE, None, False)

    def test_an_abandoned_checkout_puts_its_unit_back_on_sale(self, offer):
        unit = list_units(offer, [91])[0]
        buy(offer, unit=unit, pay=False)
        assert OfferUnit.objects.get().status == UnitStatus.RESERVED
        with clock.frozen_at(clock.now() + timedelta(minutes=16)):
            assert expire_reservations() == 1
        unit.refresh_from_db()
        assert unit.status == UnitStatus.AVAILABLE
        offer.refresh_from_db()
        assert offer.stock == 3


def ship(offer: Offer, order, units):
    part = SellerOrder.objects.get(order=order)
    line = part.lines.get()
    return ship_seller_order(
        actor=None,
        seller=offer.seller,
        seller_order_id=part.pk,
        carrier="royal_mail",
        tracking_number="AB123456789GB",
        units={line.pk: units},
    ), line


class TestShippingListedUnits:
    def test_shipping_a_unit_not_attached_to_the_offer_is_refused(self, offer):
        list_units(offer, [91, 96])
        order = buy(offer)
        with pytest.raises(UnitNotShippable) as info:
            ship(offer, order, [imei(40)])
        assert info.value.code == "unit_not_listed"
        assert imei(40) in info.value.message
        assert Shipment.objects.count() == 0
        assert OrderLine.objects.get().state == LineState.PAID
        assert statuses(offer) == [(imei(1), "available"), (imei(2), "available")]

    def test_any_listed_unit_ships_when_the_buyer_chose_none_and_it_is_sold_on_that_line(self, offer):
        list_units(offer, [91, 96])
        order = buy(offer)
        _shipment, line = ship(offer, order, [imei(2)])
        assert statuses(offer) == [(imei(1), "available"), (imei(2), "sold")]
        assert [u.identifier for u in line_units([line.pk])[line.pk]] == [imei(2)]

    def test_the_unit_the_buyer_chose_must_be_the_one_shipped(self, offer):
        units = list_units(offer, [91, 96])
        order = buy(offer, unit=units[1])
        with pytest.raises(UnitNotShippable) as info:
            ship(offer, order, [imei(1)])
        assert info.value.code == "unit_not_chosen"
        assert Shipment.objects.count() == 0
        _shipment, line = ship(offer, order, [imei(2)])
        assert statuses(offer) == [(imei(1), "available"), (imei(2), "sold")]
        assert [u.identifier for u in line_units([line.pk])[line.pk]] == [imei(2)]

    def test_a_unit_reserved_for_another_buyer_cannot_ship_on_this_order(self, offer):
        units = list_units(offer, [91, 96])
        first = buy(offer, key="a")
        buy(offer, unit=units[0], key="b")
        with pytest.raises(UnitUnavailable):
            ship(offer, first, [imei(1)])
        assert statuses(offer) == [(imei(1), "reserved"), (imei(2), "available")]

    def test_an_offer_listing_no_units_ships_any_unit_as_before(self, offer):
        order = buy(offer)
        ship(offer, order, [imei(40)])
        assert OfferUnit.objects.count() == 0
        assert OrderLine.objects.get().state == LineState.SHIPPED
