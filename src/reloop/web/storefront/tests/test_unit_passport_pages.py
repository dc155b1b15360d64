"""Unit passports on the storefront (issue 16 item 1): the product page says what each offer's units have and
lets the buyer choose one; "Unlocked" and "Data erased" only where the records say so; the order shows the same
passport; no previous owner's data anywhere; constant queries."""

from __future__ import annotations

import re
from typing import cast

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reloop.accounts.models import User
from reloop.accounts.tests.factories import UserFactory
from reloop.checkout.models import CartLine
from reloop.checkout.services import add_to_cart, ensure_cart
from reloop.checkout.tests.factories import pay_cart
from reloop.devices.tests.factories import imei
from reloop.fulfillment.services import ship_seller_order
from reloop.offers.models import Offer
from reloop.offers.tests.factories import make_offer
from reloop.orders.models import SellerOrder
from reloop.passports.models import OfferUnit
from reloop.passports.tests.factories import list_units, phone_offer
from reloop.pricing.services import refresh_buy_boxes
from reloop.sellers.models import Seller
from reloop.sellers.tests.factories import SellerFactory

pytestmark = pytest.mark.django_db


def page(client, offer: Offer) -> str:
    variant = offer.variant
    return client.get(f"/en-gb/p/{variant.product_model.slug}/{variant.slug}/").content.decode()


def block(html: str, testid: str) -> str:
    match = re.search(rf'<div class="unit-passport[^"]*" data-testid="{testid}">(.*?)</div>', html, re.S)
    assert match, f"no {testid} block"
    return match.group(1)


def seller() -> Seller:
    return cast(Seller, SellerFactory())


def test_the_buy_box_shows_what_its_units_have_and_lets_the_buyer_choose_one(client):
    offer = phone_offer(seller=seller())
    units = list_units(offer, [91, 96])
    refresh_buy_boxes(variant_ids=[offer.variant_id])
    html = page(client, offer)
    passport = block(html, "unit-passport")
    assert "Unit passports: 2 units listed" in passport
    assert "battery 91–96 %; 100–110 cycles; screen replaced with an original part; all 2 tests passed; " in passport
    assert "erased with Blancco certified erasure, certificate on request" in passport
    assert 'data-testid="claim-unlocked"' in passport
    assert 'data-testid="claim-erased"' in passport
    # best battery first, each unit a choice in the add-to-cart form; its IMEI is not shown before purchase
    choices = re.findall(r'name="unit" value="(\d+)" data-battery="(\d+)"', passport)
    assert choices == [(str(units[1].pk), "96"), (str(units[0].pk), "91")]
    assert imei(1) not in html
    assert imei(2) not in html


def test_unlocked_and_data_erased_appear_only_where_every_unit_s_record_says_so(client):
    offer = phone_offer(seller=seller())
    list_units(offer, [91])
    list_units(offer, [93], start=2, mdm_free=None, erasure_method="", erasure_certificate="")  # not recorded
    bare = phone_offer(seller=seller())  # another variant, no units at all
    refresh_buy_boxes(variant_ids=[offer.variant_id, bare.variant_id])
    passport = block(page(client, offer), "unit-passport")
    assert "claim-unlocked" not in passport
    assert "claim-erased" not in passport
    summary = re.search(r'data-testid="passport-summary">(.*?)</p>', passport, re.S)
    assert summary
    assert "erased with" not in summary.group(1)  # one unit records none: not said of the offer
    assert "unlocked" not in summary.group(1)
    assert "battery 91–93 %" in summary.group(1)
    html = page(client, bare)
    assert 'data-testid="no-passport"' in html
    assert "claim-unlocked" not in html
    assert "claim-erased" not in html
    # the standard's words are a commitment, not a claim about this unit
    assert "Every seller commits to sell units free of carrier, activation and MDM locks" in html
    assert "Every seller commits to erase the previous owner&#x27;s data before sale" in html
    assert "<li>Unlocked: no carrier, activation or MDM lock</li>" not in html
    assert "<li>Data erased</li>" not in html


def test_each_offer_of_the_list_shows_its_passport(client):
    first = phone_offer(seller=seller(), price=30000)
    other = make_offer(seller=seller(), variant=first.variant, price=31000)
    list_units(other, [88], start=5)
    refresh_buy_boxes(variant_ids=[first.variant_id])
    html = page(client, first)
    row = re.search(r'data-testid="offer-row-passport">(.*?)</span>', html, re.S)
    assert row
    assert "1 unit with a passport: battery 88 %" in row.group(1)


