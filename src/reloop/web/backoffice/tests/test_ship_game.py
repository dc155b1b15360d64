"""A seller ships a game from the back office without typing any identifier: the form asks for none, the platform
numbers the unit, and a phone in the same parcel still needs its IMEI."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reloop.catalog.tests.factories import CategoryFactory, ProductModelFactory, VariantFactory
from reloop.checkout.tests.factories import checkout_order
from reloop.devices.tests.factories import IMEIS
from reloop.fulfillment.models import Shipment
from reloop.offers.tests.factories import make_offer
from reloop.orders.domain import LineState
from reloop.orders.models import SellerOrder
from reloop.sellers.tests.factories import SellerMemberFactory

pytestmark = pytest.mark.django_db

ADDRESS = {
    "country": "GB",
    "full_name": "Grace Hopper",
    "line1": "12 Harbour Road",
    "postal_code": "SW1A 1AA",
    "city": "London",
}


def _offer(seller, slug):
    category = CategoryFactory(slug=slug, battery_min_health=None if slug == "video-games" else 80)
    variant = VariantFactory(
        product_model=ProductModelFactory(category=category), colour="" if slug == "video-games" else "Black"
    )
    return make_offer(seller=seller, variant=variant, stock=10)


def test_a_game_and_a_phone_ship_from_the_form_with_the_phones_imei_only(client):
    member = SellerMemberFactory()
    client.force_login(member.user)
    game, phone = _offer(member.seller, "video-games"), _offer(member.seller, "smartphones")
    order = checkout_order(items=[(game, 1), (phone, 1)], address=ADDRESS)
    part = SellerOrder.objects.get(order=order, seller=member.seller)
    game_line = part.lines.get(offer=game)
    phone_line = part.lines.get(offer=phone)
    html = client.get(reverse("seller:order", args=[part.pk])).content.decode()
    assert f'name="unit_{game_line.pk}_1"' not in html
    assert "Reloop numbers each unit" in html
    assert f'name="unit_{phone_line.pk}_1"' in html
    data = {"carrier": "royal_mail", "tracking_number": "AB123456789GB"}
    response = client.post(reverse("seller:order_ship", args=[part.pk]), data)
    assert response.status_code == 200  # the phone's IMEI is missing
    assert not Shipment.objects.exists()
    response = client.post(reverse("seller:order_ship", args=[part.pk]), data | {f"unit_{phone_line.pk}_1": IMEIS[0]})
    assert response.status_code == 302
    game_line.refresh_from_db()
    assert game_line.state == LineState.SHIPPED
    assert Shipment.objects.get().units[str(game_line.pk)] == [f"{order.number}-L{game_line.pk}-1".upper()]
