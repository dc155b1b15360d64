"""Back-office orders and dashboard: queues with counts, one seller order (accept, cancel, ship), the packing slip.

Orders are placed through checkout with the test card, as a buyer places them.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from reloop.catalog.tests.factories import CategoryFactory, ProductModelFactory, VariantFactory
from reloop.checkout.tests.factories import checkout_order
from reloop.devices.tests.factories import BAD_IMEI, IMEIS
from reloop.fulfillment.models import Shipment
from reloop.offers.models import Offer
from reloop.offers.tests.factories import make_offer
from reloop.orders.domain import LineState
from reloop.orders.models import LineEvent, OrderLine, SellerOrder
from reloop.sellers.models import MemberRole
from reloop.sellers.tests.factories import SellerFactory, SellerMemberFactory
from reloop.web.tests.helpers import queries_for

pytestmark = pytest.mark.django_db

ADDRESS = {
    "country": "GB",
    "full_name": "Grace Hopper",
    "line1": "12 Harbour Road",
    "line2": "Flat 3",
    "postal_code": "SW1A 1AA",
    "city": "London",
}


def placed(seller, *, quantity=1, lines=1, phone=True) -> SellerOrder:
    """A paid seller order of ``seller`` with ``lines`` lines of ``quantity`` units (smartphones need an IMEI)."""
    category = CategoryFactory(slug="smartphones" if phone else "laptops")
    offers = [
        make_offer(
            seller=seller,
            variant=VariantFactory(product_model=ProductModelFactory(category=category)),
            stock=10,
            warranty_months=18,
        )
        for _ in range(lines)
    ]
    order = checkout_order(items=[(offer, quantity) for offer in offers], address=ADDRESS)
    return SellerOrder.objects.get(order=order, seller=seller)


@pytest.fixture
def member():
    return SellerMemberFactory(seller__name="Alpha Refurb", seller__legal_name="Alpha Refurb SAS")


@pytest.fixture
def signed_in(client, member):
    client.force_login(member.user)
    return client


def states(part):
    return list(OrderLine.objects.filter(seller_order=part).order_by("pk").values_list("state", flat=True))


# --- Authorization ----------------------------------------------------------------------------------------


def order_pages(part):
    return [
        ("get", reverse("seller:orders")),
        ("get", reverse("seller:order", args=[part.pk])),
        ("get", reverse("seller:packing_slip", args=[part.pk])),
        ("post", reverse("seller:order_accept", args=[part.pk])),
        ("post", reverse("seller:order_cancel", args=[part.pk])),
        ("post", reverse("seller:order_ship", args=[part.pk])),
        ("get", reverse("seller:dashboard")),
    ]


def test_anonymous_visitors_are_sent_to_sign_in_on_every_order_page(client):
    part = placed(SellerFactory())
    for method, url in order_pages(part):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert "/account/sign-in/" in response["Location"], url
    assert states(part) == [LineState.PAID]


def test_a_buyer_gets_403_on_every_order_page(client):
    part = placed(SellerFactory())
    client.force_login(part.order.buyer)
    for method, url in order_pages(part):
        assert getattr(client, method)(url, {"reason": "x"}).status_code == 403, url
    assert states(part) == [LineState.PAID]


def test_seller_a_gets_404_on_seller_bs_order_and_changes_nothing(signed_in):
    other = placed(SellerFactory(name="Beta Refurb"))
    line = other.lines.get()
    for method, url in order_pages(other)[1:-1]:
        data = {"reason": "mine now", "carrier": "royal_mail", "tracking_number": "AB123456789GB"}
        data[f"unit_{line.pk}_1"] = IMEIS[0]
        assert getattr(signed_in, method)(url, data).status_code == 404, url
    assert states(other) == [LineState.PAID]
    assert not Shipment.objects.exists()
    assert other.order.number not in signed_in.get(reverse("seller:orders")).content.decode()


def test_a_staff_member_may_work_the_orders(client):
    staff = SellerMemberFactory(role=MemberRole.STAFF)
    part = placed(staff.seller)
    client.force_login(staff.user)
    assert client.get(reverse("seller:orders")).status_code == 200
    assert client.get(reverse("seller:packing_slip", args=[part.pk])).status_code == 200
    assert client.post(reverse("seller:order_accept", args=[part.pk])).status_code == 302
    assert states(part) == [LineState.ACCEPTED]


def test_order_actions_need_a_valid_csrf_token(member):
    part = placed(member.seller)
    client = Client(enforce_csrf_checks=True)
    client.force_login(member.user)
    assert client.post(reverse("seller:order_accept", args=[part.pk])).status_code == 403
    assert states(part) == [LineState.PAID]
    page = client.get(reverse("seller:order", args=[part.pk])).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(reverse("seller:order_accept", args=[part.pk]), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert states(part) == [LineState.ACCEPTED]


# --- Queues and dashboard ---------------------------------------------------------------------------------


def test_orders_list_runs_the_same_queries_for_1_and_10_orders(client):
    one, ten = SellerMemberFactory(), SellerMemberFactory()
    placed(one.seller)
    for _ in range(10):
        placed(ten.seller, lines=2)
    client.force_login(one.user)
    n_one, response = queries_for(client, reverse("seller:orders"))
    assert response.content.count(b'class="order-row"') == 1
    client.force_login(ten.user)
    n_ten, response = queries_for(client, reverse("seller:orders"))
    assert response.content.count(b'class="order-row"') == 10
    # session, user, membership; six queue counts; count, page, lines, shipments (their tracking events only once
    # something shipped); the header's categories
    assert n_one == n_ten == 14


def test_queues_count_and_list_orders_by_what_they_wait_for(signed_in, member):
    to_accept = placed(member.seller)
    to_ship = placed(member.seller)
    cancelled = placed(member.seller)
    signed_in.post(reverse("seller:order_accept", args=[to_ship.pk]))
    signed_in.post(reverse("seller:order_cancel", args=[cancelled.pk]), {"reason": "Out of stock"})
    html = signed_in.get(reverse("seller:orders"), {"queue": "to_accept"}).content.decode()
    counts = dict(re.findall(r'data-queue="(\w+)">[^<]*<span class="bo-count">(\d+)</span>', html))
    assert counts == {"to_accept": "1", "to_ship": "1", "shipped": "0", "delivered": "0", "cancelled": "1", "all": "3"}
    assert re.findall(r'data-seller-order="(\d+)"', html) == [str(to_accept.pk)]
    html = signed_in.get(reverse("seller:orders"), {"queue": "all", "q": to_ship.order.number}).content.decode()
    assert re.findall(r'data-seller-order="(\d+)"', html) == [str(to_ship.pk)]
    html = signed_in.get(reverse("seller:orders"), {"queue": "all", "market": "fr-fr"}).content.decode()
    assert re.findall(r'data-seller-order="(\d+)"', html) == []


@pytest.mark.django_db(transaction=True)  # real commits: buy boxes are refreshed on commit
def test_dashboard_shows_sales_waiting_lines_overdue_buy_box_share_and_out_of_stock(
    client, member, signed_in, monkeypatch
):
    import datetime as dt

    from reloop.core import clock

    a = placed(member.seller, quantity=2)  # 2 units at £300.00
    b = placed(member.seller)
    signed_in.post(reverse("seller:order_accept", args=[b.pk]))
    make_offer(seller=member.seller, variant=VariantFactory(), stock=0)
    later = clock.now() + dt.timedelta(days=5)
    monkeypatch.setattr("reloop.core.clock.now", lambda: later)
    html = signed_in.get(reverse("seller:dashboard")).content.decode()
    sales = re.search(r'data-testid="sales">(.*?)</table>', html, re.S).group(1)
    assert re.search(r"GBP</th><td>2</td><td>3</td><td class=\"amount\">£900.00", sales)
    accept = re.search(r'data-testid="to-accept">(.*?)</section>', html, re.S).group(1)
    assert '<p class="bo-figure">1</p>' in accept
    assert "1 past its deadline" in accept
    ship = re.search(r'data-testid="to-ship">(.*?)</section>', html, re.S).group(1)
    assert '<p class="bo-figure">1</p>' in ship
    assert "1 past its deadline" in ship
    assert '?queue=to_accept"' in accept
    assert re.search(r'data-testid="out-of-stock">.*?<p class="bo-figure">1</p>', html, re.S)
    # three offers priced in en-gb: the two bought ones still in stock win their buy boxes (no rival)
    share = re.search(r'data-market="en-gb">(.*?)</tr>', html, re.S).group(1)
    assert "<td>2</td><td>3</td><td>67%</td>" in share
    assert a.order.number not in html  # a dashboard of figures, not of orders


def test_dashboard_runs_the_same_queries_with_1_and_10_orders(client):
    one, ten = SellerMemberFactory(), SellerMemberFactory()
    placed(one.seller)
    for _ in range(10):
        placed(ten.seller)
    client.force_login(one.user)
    n_one, _ = queries_for(client, reverse("seller:dashboard"))
    client.force_login(ten.user)
    n_ten, _ = queries_for(client, reverse("seller:dashboard"))
    # session, user, membership; sales, open lines, priced and winning per market, out of stock; categories
    assert n_one == n_ten == 9


# --- One seller order -------------------------------------------------------------------------------------


def test_order_page_shows_lines_address_and_deadlines(signed_in, member):
    part = placed(member.seller, quantity=2)
    html = signed_in.get(reverse("seller:order", args=[part.pk])).content.decode()
    assert part.order.number in html
    assert "Grace Hopper<br>12 Harbour Road<br>Flat 3<br>SW1A 1AA London" in html
    deadlines = re.search(r'data-testid="deadlines">(.*?)</p>', html, re.S).group(1)
    assert "Accept by" in deadlines
    assert "Ship by" in deadlines
    line = part.lines.get()
    assert f'name="unit_{line.pk}_1"' in html
    assert f'name="unit_{line.pk}_2"' in html
    assert "Royal Mail" in html


def test_accepting_an_order(signed_in, member):
    part = placed(member.seller)
    response = signed_in.post(reverse("seller:order_accept", args=[part.pk]), follow=True)
    assert "accepted" in response.content.decode()
    assert states(part) == [LineState.ACCEPTED]
    event = LineEvent.objects.get(line__seller_order=part, to_state=LineState.ACCEPTED)
    assert (event.actor, event.actor_kind) == (member.user, "seller")


def test_cancelling_needs_a_reason_then_refunds(signed_in, member):
    part = placed(member.seller)
    stock = Offer.objects.get(pk=part.lines.get().offer_id).stock
    response = signed_in.post(reverse("seller:order_cancel", args=[part.pk]), {"reason": "  "})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert states(part) == [LineState.PAID]
    response = signed_in.post(reverse("seller:order_cancel", args=[part.pk]), {"reason": "Screen scratched in testing"})
    assert response.status_code == 302
    assert states(part) == [LineState.CANCELLED]
    assert LineEvent.objects.get(line__seller_order=part, to_state="cancelled").reason == "Screen scratched in testing"
    assert Offer.objects.get(pk=part.lines.get().offer_id).stock == stock + 1


def test_shipping_with_a_bad_imei_shows_the_error_on_that_unit_and_changes_nothing(signed_in, member):
    part = placed(member.seller, quantity=2)
    line = part.lines.get()
    data = {
        "carrier": "royal_mail",
        "tracking_number": "AB123456789GB",
        f"unit_{line.pk}_1": IMEIS[0],
        f"unit_{line.pk}_2": BAD_IMEI,
    }
    response = signed_in.post(reverse("seller:order_ship", args=[part.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    field = re.search(rf'<div class="field has-error">\s*<label for="id_unit_{line.pk}_2">.*?</div>', html, re.S)
    assert field is not None
    assert "check digit is wrong" in field.group(0)
    assert f'id="id_unit_{line.pk}_1"' in html
    assert not re.search(rf'<div class="field has-error">\s*<label for="id_unit_{line.pk}_1">', html)
    assert states(part) == [LineState.PAID]
    assert not Shipment.objects.exists()


def test_shipping_errors_on_carrier_tracking_and_duplicate_units(signed_in, member):
    part = placed(member.seller, quantity=2)
    line = part.lines.get()
    data = {"carrier": "pigeon", "tracking_number": "!", f"unit_{line.pk}_1": IMEIS[0], f"unit_{line.pk}_2": IMEIS[0]}
    html = signed_in.post(reverse("seller:order_ship", args=[part.pk]), data).content.decode()
    assert "Select a valid choice" in html
    assert "Already given for another unit" in html
    data |= {"carrier": "royal_mail", f"unit_{line.pk}_2": IMEIS[1]}
    html = signed_in.post(reverse("seller:order_ship", args=[part.pk]), data).content.decode()
    assert re.search(r'<div class="field has-error">\s*<label for="id_tracking_number">', html)
    assert states(part) == [LineState.PAID]
    assert not Shipment.objects.exists()


def test_shipping_records_units_and_is_then_read_only(signed_in, member):
    part = placed(member.seller, quantity=2)
    line = part.lines.get()
    data = {
        "carrier": "royal_mail",
        "tracking_number": "AB123456789GB",
        f"unit_{line.pk}_1": IMEIS[0],
        f"unit_{line.pk}_2": IMEIS[1],
    }
    response = signed_in.post(reverse("seller:order_ship", args=[part.pk]), data)
    assert response.status_code == 302
    assert states(part) == [LineState.SHIPPED]
    html = signed_in.get(reverse("seller:order", args=[part.pk])).content.decode()
    shipment = re.search(r'data-testid="shipment">(.*?)</section>', html, re.S).group(1)
    assert "AB123456789GB" in shipment
    assert IMEIS[0] in shipment
    assert IMEIS[1] in shipment
    assert f'name="unit_{line.pk}_1"' not in html
    assert "Cancel the order" not in html
    # a second post cannot change what shipped
    data |= {f"unit_{line.pk}_1": IMEIS[2]}
    response = signed_in.post(reverse("seller:order_ship", args=[part.pk]), data, follow=True)
    assert "cannot change" in response.content.decode()
    assert Shipment.objects.get().units == {str(line.pk): [IMEIS[0], IMEIS[1]]}


def test_packing_slip_lists_what_is_in_the_parcel(signed_in, member):
    part = placed(member.seller, lines=2, phone=False)
    lines = list(part.lines.order_by("pk"))
    html = signed_in.get(reverse("seller:packing_slip", args=[part.pk])).content.decode()
    assert part.order.number in html
    assert re.search(r'data-testid="slip-seller">Alpha Refurb<br>Alpha Refurb SAS', html)
    assert "Grace Hopper<br>12 Harbour Road" in html
    for line in lines:
        assert line.sku in html
    assert html.count("recorded at shipping") == 2
    assert "18 months" in html
    assert "Good" in html
    assert "within 30 days of delivery" in html
    data = {"carrier": "dpd", "tracking_number": "15501234567890"}
    data |= {f"unit_{lines[0].pk}_1": "C02XK1ABJG5H", f"unit_{lines[1].pk}_1": "FVFDL2ZZQ6L4"}
    assert signed_in.post(reverse("seller:order_ship", args=[part.pk]), data).status_code == 302
    html = signed_in.get(reverse("seller:packing_slip", args=[part.pk])).content.decode()
    assert "<code>C02XK1ABJG5H</code>" in html
    assert "<code>FVFDL2ZZQ6L4</code>" in html