def test_an_offer_with_passports_wins_the_buy_box_among_otherwise_equal_offers(client):
    plain = phone_offer(seller=seller(), price=30000)
    listed = make_offer(seller=seller(), variant=plain.variant, price=30000)  # newer: it would lose the tie
    refresh_buy_boxes(variant_ids=[plain.variant_id])
    assert f'value="{plain.pk}"' in page(client, plain).split('class="add-to-cart"')[1][:400]
    list_units(listed, [90], start=7)
    refresh_buy_boxes(variant_ids=[plain.variant_id])
    assert f'value="{listed.pk}"' in page(client, plain).split('class="add-to-cart"')[1][:400]


def test_the_product_page_costs_the_same_queries_with_one_or_five_offers_with_units(client, settings):
    settings.RELOOP_CATALOGUE_CACHE_SECONDS = 0
    offer = phone_offer(seller=seller(), price=30000)
    list_units(offer, [90])
    refresh_buy_boxes(variant_ids=[offer.variant_id])
    page(client, offer)
    with CaptureQueriesContext(connection) as one:
        page(client, offer)
    for n in range(4):
        more = make_offer(seller=seller(), variant=offer.variant, price=31000 + n)
        list_units(more, [80, 85, 90], start=10 + 5 * n)
    refresh_buy_boxes(variant_ids=[offer.variant_id])
    html = page(client, offer)
    assert html.count('data-testid="offer-row-passport"') == 4
    with CaptureQueriesContext(connection) as five:
        page(client, offer)
    assert len(five.captured_queries) == len(one.captured_queries)


def test_the_unit_chosen_goes_into_the_cart_and_the_order_shows_the_same_passport(client):
    offer = phone_offer(seller=seller())
    units = list_units(offer, [91, 96])
    refresh_buy_boxes(variant_ids=[offer.variant_id])
    chosen_label = re.search(
        rf'value="{units[1].pk}" data-battery="96"> <span class="unit-line">(.*?)</span>', page(client, offer)
    )
    assert chosen_label
    buyer = cast(User, UserFactory())
    client.force_login(buyer)
    response = client.post("/en-gb/cart/add/", {"offer": offer.pk, "unit": units[1].pk})
    assert response.status_code == 302
    line = CartLine.objects.get(cart__user=buyer)
    assert (line.unit_id, line.quantity) == (units[1].pk, 1)
    assert chosen_label.group(1) in client.get("/en-gb/cart/").content.decode()
    order = pay_cart(buyer=buyer, cart=line.cart)
    passport = block(client.get(f"/en-gb/orders/{order.number}/").content.decode(), "order-passport")
    assert "The unit you chose" in passport
    assert chosen_label.group(1) in passport


def test_a_passport_never_shows_a_previous_owner_s_data(client):
    # given a unit a first buyer bought and received, which the seller takes back and lists again
    offer = phone_offer(seller=seller(), stock=5)
    list_units(offer, [91])
    refresh_buy_boxes(variant_ids=[offer.variant_id])
    first = cast(User, UserFactory(first_name="Zebulon", last_name="Quartermaine", email="zebulon@example.com"))
    cart = ensure_cart(user=first, token=None, market="en-gb")
    add_to_cart(cart=cart, offer_id=offer.pk, unit_id=OfferUnit.objects.get().pk)
    earlier = pay_cart(buyer=first, cart=cart)
    part = SellerOrder.objects.get(order=earlier)
    ship_seller_order(
        actor=None,
        seller=offer.seller,
        seller_order_id=part.pk,
        carrier="royal_mail",
        tracking_number="AB123456789GB",
        units={part.lines.get().pk: [imei(1)]},
    )
    list_units(offer, [89])  # the same IMEI, listed again after its return
    refresh_buy_boxes(variant_ids=[offer.variant_id])
    # when a second buyer looks at it, buys it, and reads the order
    html = page(client, offer)
    second = cast(User, UserFactory())
    client.force_login(second)
    cart = ensure_cart(user=second, token=None, market="en-gb")
    add_to_cart(cart=cart, offer_id=offer.pk, unit_id=OfferUnit.objects.get(status="available").pk)
    later = pay_cart(buyer=second, cart=cart)
    order_html = client.get(f"/en-gb/orders/{later.number}/").content.decode()
    # then neither shows anything about the first buyer: only device facts
    for text in (html, block(html, "unit-passport"), block(order_html, "order-passport")):
        for personal in ("Zebulon", "Quartermaine", "zebulon@example.com", earlier.number, f"user:{first.pk}"):
            assert personal not in text
    assert "battery 89 %" in block(order_html, "order-passport")
