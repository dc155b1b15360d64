"""The buyer's parcel on the order page and the tracking page, and "I received it": who may do what."""

from __future__ import annotations

import pytest

from reloop.accounts.tests.factories import UserFactory
from reloop.devices.tests.factories import imei
from reloop.fulfillment.models import Shipment
from reloop.fulfillment.services import ship_seller_order
from reloop.orders.domain import LineState
from reloop.orders.models import ActorKind, OrderLine
from reloop.orders.services import transition_line
from reloop.orders.tests.factories import a_phone_order, paid_order, phone_offer
from reloop.sellers.tests.factories import SellerFactory, SellerMemberFactory
from reloop.web.tests.helpers import queries_for

pytestmark = pytest.mark.django_db


def ship(seller, part, line, n=0):
    return ship_seller_order(
        actor=None,
        seller=seller,
        seller_order_id=part.pk,
        carrier="royal_mail",
        tracking_number=f"AB{n:09}GB",
        units={line.pk: [imei(n)]},
    )


@pytest.fixture
def shipped(settings):
    settings.RELOOP_CARRIER_TRACKING = "simulated"
    seller, part, line = a_phone_order()
    ship(seller, part, line)
    return part, line


def received_url(part):
    return f"/en-gb/orders/{part.order.number}/received/{part.pk}/"


def tracking_url(part):
    return f"/en-gb/orders/{part.order.number}/tracking/{part.pk}/"


class TestIReceivedIt:
    def test_anonymous_is_sent_to_sign_in_and_nothing_changes(self, client, shipped):
        part, line = shipped
        response = client.post(received_url(part))
        assert response.status_code == 302
        assert "/account/sign-in/" in response["Location"]
        assert OrderLine.objects.get(pk=line.pk).state == LineState.SHIPPED

    def test_another_buyer_gets_404_and_nothing_changes(self, client, shipped):
        part, line = shipped
        client.force_login(UserFactory())
        assert client.post(received_url(part)).status_code == 404
        assert OrderLine.objects.get(pk=line.pk).state == LineState.SHIPPED

    def test_the_seller_of_the_order_is_not_the_buyer(self, client, shipped):
        part, line = shipped
        client.force_login(SellerMemberFactory(seller=part.seller).user)
        assert client.post(received_url(part)).status_code == 404
        assert OrderLine.objects.get(pk=line.pk).state == LineState.SHIPPED

    def test_the_buyer_confirms_and_sees_it_delivered(self, client, shipped):
        part, line = shipped
        client.force_login(part.order.buyer)
        page = client.get(f"/en-gb/orders/{part.order.number}/").content.decode()
        assert "I received it" in page
        response = client.post(received_url(part))
        assert response.status_code == 302
        assert response["Location"] == f"/en-gb/orders/{part.order.number}/#part-{part.pk}"
        assert OrderLine.objects.get(pk=line.pk).state == LineState.DELIVERED
        assert Shipment.objects.get().delivery_source == "buyer"
        page = client.get(response["Location"]).content.decode()
        assert "I received it" not in page
        assert "parcel arrived" in page  # the success message

    def test_a_get_does_nothing(self, client, shipped):
        part, line = shipped
        client.force_login(part.order.buyer)
        assert client.get(received_url(part)).status_code == 405
        assert OrderLine.objects.get(pk=line.pk).state == LineState.SHIPPED

    def test_before_shipping_the_buyer_gets_a_message_not_an_error(self, client):
        _, part, line = a_phone_order()
        client.force_login(part.order.buyer)
        response = client.post(received_url(part), follow=True)
        assert response.status_code == 200
        assert "not shipped yet" in response.content.decode()
        assert OrderLine.objects.get(pk=line.pk).state == LineState.PAID


class TestTrackingPage:
    def test_only_the_buyer_sees_it(self, client, shipped):
        part, _ = shipped
        url = tracking_url(part)
        assert client.get(url).status_code == 302
        client.force_login(UserFactory())
        assert client.get(url).status_code == 404
        client.force_login(SellerMemberFactory(seller=part.seller).user)
        assert client.get(url).status_code == 404
        client.force_login(part.order.buyer)
        page = client.get(url).content.decode()
        assert "Royal Mail" in page
        assert "https://www.royalmail.com/track-your-item#/tracking-results/AB000000000GB" in page
        assert imei(0) in page  # the unit shipped, the start of its passport
        assert "simulated" in page

    def test_a_seller_part_of_another_order_is_404(self, client, shipped):
        part, _ = shipped
        _, other, _ = a_phone_order(buyer=part.order.buyer)
        client.force_login(part.order.buyer)
        assert client.get(f"/en-gb/orders/{other.order.number}/tracking/{part.pk}/").status_code == 404


def test_the_order_page_reads_the_same_queries_for_1_and_10_parcels(client, settings):
    settings.RELOOP_CARRIER_TRACKING = "simulated"
    buyer = UserFactory()
    n = iter(range(100))

    def order_with(parcels):
        order = paid_order(buyer=buyer, items=[(phone_offer(seller=SellerFactory()), 1) for _ in range(parcels)])
        for part in order.seller_orders.all():
            ship(part.seller, part, part.lines.get(), next(n))
        return order

    one, ten = order_with(1), order_with(10)
    client.force_login(buyer)
    one_count, one_page = queries_for(client, f"/en-gb/orders/{one.number}/")
    ten_count, ten_page = queries_for(client, f"/en-gb/orders/{ten.number}/")
    assert one_page.content.decode().count('class="parcel"') == 1
    assert ten_page.content.decode().count('class="parcel"') == 10
    assert ten_page.content.decode().count("I received it") == 10
    assert one_count == ten_count


def test_the_tracking_page_reads_the_same_queries_for_1_and_10_units(client, settings):
    settings.RELOOP_CARRIER_TRACKING = "simulated"
    buyer = UserFactory()
    seller = SellerFactory()
    first = iter(range(0, 100))

    def parcel_of(lines):
        order = paid_order(buyer=buyer, items=[(phone_offer(seller=seller), 1) for _ in range(lines)])
        part = order.seller_orders.get()
        ship_seller_order(
            actor=None,
            seller=seller,
            seller_order_id=part.pk,
            carrier="dhl",
            tracking_number=f"JD{part.pk:08}",
            units={line.pk: [imei(next(first))] for line in part.lines.all()},
        )
        return part

    one, ten = parcel_of(1), parcel_of(10)
    client.force_login(buyer)
    one_count, one_page = queries_for(client, tracking_url(one))
    ten_count, ten_page = queries_for(client, tracking_url(ten))
    assert one_page.content.decode().count("IMEI 3569380") == 1
    assert ten_page.content.decode().count("IMEI 3569380") == 10
    assert one_count == ten_count


def test_a_cancelled_part_does_not_promise_a_parcel(client):
    _, part, line = a_phone_order()
    client.force_login(part.order.buyer)
    assert "Not shipped yet" in client.get(f"/en-gb/orders/{part.order.number}/").content.decode()
    transition_line(line_id=line.pk, to_state=LineState.CANCELLED, actor=None, actor_kind=ActorKind.SELLER)
    assert "Not shipped yet" not in client.get(f"/en-gb/orders/{part.order.number}/").content.decode()
